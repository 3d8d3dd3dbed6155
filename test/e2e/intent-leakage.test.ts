import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../src/pipeline.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../src/tools/simulate/index.js';
import { measureIntentLeakage } from '../../src/tools/simulate/leakage.js';

describe('leakage-safe splits on a simulated world whose truth knows each query\'s intent', () => {
  let dir: string;
  let r: BuildResult;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-leak-'));
    // the demo's world: the default help-desk simulator, 20,000 sessions, seed 42
    const opts = parseSimulateOptions({ seed: 42, sessions: 20_000 });
    await simulateLog(buildHelpdeskWorld(opts), opts, join(dir, 'data'));
    r = await build({ input: { serps: [join(dir, 'data', 'serps.jsonl')], corpus: join(dir, 'data', 'corpus.jsonl') }, output: join(dir, 'out') });
  });

  // Issue 7 asks for < 5%. Measured 0.9% (1 of 106) here with splits.minTestClicks 2 (1.8% of 114 without; 3.9% before
  // splits.purgeKeepMovesTest; 12.5% before the best-positive links; 100% before the co-session, co-click and weak-link
  // rules). Over eight seeds: 2.4% pooled, 0-6.8% per world (bench/leakage.ts, docs/stages/families.md).
  it('test queries whose intent also occurs in training: under 5% by family, far more by a random row split', async () => {
    const m = await measureIntentLeakage(join(dir, 'out', 'dataset'), join(dir, 'data', 'truth', 'queries.jsonl'));
    expect(m.unknownTest).toBe(0);
    expect(m.testQueries).toBeGreaterThan(20);
    expect(m.share).toBeLessThan(0.05);
    // the same queries split at random by row, 80/20
    expect(m.randomRowSplit.share).toBeGreaterThan(0.5);
    console.log(`intent leakage: family split ${(100 * m.share).toFixed(1)}% of ${m.testQueries} test queries; random row split ${(100 * m.randomRowSplit.share).toFixed(1)}% of ${m.randomRowSplit.testQueries}`);
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
