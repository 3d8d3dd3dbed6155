import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/db/duckdb.js';
import { parseConfig } from '../../../src/config.js';
import { ingest } from '../../../src/stages/ingest/ingest.js';
import { biasOptions, clickCountsFromDb, estimatePropensities, type PropensityResult } from '../../../src/stages/bias/index.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../../src/tools/simulate/index.js';
import { LOG } from '../sessions/fixture.js';

// A small seeded help-desk world with concentrated traffic (few intents, many sessions), so each
// (query, document) pair is seen at several ranks: the regime where PBM-EM is identified.
describe('estimated examination curve vs the simulator truth', () => {
  let dir: string;
  let res: PropensityResult;
  let truth: number[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-bias-sim-'));
    const sim = parseSimulateOptions({ seed: 11, sessions: 6000, world: { intents: 25 }, ranker: { noise: 0.4 } });
    await simulateLog(buildHelpdeskWorld(sim), sim, dir);
    truth = (JSON.parse(readFileSync(join(dir, 'truth', 'examination.json'), 'utf8')) as { curve: number[] }).curve;
    const { conn, close } = await openDb({ threads: 1 });
    try {
      const cfg = parseConfig({ input: { serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl') } });
      await ingest(conn, cfg.input);
      const o = biasOptions.parse({ ciSamples: 0 });
      const { counts } = await clickCountsFromDb(conn, LOG, { maxRank: o.maxRank, holdoutShare: o.holdoutShare, seed: o.seed });
      res = estimatePropensities(counts, o);
    } finally {
      close();
    }
  }, 120_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('auto picks PBM-EM (no randomised pages) and lands within 0.05 of the true curve at every rank', () => {
    expect(res.estimator).toBe('pbm-em');
    expect(res.relative.length).toBe(truth.length);
    const worst = Math.max(...res.relative.map((v, r) => Math.abs(v - (truth[r] as number))));
    expect(worst, `estimated ${res.relative.map((v) => v.toFixed(3)).join(' ')} vs truth ${truth.map((v) => v.toFixed(3)).join(' ')}`).toBeLessThan(0.05);
  });
});
