import { queryNumber } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { add, type Ctx, reasonCounts, rq, toQuarantine } from './common.js';
import { Fields } from './sql.js';

export const SERP_FIELDS = ['serp_id', 'session_id', 'user_id', 'ts', 'query', 'results', 'clicks', 'conversions', 'session_success'] as const;

/**
 * SERP records (staged in `stg`) -> serps, impressions, clicks, conversions. Row problems
 * quarantine the record; click/conversion problems quarantine only that click/conversion.
 */
export async function loadSerps(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, rowsRead: number): Promise<{ stats: StageStats; fixed: Record<string, number> }> {
  const { conn, tsFmt } = ctx;
  const F = new Fields('serps', SERP_FIELDS, mapping);
  const v = (n: (typeof SERP_FIELDS)[number]) => F.v(n);
  const L = (n: (typeof SERP_FIELDS)[number]) => F.label(n);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_s2 AS
WITH a AS (
  SELECT fidx, file, line, raw, pre_reason, pre_detail, x,
    cf_str(${v('serp_id')}) AS serp_id, cf_str(${v('session_id')}) AS session_id, cf_str(${v('user_id')}) AS user_id,
    cf_str(${v('ts')}) AS ts_s, cf_ts(cf_str(${v('ts')}), ${tsFmt}) AS ts, cf_str(${v('query')}) AS query,
    CASE WHEN json_type(${v('results')}) = 'ARRAY' THEN TRY_CAST(${v('results')} AS VARCHAR[])
         WHEN json_type(${v('results')}) = 'VARCHAR' THEN
           CASE WHEN starts_with(ltrim(cf_str(${v('results')})), '[') THEN TRY_CAST(cf_arr(${v('results')}) AS VARCHAR[])
                WHEN trim(cf_str(${v('results')})) = '' THEN []::VARCHAR[]
                ELSE string_split(cf_str(${v('results')}), '|') END END AS results,
    cf_arr(${v('clicks')}) AS clicks_j, cf_arr(${v('conversions')}) AS conv_j, cf_bool(${v('session_success')}) AS success
  FROM (SELECT *, CASE WHEN pre_reason IS NULL THEN ${F.extract('raw')} END AS x FROM ${stg})
)
SELECT * EXCLUDE (x), md5(x::VARCHAR) AS h, CASE
  WHEN pre_reason IS NOT NULL THEN {'r': pre_reason, 'd': pre_detail}
  WHEN cf_isnull(${v('serp_id')}) OR serp_id = '' THEN ${rq('missing_field', `'${L('serp_id')} is missing: every SERP record needs a unique serp_id'`)}
  WHEN NOT cf_idok(${v('serp_id')}) THEN ${rq('bad_type', `'${L('serp_id')} must be a string or an integer'`)}
  WHEN cf_isnull(${v('query')}) THEN ${rq('missing_field', `'${L('query')} is missing'`)}
  WHEN json_type(${v('query')}) <> 'VARCHAR' THEN ${rq('bad_type', `'${L('query')} must be a string'`)}
  WHEN cf_isnull(${v('ts')}) THEN ${rq('missing_field', `'${L('ts')} is missing: give an ISO 8601 time or epoch seconds/milliseconds'`)}
  WHEN ts IS NULL THEN ${rq('bad_timestamp', `'${L('ts')} value "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds' || CASE WHEN ${tsFmt} <> 'auto' THEN ' (input.timestamps is ' || ${tsFmt} || ')' ELSE '' END`)}
  WHEN cf_isnull(${v('results')}) THEN ${rq('missing_field', `'${L('results')} is missing: the shown doc ids in rank order'`)}
  WHEN results IS NULL THEN ${rq('bad_type', `'${L('results')} must be an array of doc ids (in CSV: JSON text such as ["d1","d2"] or d1|d2)'`)}
  WHEN NOT cf_isnull(${v('clicks')}) AND clicks_j IS NULL THEN ${rq('bad_type', `'${L('clicks')} must be an array of {doc_id, ts?, dwell_ms?, rank?} (in CSV: JSON text)'`)}
  WHEN NOT cf_isnull(${v('conversions')}) AND conv_j IS NULL THEN ${rq('bad_type', `'${L('conversions')} must be an array of {doc_id, ts, kind, value?} (in CSV: JSON text)'`)}
  WHEN NOT cf_isnull(${v('session_success')}) AND success IS NULL THEN ${rq('bad_type', `'${L('session_success')} must be true or false'`)}
  WHEN NOT cf_isnull(${v('session_id')}) AND NOT cf_scalar(${v('session_id')}) THEN ${rq('bad_type', `'${L('session_id')} must be a string'`)}
  WHEN NOT cf_isnull(${v('user_id')}) AND NOT cf_scalar(${v('user_id')}) THEN ${rq('bad_type', `'${L('user_id')} must be a string'`)}
END AS q0
FROM a`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_s3 AS
SELECT * EXCLUDE (q0, rn, h1, l1, f1), CASE WHEN q0 IS NOT NULL THEN q0
  WHEN rn > 1 AND h = h1 THEN ${rq('duplicate_event', `'identical to the SERP record at ' || f1 || ':' || l1 || ' (kept once)'`)}
  WHEN rn > 1 THEN ${rq('duplicate_serp_id', `'serp_id "' || serp_id || '" is already used by ' || f1 || ':' || l1 || ' with different content: serp ids must be unique'`)}
END AS q
FROM (SELECT *, row_number() OVER w AS rn, first_value(h) OVER w AS h1, first_value(line) OVER w AS l1, first_value(file) OVER w AS f1
      FROM _cf_s2 WINDOW w AS (PARTITION BY (q0 IS NULL), serp_id ORDER BY fidx, line))`);
  await conn.run(`DROP TABLE _cf_s2`);
  await conn.run(`INSERT INTO serps SELECT serp_id, session_id, user_id, ts, query, success, file, line FROM _cf_s3 WHERE q IS NULL ORDER BY fidx, line`);
  await toQuarantine(conn, '_cf_s3', 'serps');
  let dropped = await reasonCounts(conn, '_cf_s3');
  const serpsOut = await queryNumber(conn, `SELECT count(*) FROM _cf_s3 WHERE q IS NULL`);

  // impressions
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_imp AS
SELECT fidx, file, line, serp_id, doc_id, rank, CASE WHEN doc_id IS NULL OR trim(doc_id) = '' THEN ${rq('bad_result_item', `'result #' || rank || ' of serp "' || serp_id || '" is empty or not a string: results must be doc id strings'`)} END AS q, coalesce(doc_id, 'null') AS raw
FROM (SELECT fidx, file, line, serp_id, unnest(results) AS doc_id, unnest(generate_series(1, len(results))) AS rank FROM _cf_s3 WHERE q IS NULL)`);
  await conn.run(`INSERT INTO impressions SELECT serp_id, doc_id, rank FROM _cf_imp WHERE q IS NULL ORDER BY fidx, line, rank`);
  await toQuarantine(conn, '_cf_imp', 'serps');
  dropped = add(dropped, await reasonCounts(conn, '_cf_imp', 'results.'));
  const resultsIn = await queryNumber(conn, `SELECT count(*) FROM _cf_imp`);
  const impOut = await queryNumber(conn, `SELECT count(*) FROM _cf_imp WHERE q IS NULL`);

  // clicks
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_c1 AS
WITH u AS (
  SELECT fidx, file, line, serp_id, unnest(l) AS c, unnest(generate_series(1, len(l))) AS ci
  FROM (SELECT fidx, file, line, serp_id, json_extract(clicks_j, '$[*]') AS l FROM _cf_s3 WHERE q IS NULL AND clicks_j IS NOT NULL)),
p AS (
  SELECT *, cf_str(y[1]) AS doc_id, cf_str(y[2]) AS ts_s, cf_ts(cf_str(y[2]), ${tsFmt}) AS ts, cf_str(y[3]) AS dwell_s, TRY_CAST(cf_str(y[3]) AS DOUBLE) AS dwell_d,
    cf_str(y[4]) AS rank_s, TRY_CAST(cf_str(y[4]) AS DOUBLE) AS rank_d
  FROM (SELECT *, json_extract(c, ['$.doc_id', '$.ts', '$.dwell_ms', '$.rank']) AS y FROM u)),
r AS (
  SELECT p.*, m.rank AS shown_rank FROM p LEFT JOIN (SELECT serp_id, doc_id, min(rank) AS rank FROM _cf_imp WHERE q IS NULL GROUP BY ALL) m
  ON p.serp_id = m.serp_id AND p.doc_id = m.doc_id)
SELECT *, CASE
  WHEN json_type(c) <> 'OBJECT' THEN ${rq('bad_type', `'click #' || ci || ' of serp "' || serp_id || '" is not an object {doc_id, ts?, dwell_ms?, rank?}'`)}
  WHEN cf_isnull(y[1]) THEN ${rq('missing_field', `'click #' || ci || ' of serp "' || serp_id || '" has no doc_id'`)}
  WHEN NOT cf_isnull(y[2]) AND ts IS NULL THEN ${rq('bad_timestamp', `'click #' || ci || ' of serp "' || serp_id || '": ts "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds'`)}
  WHEN NOT cf_isnull(y[3]) AND dwell_d IS NULL THEN ${rq('bad_type', `'click #' || ci || ' of serp "' || serp_id || '": dwell_ms "' || dwell_s || '" is not a number'`)}
  WHEN dwell_d < 0 THEN ${rq('negative_dwell', `'click #' || ci || ' of serp "' || serp_id || '": dwell_ms ' || dwell_s || ' is negative: fix the dwell computation or leave dwell_ms out'`)}
  WHEN shown_rank IS NULL THEN ${rq('click_not_shown', `'click #' || ci || ' of serp "' || serp_id || '" is on "' || doc_id || '", which is not in that serp''s results'`)}
END AS q0
FROM r`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_c2 AS
SELECT * EXCLUDE (q0, rn), c::VARCHAR AS raw, CASE WHEN q0 IS NOT NULL THEN q0
  WHEN rn > 1 THEN ${rq('duplicate_event', `'click #' || ci || ' of serp "' || serp_id || '" repeats an identical click (kept once)'`)} END AS q
FROM (SELECT *, row_number() OVER (PARTITION BY (q0 IS NULL), serp_id, doc_id, ts, dwell_s, rank_s ORDER BY fidx, line, ci) AS rn FROM _cf_c1)`);
  await conn.run(`DROP TABLE _cf_c1`);
  const base = await queryNumber(conn, `SELECT coalesce(max(click_id), 0) FROM clicks`);
  await conn.run(`INSERT INTO clicks SELECT ${base} + row_number() OVER (ORDER BY fidx, line, ci), serp_id, doc_id, shown_rank, ts,
      CASE WHEN dwell_d > ${ctx.maxDwellMs} THEN NULL ELSE CAST(round(dwell_d) AS BIGINT) END, file, line
    FROM _cf_c2 WHERE q IS NULL ORDER BY fidx, line, ci`);
  await toQuarantine(conn, '_cf_c2', 'serps');
  dropped = add(dropped, await reasonCounts(conn, '_cf_c2', 'clicks.'));
  const clicksIn = await queryNumber(conn, `SELECT count(*) FROM _cf_c2`);
  const clicksOut = await queryNumber(conn, `SELECT count(*) FROM _cf_c2 WHERE q IS NULL`);
  const rankFixed = await queryNumber(conn, `SELECT count(*) FROM _cf_c2 WHERE q IS NULL AND rank_s IS NOT NULL AND (rank_d IS NULL OR rank_d <> shown_rank)`);
  const dwellNulled = await queryNumber(conn, `SELECT count(*) FROM _cf_c2 WHERE q IS NULL AND dwell_d > ${ctx.maxDwellMs}`);

  // conversions
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_v1 AS
WITH u AS (
  SELECT fidx, file, line, serp_id, session_id, user_id, unnest(l) AS c, unnest(generate_series(1, len(l))) AS ci
  FROM (SELECT fidx, file, line, serp_id, session_id, user_id, json_extract(conv_j, '$[*]') AS l FROM _cf_s3 WHERE q IS NULL AND conv_j IS NOT NULL)),
p AS (
  SELECT *, cf_str(y[1]) AS doc_id, cf_str(y[2]) AS ts_s, cf_ts(cf_str(y[2]), ${tsFmt}) AS ts, cf_str(y[3]) AS kind, cf_str(y[4]) AS value_s, TRY_CAST(cf_str(y[4]) AS DOUBLE) AS value
  FROM (SELECT *, json_extract(c, ['$.doc_id', '$.ts', '$.kind', '$.value']) AS y FROM u))
SELECT *, CASE
  WHEN json_type(c) <> 'OBJECT' THEN ${rq('bad_type', `'conversion #' || ci || ' of serp "' || serp_id || '" is not an object {doc_id, ts, kind, value?}'`)}
  WHEN cf_isnull(y[1]) THEN ${rq('missing_field', `'conversion #' || ci || ' of serp "' || serp_id || '" has no doc_id'`)}
  WHEN cf_isnull(y[3]) OR kind = '' THEN ${rq('missing_field', `'conversion #' || ci || ' of serp "' || serp_id || '" has no kind (e.g. "purchase", "add_to_cart")'`)}
  WHEN NOT cf_isnull(y[2]) AND ts IS NULL THEN ${rq('bad_timestamp', `'conversion #' || ci || ' of serp "' || serp_id || '": ts "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds'`)}
  WHEN NOT cf_isnull(y[4]) AND value IS NULL THEN ${rq('bad_type', `'conversion #' || ci || ' of serp "' || serp_id || '": value "' || value_s || '" is not a number'`)}
END AS q0
FROM p`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_v2 AS
SELECT * EXCLUDE (q0, rn), c::VARCHAR AS raw, CASE WHEN q0 IS NOT NULL THEN q0
  WHEN rn > 1 THEN ${rq('duplicate_event', `'conversion #' || ci || ' of serp "' || serp_id || '" repeats an identical conversion (kept once)'`)} END AS q
FROM (SELECT *, row_number() OVER (PARTITION BY (q0 IS NULL), serp_id, doc_id, ts, kind, value ORDER BY fidx, line, ci) AS rn FROM _cf_v1)`);
  await conn.run(`DROP TABLE _cf_v1`);
  await conn.run(`INSERT INTO conversions SELECT serp_id, session_id, user_id, doc_id, ts, kind, value, file, line FROM _cf_v2 WHERE q IS NULL ORDER BY fidx, line, ci`);
  await toQuarantine(conn, '_cf_v2', 'serps');
  dropped = add(dropped, await reasonCounts(conn, '_cf_v2', 'conversions.'));
  const convIn = await queryNumber(conn, `SELECT count(*) FROM _cf_v2`);
  const convOut = await queryNumber(conn, `SELECT count(*) FROM _cf_v2 WHERE q IS NULL`);
  await conn.run(`DROP TABLE _cf_imp; DROP TABLE _cf_c2; DROP TABLE _cf_v2;`);

  const fixed: Record<string, number> = {};
  if (rankFixed) fixed.click_rank_fixed = rankFixed;
  if (dwellNulled) fixed.absurd_dwell_nulled = dwellNulled;
  const notes: string[] = [];
  if (rankFixed) notes.push(`${rankFixed} clicks gave a rank that disagreed with the results list: the rank was taken from the results`);
  if (dwellNulled) notes.push(`${dwellNulled} clicks had dwell_ms above maxDwellMs (${ctx.maxDwellMs}): kept with unknown dwell`);
  return {
    stats: {
      stage: 'ingest:serps',
      in: { rows: rowsRead, results: resultsIn, clicks: clicksIn, conversions: convIn },
      out: { rows: serpsOut, impressions: impOut, clicks: clicksOut, conversions: convOut },
      dropped,
      notes,
    },
    fixed,
  };
}

/** Keep `_cf_s3` alive for timestamp detection; the caller drops it. */
export const SERPS_ROWS_TABLE = '_cf_s3';
