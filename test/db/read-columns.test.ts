import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, readColumns, type DuckDBConnection } from '../../src/db/duckdb.js';

describe('readColumns', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb({ threads: 2 })));
  afterAll(() => close());

  it('returns numbers as Float64Arrays (NULL = NaN) and strings as arrays, across many chunks, in query order', async () => {
    const sql = `SELECT i::INTEGER AS i, i * 0.5::DOUBLE AS half, (i * 3)::BIGINT AS big, i % 2 = 0 AS even,
                        CASE WHEN i % 7 = 0 THEN NULL ELSE 'k' || (i // 1000) END AS s,
                        CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE END AS maybe
                 FROM range(5000) t(i) ORDER BY i`;
    const c = await readColumns(conn, sql);
    expect(c.rowCount).toBe(5000);
    expect(c.names).toEqual(['i', 'half', 'big', 'even', 's', 'maybe']);
    const rows = await queryRows<{ i: number; half: number; big: number; even: boolean; s: string | null; maybe: number | null }>(conn, sql);
    const [i, half, big, even, maybe] = [c.num('i'), c.num('half'), c.num('big'), c.num('even'), c.num('maybe')];
    const s = c.str('s');
    expect(i).toBeInstanceOf(Float64Array);
    expect(i.length).toBe(5000);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      expect([i[k], half[k], big[k], even[k], s[k]]).toEqual([r.i, Number(r.half), r.big, r.even ? 1 : 0, r.s]);
      if (r.maybe === null) expect(maybe[k]).toBeNaN();
      else expect(maybe[k]).toBe(r.maybe);
    }
    // a run of equal strings is one string value
    expect(s[1]).toBe('k0');
    expect(s[1] === s[2]).toBe(true);
  });

  it('handles an empty result', async () => {
    const c = await readColumns(conn, 'SELECT 1::DOUBLE AS x, \'a\' AS y WHERE false');
    expect(c.rowCount).toBe(0);
    expect(c.num('x').length).toBe(0);
    expect(c.str('y')).toEqual([]);
  });

  it('says what to cast, and which column is missing or of the other kind', async () => {
    await expect(readColumns(conn, 'SELECT [1, 2] AS l')).rejects.toThrow(/column "l" has type LIST; cast it to DOUBLE or VARCHAR/);
    const c = await readColumns(conn, "SELECT 1 AS n, 'a' AS t");
    expect(() => c.num('nope')).toThrow(/no column "nope".*columns: n, t/);
    expect(() => c.num('t')).toThrow(/"t" is a string column; use str\(\)/);
    expect(() => c.str('n')).toThrow(/"n" is numeric; use num\(\)/);
  });
});
