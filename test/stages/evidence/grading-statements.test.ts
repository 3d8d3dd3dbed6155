import { describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { curveOf } from '../../../src/stages/evidence/grading-statements.js';

describe('curveOf: the literal type a job assumes is the one DuckDB gives', () => {
  it.each([
    [[1, 0.5, 0.25, 0.125]],
    [[1, 1, 1]],
    [[1, 0.6, 1e-7]],
    [[0.123456789012345, 0.98765432109876]],
    [[0.9, 0.8, 0.7, 0.000123]],
    [[1, Number.NaN, -1, 2]],
  ])('%j', async (exam) => {
    const curve = curveOf(exam);
    const { conn, close } = await openDb({ threads: 1 });
    try {
      const values = curve.literals.map((p, i) => `(${i + 1}, ${p})`).join(', ');
      const [row] = await queryRows<{ t: string }>(conn, `SELECT typeof(p) AS t FROM (VALUES ${values}) t(rank, p) LIMIT 1`);
      expect(curve.decimal).toBe(row!.t.startsWith('DECIMAL'));
      if (curve.decimal) expect(row!.t).toMatch(new RegExp(`,${curve.scale}\\)$`));
    } finally {
      close();
    }
  });
});
