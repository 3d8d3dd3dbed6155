import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../../src/tools/simulate/index.js';

interface Hard { stage: string; negatives: number; surface: { meanRelative: number | null; meanGap: number | null }; trained: { meanGap: number | null } }

describe('build --curriculum on a small simulated help-desk world', () => {
  let r: BuildResult;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-cur-'));
    const opts = parseSimulateOptions({ seed: 5, sessions: 2500, world: { intents: 60 } });
    await simulateLog(buildHelpdeskWorld(opts), opts, join(dir, 'data'));
    r = await build({ input: { serps: [join(dir, 'data', 'serps.jsonl')], corpus: join(dir, 'data', 'corpus.jsonl') }, output: join(dir, 'out'), curriculum: { enabled: true, epochs: 1 } });
  });

  it('writes a dataset per stage: pairs only for in-batch negatives, n-tuples from stage 2 on', () => {
    const st = (stage: string, file: string) => existsSync(join(dir, 'out', 'dataset', 'curriculum', stage, 'sentence-transformers', file));
    for (const stage of ['stage-1-in-batch', 'stage-2-lexical', 'stage-3-dense']) expect(st(stage, 'train.pairs.jsonl'), stage).toBe(true);
    expect(st('stage-1-in-batch', 'train.jsonl')).toBe(false);
    for (const stage of ['stage-2-lexical', 'stage-3-dense']) expect(st(stage, 'train.jsonl'), stage).toBe(true);
  });

  it('lexical and dense negatives are harder than in-batch ones under the surface ruler', () => {
    const h = (r.report.sections.curriculum as { hardness: Hard[] }).hardness;
    const by = Object.fromEntries(h.map((x) => [x.stage, x.surface.meanRelative ?? NaN]));
    expect(h.find((x) => x.stage === 'stage-2-lexical')!.negatives).toBeGreaterThan(0);
    expect(by['stage-2-lexical']).toBeGreaterThan(by['stage-1-in-batch']! * 1.2);
    expect(by['stage-3-dense']).toBeGreaterThan(by['stage-1-in-batch']! * 1.2);
  });

  it('BM25 and dense negatives are closer to the positive than random corpus documents under both rulers', () => {
    const h = (r.report.sections.curriculum as { hardness: Hard[] }).hardness;
    const row = (stage: string) => h.find((x) => x.stage.startsWith(stage))!;
    const random = row('random');
    expect(random.negatives).toBe(row('stage-2-lexical').negatives);
    for (const stage of ['stage-2-lexical', 'stage-3-dense']) {
      expect(row(stage).surface.meanGap!, stage).toBeGreaterThan(random.surface.meanGap! + 0.05);
      expect(row(stage).trained.meanGap!, stage).toBeGreaterThan(random.trained.meanGap! + 0.05);
    }
    expect(readFileSync(join(dir, 'out', 'report.md'), 'utf8')).toMatch(/\| random \(reference, not exported\) \| [\d,]+ \| -?\d\.\d{3} \| -?\d\.\d{3} \|/);
  });
});
