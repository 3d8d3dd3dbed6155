import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryNumber, queryRows } from '../../../src/db/duckdb.js';
import { parseConfig } from '../../../src/config.js';
import { ingest } from '../../../src/stages/ingest/ingest.js';
import { RANDOMIZED_WHERE } from '../../../src/stages/ingest/serps.js';
import { biasOptions, clickCountsFromDb, estimatePropensities } from '../../../src/stages/bias/index.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../../src/tools/simulate/index.js';
import { LOG } from '../sessions/fixture.js';

describe('randomised pages: simulator marks them, ingest keeps the mark, the bias stage uses them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-bias-rand-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('marks exactly the shuffled pages and auto picks the randomized estimator from them', async () => {
    const sim = parseSimulateOptions({ seed: 3, sessions: 3000, world: { intents: 40 }, ranker: { shuffleRate: 0.5 } });
    const out = join(dir, 'sim');
    await simulateLog(buildHelpdeskWorld(sim), sim, out);
    const lines = (await readFile(join(out, 'serps.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { randomized?: boolean });
    const marked = lines.filter((l) => l.randomized === true).length;
    expect(lines.every((l) => l.randomized === undefined || l.randomized === true)).toBe(true);
    expect(marked / lines.length).toBeGreaterThan(0.4);
    expect(marked / lines.length).toBeLessThan(0.6);
    const truth = (JSON.parse(await readFile(join(out, 'truth', 'examination.json'), 'utf8')) as { curve: number[] }).curve;

    const { conn, close } = await openDb({ threads: 1 });
    try {
      const cfg = parseConfig({ input: { serps: [join(out, 'serps.jsonl')], corpus: join(out, 'corpus.jsonl') } });
      await ingest(conn, cfg.input);
      expect(await queryNumber(conn, 'SELECT count(*) FROM serp_randomized')).toBe(marked);
      const o = biasOptions.parse({ ciSamples: 0, minRandomizedPages: 500 });
      const { counts } = await clickCountsFromDb(conn, LOG, { maxRank: o.maxRank, holdoutShare: o.holdoutShare, seed: o.seed, randomizedWhere: RANDOMIZED_WHERE });
      expect(counts.randomized.pages).toBe(marked);
      const res = estimatePropensities(counts, o);
      expect(res.estimator).toBe('randomized');
      // ~1,900 shuffled pages: CTR ratios are noisy at deep ranks, 0.1 is about 3 standard errors.
      res.relative.forEach((v, r) => expect(Math.abs(v - truth[r]!), `rank ${r + 1}: ${v} vs ${truth[r]}`).toBeLessThan(0.1));
    } finally {
      close();
    }
  }, 60_000);

  it('quarantines a randomized value that is not a boolean, naming the file and line', async () => {
    const serps = join(dir, 'bad.jsonl');
    await writeFile(serps, [
      '{"serp_id":"a","ts":1700000000,"query":"q","results":["d1","d2"],"randomized":true}',
      '{"serp_id":"b","ts":1700000001,"query":"q","results":["d2","d1"],"randomized":"sometimes"}',
      '{"serp_id":"c","ts":1700000002,"query":"q","results":["d1","d2"]}',
    ].join('\n'));
    const corpus = join(dir, 'corpus.jsonl');
    await writeFile(corpus, '{"doc_id":"d1","text":"one"}\n{"doc_id":"d2","text":"two"}\n');
    const { conn, close } = await openDb({ threads: 1 });
    try {
      const cfg = parseConfig({ input: { serps: [serps], corpus } });
      await ingest(conn, cfg.input);
      expect(await queryRows(conn, 'SELECT serp_id FROM serp_randomized')).toEqual([{ serp_id: 'a' }]);
      const q = await queryRows<{ line: number; reason: string; detail: string }>(conn, "SELECT line::INTEGER AS line, reason, detail FROM quarantine WHERE input = 'serps'");
      expect(q).toHaveLength(1);
      expect(q[0]!.line).toBe(2);
      expect(q[0]!.reason).toBe('bad_type');
      expect(q[0]!.detail).toMatch(/randomized/);
    } finally {
      close();
    }
  });
});
