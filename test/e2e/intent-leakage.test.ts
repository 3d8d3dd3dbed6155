import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../src/pipeline.js';
import { normalizeQuery } from '../../src/text/normalize.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../src/tools/simulate/index.js';
import { createRng } from '../../src/util/rng.js';

const jsonl = <T>(p: string): T[] => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

describe('leakage-safe splits on a simulated world whose truth knows each query\'s intent', () => {
  let dir: string;
  let r: BuildResult;
  let intentOf: Map<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-leak-'));
    // the demo's world: the default help-desk simulator, 20,000 sessions, seed 42
    const opts = parseSimulateOptions({ seed: 42, sessions: 20_000 });
    await simulateLog(buildHelpdeskWorld(opts), opts, join(dir, 'data'));
    r = await build({ input: { serps: [join(dir, 'data', 'serps.jsonl')], corpus: join(dir, 'data', 'corpus.jsonl') }, output: join(dir, 'out') });
    intentOf = new Map(jsonl<{ query: string; family: string }>(join(dir, 'data', 'truth', 'queries.jsonl')).map((q) => [normalizeQuery(q.query), q.family]));
  });

  // Issue 7 asks for < 5%. Measured 1.8% (2 of 114) here (3.9% before splits.purgeKeepMovesTest); 12.5% before the best-positive links,
  // 100% before the co-session, co-click and weak-link rules. On seed 7 it is 8.0% (was 14.1%; docs/stages/families.md).
  it('test queries whose intent also occurs in training: under 5% by family, far more by a random row split', () => {
    const ds = join(dir, 'out', 'dataset');
    const trainQ = new Set(jsonl<{ query_norm: string }>(join(ds, 'clickforge', 'train.jsonl')).map((x) => x.query_norm));
    const qText = new Map(jsonl<{ _id: string; text: string }>(join(ds, 'beir', 'queries.jsonl')).map((q) => [q._id, normalizeQuery(q.text)]));
    const testIds = new Set(readFileSync(join(ds, 'beir', 'qrels', 'test.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!));
    const testQ = [...testIds].map((id) => qText.get(id)!);
    const trainIntents = new Set([...trainQ].map((q) => intentOf.get(q)).filter(Boolean));
    const leaked = testQ.filter((q) => trainIntents.has(intentOf.get(q)!)).length / testQ.length;
    expect(testQ.length).toBeGreaterThan(20);
    expect(leaked).toBeLessThan(0.05);

    // the same queries split at random by row, 80/20
    const all = [...trainQ, ...testQ].sort();
    const rng = createRng(1);
    const rTrain = new Set<string>(), rTest: string[] = [];
    for (const q of all) {
      if (rng.next() < 0.8) rTrain.add(q);
      else rTest.push(q);
    }
    const rIntents = new Set([...rTrain].map((q) => intentOf.get(q)));
    const rLeaked = rTest.filter((q) => rIntents.has(intentOf.get(q)!)).length / rTest.length;
    expect(rLeaked).toBeGreaterThan(0.5);
    console.log(`intent leakage: family split ${(100 * leaked).toFixed(1)}% of ${testQ.length} test queries; random row split ${(100 * rLeaked).toFixed(1)}% of ${rTest.length}`);
  });

  it('every split holds head and tail families', () => {
    const balance = (r.report.sections.splits as { balance: { dimension: string; value: string; families: Record<string, number> }[] }).balance;
    for (const bucket of ['head', 'tail']) {
      const row = balance.find((b) => b.dimension === 'bucket' && b.value === bucket)!;
      for (const split of ['train', 'dev', 'test']) expect(row.families[split], `${bucket} in ${split}`).toBeGreaterThan(0);
    }
  });

  it('the audit finds no shared family and no training evidence after the cutoff', () => {
    const leak = r.report.sections.leakage as { ok: boolean; sharedFamilies: { count: number }; timestamps: { cutoff: number | null; trainRecordsAfterCutoff: number } };
    expect(leak.timestamps.cutoff).not.toBeNull();
    expect(leak.sharedFamilies.count).toBe(0);
    expect(leak.timestamps.trainRecordsAfterCutoff).toBe(0);
    expect(leak.ok).toBe(true);
  });
});
