import { queryNumber } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { type Ctx, reasonCounts, rq, toQuarantine } from './common.js';
import { Fields } from './sql.js';

export const LABEL_FIELDS = ['query', 'doc_id', 'grade', 'source'] as const;

/** Label rows (staged in `stg`) -> labels. Repeated (query, doc_id) pairs are kept: several judges may grade one pair. */
export async function loadLabels(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, rowsRead: number): Promise<StageStats> {
  const { conn } = ctx;
  const F = new Fields('labels', LABEL_FIELDS, mapping);
  const v = (n: (typeof LABEL_FIELDS)[number]) => F.v(n);
  const L = (n: (typeof LABEL_FIELDS)[number]) => F.label(n);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_l1 AS
WITH a AS (
  SELECT fidx, file, line, raw, pre_reason, pre_detail, x,
    cf_str(${v('query')}) AS query, cf_str(${v('doc_id')}) AS doc_id, cf_str(${v('grade')}) AS grade_s,
    cf_num(cf_str(${v('grade')})) AS grade, cf_str(${v('source')}) AS source
  FROM (SELECT *, CASE WHEN pre_reason IS NULL THEN ${F.extract('raw')} END AS x FROM ${stg}))
SELECT * EXCLUDE (x), CASE
  WHEN pre_reason IS NOT NULL THEN {'r': pre_reason, 'd': pre_detail}
  WHEN cf_isnull(${v('query')}) OR query = '' THEN ${rq('missing_field', `'${L('query')} is missing'`)}
  WHEN cf_isnull(${v('doc_id')}) OR doc_id = '' THEN ${rq('missing_field', `'${L('doc_id')} is missing'`)}
  WHEN NOT cf_idok(${v('doc_id')}) THEN ${rq('bad_type', `'${L('doc_id')} must be a string or an integer'`)}
  WHEN cf_isnull(${v('grade')}) THEN ${rq('missing_field', `'${L('grade')} is missing'`)}
  WHEN grade IS NULL THEN ${rq('bad_grade', `'${L('grade')} "' || grade_s || '" is not a finite number'`)}
END AS q
FROM a`);
  await conn.run(`INSERT INTO labels SELECT query, doc_id, grade, source, file, line FROM _cf_l1 WHERE q IS NULL ORDER BY fidx, line`);
  await toQuarantine(conn, '_cf_l1', 'labels');
  const dropped = await reasonCounts(conn, '_cf_l1');
  const out = await queryNumber(conn, `SELECT count(*) FROM _cf_l1 WHERE q IS NULL`);
  await conn.run(`DROP TABLE _cf_l1`);
  return { stage: 'ingest:labels', in: { rows: rowsRead }, out: { rows: out }, dropped };
}
