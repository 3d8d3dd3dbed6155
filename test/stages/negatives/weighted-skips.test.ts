import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { createBehaviouralMiner, loadWeightedSkips } from '../../../src/stages/negatives/behavioural-miner.js';
import { createMiningContext, mineNegatives } from '../../../src/stages/negatives/mine.js';
import { negativeOptions } from '../../../src/stages/negatives/options.js';
import type { MineQuery } from '../../../src/stages/negatives/types.js';
import { doc, ev, multi } from './fixtures.js';
import { LOG, SES } from '../sessions/fixture.js';

const O = negativeOptions.parse({});
const qn = 'reset okta token';
const docs = [doc('pos', 'reset okta token'), doc('top', 'okta admin console'), doc('deep', 'okta token expiry'), doc('other', 'parking')];
const q: MineQuery = { query: qn, query_norm: qn, exclude: new Set([0]) };
// 'deep' was skipped 3 times, always at rank 9; 'top' once, at rank 1.
const evidence = [ev(qn, 'pos', { clicks: 5, grade: 3 }), ev(qn, 'deep', { skip_above: 3 }), ev(qn, 'top', { skip_above: 1 })];
const propensity = [0, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1];

describe('examination-weighted skip-above', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => {
    ({ conn, close } = await openDb({ threads: 1 }));
    await conn.run(`
      CREATE TABLE serp_facts (serp_id VARCHAR, query_norm VARCHAR, ts BIGINT);
      CREATE TABLE impressions (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER);
      CREATE TABLE clicks (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER, ts BIGINT);
      -- s1: top at rank 1 skipped, click at rank 2
      INSERT INTO serp_facts VALUES ('s1', '${qn}', 100), ('s2', '${qn}', 200), ('s3', '${qn}', 300), ('s4', '${qn}', 400);
      INSERT INTO impressions VALUES ('s1', 'top', 1), ('s1', 'pos', 2), ('s1', 'deep', 3);
      INSERT INTO clicks VALUES ('s1', 'pos', 2, 110);
      -- s2, s3: deep at rank 9 skipped, click at rank 10
      INSERT INTO impressions VALUES ('s2', 'deep', 9), ('s2', 'pos', 10), ('s3', 'deep', 9), ('s3', 'pos', 10);
      INSERT INTO clicks VALUES ('s2', 'pos', 10, 210), ('s3', 'pos', 10, NULL);
      -- s4: deep at rank 12 (past the propensity list: takes its last value), top clicked (not a skip)
      INSERT INTO impressions VALUES ('s4', 'top', 1), ('s4', 'deep', 12), ('s4', 'pos', 13);
      INSERT INTO clicks VALUES ('s4', 'top', 1, 410), ('s4', 'pos', 13, 420);
    `);
  });
  afterAll(() => close());

  it('sums the examination of the skipped ranks, from the canonical tables', async () => {
    const w = await loadWeightedSkips(conn, { ...LOG, serpFacts: SES.serpFacts }, propensity);
    expect([...w.keys()]).toEqual([`${qn}\tdeep`, `${qn}\ttop`]);
    expect(w.get(`${qn}\ttop`)).toBeCloseTo(1, 12);
    expect(w.get(`${qn}\tdeep`)).toBeCloseTo(0.1 + 0.1 + 0.1, 12);
  });

  it('keeps only pages and clicks up to beforeTs (chronological pre-cutoff view)', async () => {
    const w = await loadWeightedSkips(conn, { ...LOG, serpFacts: SES.serpFacts }, propensity, { beforeTs: 250 });
    // s1 and s2 only; s3's click has no time but its page is after the cutoff
    expect(w.get(`${qn}\tdeep`)).toBeCloseTo(0.1, 12);
    expect(w.get(`${qn}\ttop`)).toBeCloseTo(1, 12);
  });

  it('counts every skip as 1 without a usable propensity', async () => {
    const w = await loadWeightedSkips(conn, { ...LOG, serpFacts: SES.serpFacts }, []);
    expect(w.get(`${qn}\tdeep`)).toBe(3);
    expect(w.get(`${qn}\ttop`)).toBe(1);
  });

  it('a skip at rank 1 outweighs three at rank 9 in the miner; raw counts order them the other way', async () => {
    const weightedSkips = await loadWeightedSkips(conn, { ...LOG, serpFacts: SES.serpFacts }, propensity);
    const ctx = createMiningContext({ positives: [], evidence, docs }, 1);
    const [raw] = await createBehaviouralMiner(O.behavioural).mine([q], ctx);
    expect(raw!.map((c) => docs[c.doc]!.doc_id)).toEqual(['deep', 'top']);
    const [wc] = await createBehaviouralMiner(O.behavioural, { weightedSkips }).mine([q], ctx);
    expect(wc!.map((c) => docs[c.doc]!.doc_id)).toEqual(['top', 'deep']);
    expect(wc!.map((c) => c.minerScore)).toEqual([expect.closeTo(1, 12), expect.closeTo(0.3, 12)]);
    expect(wc!.every((c) => c.behaviour === 'skip_above')).toBe(true);
  });

  it('mineNegatives passes weightedSkips to the behavioural miner', async () => {
    const weightedSkips = new Map([[`${qn}\tdeep`, 0.3], [`${qn}\ttop`, 1]]);
    const input = { positives: [multi(qn, [{ doc_id: 'pos', text: 'reset okta token' }])], evidence, docs };
    const opts = { miners: ['behavioural' as const], perRecord: 1, seed: 1 };
    const a = await mineNegatives(input, opts);
    const b = await mineNegatives({ ...input, weightedSkips }, opts);
    expect(a.records[0]!.negatives.map((n) => n.doc_id)).toEqual(['deep']);
    expect(b.records[0]!.negatives.map((n) => n.doc_id)).toEqual(['top']);
  });
});

describe('examination-weighted skip-above sums', () => {
  it('are exact: two docs skipped at the same ranks, in opposite page order, weigh the same (0.1 + 0.2 + 0.3 in either order)', async () => {
    const { conn, close } = await openDb({ threads: 1 });
    try {
      const pages = [1, 2, 3].flatMap((r) => [`('a${r}', 'tie', ${r})`, `('b${r}', 'tie', ${4 - r})`]);
      await conn.run(`
        CREATE TABLE serp_facts (serp_id VARCHAR, query_norm VARCHAR, ts BIGINT);
        CREATE TABLE impressions (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER);
        CREATE TABLE clicks (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER, ts BIGINT);
        INSERT INTO serp_facts SELECT p, 'tie', 1 FROM (VALUES ('a1'), ('a2'), ('a3'), ('b1'), ('b2'), ('b3')) t(p);
        CREATE TEMP TABLE skipped (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER);
        INSERT INTO skipped VALUES ${pages.join(', ')};
        INSERT INTO impressions SELECT serp_id, CASE WHEN serp_id LIKE 'a%' THEN 'a' ELSE 'b' END, rank FROM skipped;
        INSERT INTO impressions SELECT serp_id, 'pos', 4 FROM skipped;
        INSERT INTO clicks SELECT serp_id, 'pos', 4, 2 FROM skipped;
      `);
      const w = await loadWeightedSkips(conn, { ...LOG, serpFacts: SES.serpFacts }, [0, 0.1, 0.2, 0.3, 1]);
      expect(w.get('tie\ta')).toBe(0.6);
      expect(w.get('tie\tb')).toBe(0.6);
    } finally {
      close();
    }
  });
});
