import { describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { readEvidence } from '../../../src/stages/evidence/evidence.js';
import { EV } from '../sessions/fixture.js';

/** readEvidence orders in JS by dictionary ranks: it must give SQL's ORDER BY query_norm, doc_id, and the same values. */
describe('readEvidence order and values', () => {
  it('matches ORDER BY query_norm, doc_id over awkward strings, NULLs and signal lists, with and without a filter', async () => {
    const db = await openDb({ threads: 2 });
    try {
      const qs = ['b', 'B', 'a', 'ä', 'a b', 'ab', '', 'z', 'Ω', 'a\tb'];
      const docs = ['d10', 'd9', 'D1', 'é', 'd1 ', 'x'];
      await db.conn.run(`CREATE TABLE evidence AS SELECT * FROM (
        SELECT q AS query_norm, CASE WHEN i % 3 = 0 THEN NULL ELSE upper(q) END AS query, d AS doc_id,
          (i % 5)::BIGINT AS impressions, (i % 2)::BIGINT AS clicks, 1::BIGINT AS satisfied, 0::BIGINT AS converted, 0::BIGINT AS success_last,
          0::BIGINT AS short_dwell, 0::BIGINT AS pogo, 0::BIGINT AS unknown_dwell, (i % 4 = 0)::BIGINT AS skip_above, 2::BIGINT AS serps, 1::BIGINT AS users,
          CASE WHEN i % 7 = 0 THEN NULL ELSE 1700000000000 + i END AS first_ts, 1700000000000 + 2 * i AS last_ts, (i % 4)::INTEGER AS grade, i / 10.0 AS weight,
          CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN []::VARCHAR[] WHEN 2 THEN ['satisfied'] ELSE ['converted', 'satisfied'] END AS signals
        FROM (SELECT unnest(${JSON.stringify(qs).replace(/"/g, "'")}::VARCHAR[]) AS q) a, (SELECT unnest(${JSON.stringify(docs).replace(/"/g, "'")}::VARCHAR[]) AS d) b,
          LATERAL (SELECT (hash(q || d) % 1000)::INTEGER AS i)
        UNION ALL SELECT NULL, 'x', 'd1', 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, NULL, NULL, 0, 0, NULL)
        ORDER BY hash(query_norm, doc_id)`);
      for (const where of ['true', '(clicks > 0 OR skip_above > 0 OR impressions >= 3)']) {
        const got = await readEvidence(db.conn, EV.evidence, where);
        const want = await queryRows<Record<string, unknown>>(db.conn, `SELECT query_norm, query, doc_id, impressions, clicks, satisfied, converted, success_last, short_dwell,
            pogo, unknown_dwell, skip_above, serps, users, first_ts, last_ts, grade, weight, coalesce(signals, []) AS signals FROM evidence WHERE ${where} ORDER BY query_norm, doc_id`);
        expect(want.length).toBeGreaterThan(20);
        expect(got.map(({ kind: _k, ...r }) => ({ ...r, signals: [...r.signals] }))).toEqual(want);
      }
      // no dictionary tables are left behind
      expect(await queryRows(db.conn, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_re\\_%' ESCAPE '\\'`)).toEqual([]);
    } finally { db.close(); }
  });
});
