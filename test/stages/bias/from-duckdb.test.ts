import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { CANONICAL_DDL } from '../../../src/types.js';
import { clickCountsFromDb } from '../../../src/stages/bias/from-duckdb.js';
import { LOG } from '../sessions/fixture.js';

let db: Awaited<ReturnType<typeof openDb>>;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await openDb({ threads: 1 });
  conn = db.conn;
  await conn.run(CANONICAL_DDL);
  await conn.run(`
INSERT INTO serps VALUES
  ('s1', NULL, 'u1', 0, 'Reset Okta token', NULL, 'f', 1),
  ('s2', NULL, 'u2', 0, 'reset okta token ', NULL, 'f', 2),
  ('s3', NULL, 'u3', 0, 'vpn', NULL, 'f', 3),
  ('rand-1', NULL, 'u4', 0, 'vpn', NULL, 'f', 4);
INSERT INTO impressions VALUES
  ('s1','A',1),('s1','B',2),('s1','C',11),
  ('s2','B',1),('s2','A',2),
  ('s3','V',1),
  ('rand-1','W',1),('rand-1','V',2);
INSERT INTO clicks VALUES
  (1,'s1','A',1,NULL,NULL,'f',5),(2,'s1','A',1,NULL,NULL,'f',6),
  (3,'s2','A',2,NULL,NULL,'f',7),
  (4,'rand-1','V',2,NULL,NULL,'f',8);`);
});
afterAll(() => db.close());

describe('clickCountsFromDb', () => {
  it('aggregates (normalised query, doc, rank) to impressions and binary clicks', async () => {
    const { counts, stats } = await clickCountsFromDb(conn, LOG, { maxRank: 10, holdoutShare: 0, seed: 1, randomizedWhere: "s.serp_id LIKE 'rand-%'" });
    expect(counts.queries).toEqual(['reset okta token', 'vpn']);
    const cells = new Map<string, [number, number]>();
    for (let i = 0; i < counts.train.length; i++) {
      const p = counts.train.pair[i]!;
      cells.set(`${counts.queries[counts.pairQuery[p]!]}|${counts.docIds[counts.pairDoc[p]!]}|${counts.train.rank[i]! + 1}`, [counts.train.impressions[i]!, counts.train.clicks[i]!]);
    }
    expect(Object.fromEntries(cells)).toEqual({
      'reset okta token|A|1': [1, 1], // two clicks on one result count once
      'reset okta token|A|2': [1, 1],
      'reset okta token|B|1': [1, 0],
      'reset okta token|B|2': [1, 0],
      'vpn|V|1': [1, 0],
    });
    expect(counts.train.pages).toBe(3);
    expect(counts.randomized.pages).toBe(1);
    const clickedRanks = Array.from(counts.randomized.clicks).flatMap((c, i) => (c > 0 ? [counts.randomized.rank[i]! + 1] : []));
    expect(clickedRanks).toEqual([2]);
    expect(stats.dropped).toEqual({ rank_beyond_max: 1 });
    expect(stats.notes!.join(' ')).toMatch(/raise maxRank/);
  });

  it('splits a seeded share of pages into the holdout fold, the same way every time', async () => {
    const a = await clickCountsFromDb(conn, LOG, { maxRank: 10, holdoutShare: 0.5, seed: 3 });
    const b = await clickCountsFromDb(conn, LOG, { maxRank: 10, holdoutShare: 0.5, seed: 3 });
    expect(a.counts.train.pages + a.counts.holdout.pages).toBe(4);
    expect(a.counts.holdout.pages).toBe(b.counts.holdout.pages);
    expect(Array.from(a.counts.holdout.impressions)).toEqual(Array.from(b.counts.holdout.impressions));
    const all = await clickCountsFromDb(conn, LOG, { maxRank: 10, holdoutShare: 0.999999, seed: 3 });
    expect(all.counts.train.pages).toBe(0);
  });
});
