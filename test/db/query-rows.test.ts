import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type DuckDBConnection } from '../../src/db/duckdb.js';

/** What queryRows returned before it read scalar columns from the chunk vectors. */
async function rowObjects(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

describe('queryRows', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb({ threads: 2 })));
  afterAll(() => close());

  it('reads scalar columns across many chunks as the row objects of getRowObjectsJS, NULLs and column order included', async () => {
    const sql = `SELECT i::INTEGER AS i, (i * 3)::BIGINT AS big, i::UBIGINT AS ubig, (i % 100)::TINYINT AS tiny, i * 0.5::DOUBLE AS half, (i / 3)::FLOAT AS f,
                        i % 2 = 0 AS even, CASE WHEN i % 7 = 0 THEN NULL ELSE 'q ' || (i // 10) END AS s, CASE WHEN i % 5 = 0 THEN NULL ELSE i END AS maybe
                 FROM range(5000) t(i) ORDER BY i`;
    const rows = await queryRows(conn, sql);
    expect(rows).toHaveLength(5000);
    expect(rows).toEqual(await rowObjects(conn, sql));
    expect(Object.keys(rows[0]!)).toEqual(['i', 'big', 'ubig', 'tiny', 'half', 'f', 'even', 's', 'maybe']);
    expect(rows[7]).toMatchObject({ i: 7, big: 21, even: false, s: null, maybe: 7 });
  });

  it('reads other column types (lists, structs, timestamps, decimals) as getRowObjectsJS does', async () => {
    const sql = `SELECT i AS i, [i, i + 1] AS l, {'a': i, 'b': 'x' || i} AS st, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, (i / 4)::DECIMAL(10, 2) AS dec
                 FROM range(3000) t(i) ORDER BY i`;
    const rows = await queryRows(conn, sql);
    expect(rows).toHaveLength(3000);
    expect(rows).toEqual(await rowObjects(conn, sql));
  });

  it('returns no rows for an empty result', async () => {
    expect(await queryRows(conn, 'SELECT 1 AS a WHERE false')).toEqual([]);
  });
});
