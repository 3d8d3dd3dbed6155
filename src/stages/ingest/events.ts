import { queryNumber, queryRows } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { type Ctx, reasonCounts, rq, toQuarantine } from './common.js';
import { IMPRESSION_FEATURES_DDL, insertPresentationSql, presentationItemCheck } from './serps.js';
import { Fields, tsRangeCheck } from './sql.js';

export const EVENT_FIELDS = ['type', 'ts', 'user_id', 'session_id', 'serp_id', 'query', 'doc_id', 'rank', 'dwell_ms', 'value', 'kind', 'success', 'presentation'] as const;
export const EVENT_TYPES = ['search', 'impression', 'click', 'conversion', 'session_end'] as const;

/**
 * Flat events (staged in `stg`) -> serps, impressions, clicks, conversions, session_ends.
 * A click without serp_id is linked to the most recent serp at or before it, of the same session
 * (of the same user when the click has no session_id), that showed the clicked doc.
 */
export async function loadEvents(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, rowsRead: number): Promise<{ stats: StageStats; fixed: Record<string, number> }> {
  const { conn, tsFmt } = ctx;
  const F = new Fields('events', EVENT_FIELDS, mapping);
  const v = (n: (typeof EVENT_FIELDS)[number]) => F.v(n);
  const L = (n: (typeof EVENT_FIELDS)[number]) => F.label(n);
  const miss = (n: (typeof EVENT_FIELDS)[number], what: string) => `WHEN cf_isnull(${v(n)}) OR cf_str(${v(n)}) = '' THEN ${rq('missing_field', `'${L(n)} is missing: a ${what} event needs it'`)}`;
  const typesList = EVENT_TYPES.map((t) => `'${t}'`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_e1 AS
WITH a AS (
  SELECT fidx, file, line, raw, pre_reason, pre_detail, x,
    lower(cf_str(${v('type')})) AS type, cf_str(${v('ts')}) AS ts_s, cf_ts(cf_str(${v('ts')}), ${tsFmt}) AS ts,
    cf_str(${v('user_id')}) AS user_id, cf_str(${v('session_id')}) AS session_id, cf_str(${v('serp_id')}) AS serp_id,
    cf_str(${v('query')}) AS query, cf_str(${v('doc_id')}) AS doc_id,
    cf_str(${v('rank')}) AS rank_s, cf_num(cf_str(${v('rank')})) AS rank_d,
    cf_str(${v('dwell_ms')}) AS dwell_s, cf_num(cf_str(${v('dwell_ms')})) AS dwell_d,
    cf_str(${v('value')}) AS value_s, cf_num(cf_str(${v('value')})) AS value,
    cf_str(${v('kind')}) AS kind, cf_bool(${v('success')}) AS success,
    CASE WHEN json_type(${v('presentation')}) = 'VARCHAR' AND json_valid(cf_str(${v('presentation')})) THEN cf_str(${v('presentation')})::JSON ELSE ${v('presentation')} END AS pres
  FROM (SELECT *, CASE WHEN pre_reason IS NULL THEN ${F.extract('raw')} END AS x FROM ${stg}))
SELECT * EXCLUDE (x), md5(x::VARCHAR) AS h, CASE
  WHEN pre_reason IS NOT NULL THEN {'r': pre_reason, 'd': pre_detail}
  WHEN cf_isnull(${v('type')}) THEN ${rq('missing_field', `'${L('type')} is missing: one of ${EVENT_TYPES.join(', ')}'`)}
  WHEN type NOT IN (${typesList}) THEN ${rq('bad_type', `'unknown event ${L('type')} "' || cf_str(${v('type')}) || '": use one of ${EVENT_TYPES.join(', ')}'`)}
  WHEN cf_isnull(${v('ts')}) THEN ${rq('missing_field', `'${L('ts')} is missing: give an ISO 8601 time or epoch seconds/milliseconds'`)}
  WHEN ts IS NULL THEN ${rq('bad_timestamp', `'${L('ts')} value "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds' || CASE WHEN ${tsFmt} <> 'auto' THEN ' (input.timestamps is ' || ${tsFmt} || ')' ELSE '' END`)}
  ${tsRangeCheck('ts', 'ts_s', `'${L('ts')}'`)}
  WHEN NOT cf_isnull(${v('serp_id')}) AND NOT cf_idok(${v('serp_id')}) THEN ${rq('bad_type', `'${L('serp_id')} must be a string or an integer'`)}
  WHEN NOT cf_isnull(${v('doc_id')}) AND NOT cf_idok(${v('doc_id')}) THEN ${rq('bad_type', `'${L('doc_id')} must be a string or an integer'`)}
  WHEN NOT cf_isnull(${v('session_id')}) AND NOT cf_scalar(${v('session_id')}) THEN ${rq('bad_type', `'${L('session_id')} must be a string'`)}
  WHEN NOT cf_isnull(${v('user_id')}) AND NOT cf_scalar(${v('user_id')}) THEN ${rq('bad_type', `'${L('user_id')} must be a string'`)}
  WHEN type = 'search' THEN CASE ${miss('serp_id', 'search')} ${miss('query', 'search')}
    WHEN json_type(${v('query')}) <> 'VARCHAR' THEN ${rq('bad_type', `'${L('query')} must be a string'`)} END
  WHEN type = 'impression' THEN CASE ${miss('serp_id', 'impression')} ${miss('doc_id', 'impression')} ${miss('rank', 'impression')}
    WHEN rank_d IS NULL OR rank_d < 1 OR rank_d <> floor(rank_d) THEN ${rq('bad_type', `'${L('rank')} "' || rank_s || '" must be an integer >= 1 (1 = top result)'`)} END
  WHEN type = 'click' THEN CASE ${miss('doc_id', 'click')}
    WHEN NOT cf_isnull(${v('dwell_ms')}) AND dwell_d IS NULL THEN ${rq('bad_type', `'${L('dwell_ms')} "' || dwell_s || '" is not a finite number'`)}
    WHEN dwell_d < 0 THEN ${rq('negative_dwell', `'${L('dwell_ms')} ' || dwell_s || ' is negative: fix the dwell computation or leave it out'`)} END
  WHEN type = 'conversion' THEN CASE ${miss('doc_id', 'conversion')} ${miss('kind', 'conversion')}
    WHEN NOT cf_isnull(${v('value')}) AND value IS NULL THEN ${rq('bad_type', `'${L('value')} "' || value_s || '" is not a finite number'`)} END
  WHEN type = 'session_end' THEN CASE
    WHEN (cf_isnull(${v('session_id')}) OR session_id = '') AND (cf_isnull(${v('user_id')}) OR user_id = '') THEN ${rq('missing_field', `'a session_end event needs ${L('session_id')} or ${L('user_id')}'`)}
    WHEN NOT cf_isnull(${v('success')}) AND success IS NULL THEN ${rq('bad_type', `'${L('success')} must be true or false'`)} END
END AS q0
FROM a`);

  // searches
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_es AS
SELECT *, CASE
  WHEN prior IS NOT NULL THEN ${rq('duplicate_serp_id', `'serp_id "' || serp_id || '" is already used by ' || prior || ': serp ids must be unique'`)}
  WHEN rn > 1 AND h = h1 THEN ${rq('duplicate_event', `'identical to the search event at ' || f1 || ':' || l1 || ' (kept once)'`)}
  WHEN rn > 1 THEN ${rq('duplicate_serp_id', `'serp_id "' || serp_id || '" is already used by ' || f1 || ':' || l1 || ' with different content: serp ids must be unique'`)}
END AS q
FROM (SELECT e.*, s.src_file || ':' || s.src_line AS prior, row_number() OVER w AS rn, first_value(h) OVER w AS h1, first_value(line) OVER w AS l1, first_value(file) OVER w AS f1
      FROM _cf_e1 e LEFT JOIN serps s USING (serp_id) WHERE e.q0 IS NULL AND e.type = 'search'
      WINDOW w AS (PARTITION BY e.serp_id ORDER BY e.fidx, e.line))`);
  await conn.run(`INSERT INTO serps SELECT serp_id, session_id, user_id, ts, query, NULL, file, line FROM _cf_es WHERE q IS NULL ORDER BY fidx, line`);

  // impressions
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ei AS
SELECT *, CASE
  WHEN NOT known THEN ${rq('unknown_serp', `'impression of serp "' || serp_id || '", which has no search event or SERP record'`)}
  WHEN rn > 1 AND doc_id = d1 THEN ${rq('duplicate_event', `'repeats the impression at ' || f1 || ':' || l1 || ' (kept once)'`)}
  WHEN rn > 1 THEN ${rq('conflicting_impression', `'rank ' || CAST(rank_d AS BIGINT) || ' of serp "' || serp_id || '" already shows "' || d1 || '" (' || f1 || ':' || l1 || '): one doc per rank'`)}
END AS q
FROM (SELECT *, row_number() OVER w AS rn, first_value(doc_id) OVER w AS d1, first_value(line) OVER w AS l1, first_value(file) OVER w AS f1
      FROM (SELECT e.*, (e.serp_id IN (SELECT serp_id FROM serps)) AS known FROM _cf_e1 e WHERE e.q0 IS NULL AND e.type = 'impression')
      WINDOW w AS (PARTITION BY known, serp_id, CAST(rank_d AS INTEGER) ORDER BY fidx, line))`);
  await conn.run(`INSERT INTO impressions SELECT serp_id, doc_id, CAST(rank_d AS INTEGER) FROM _cf_ei WHERE q IS NULL ORDER BY fidx, line`);

  // presentation of loaded impressions: a bad one is quarantined on its own, the impression stays
  await conn.run(IMPRESSION_FEATURES_DDL);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ep AS
SELECT fidx, file, line, serp_id, CAST(rank_d AS INTEGER) AS rank, pres AS item, pres::VARCHAR AS raw, CASE
  ${presentationItemCheck('pres', `'${L('presentation')} of the impression at rank ' || CAST(rank_d AS INTEGER) || ' of serp "' || serp_id || '"'`)}
END AS q
FROM _cf_ei WHERE q IS NULL AND NOT cf_isnull(pres) ORDER BY fidx, line`);
  await conn.run(insertPresentationSql('_cf_ep'));
  await toQuarantine(conn, '_cf_ep', 'events');
  const presDropped = await reasonCounts(conn, '_cf_ep', 'presentation.');
  const presIn = await queryNumber(conn, `SELECT count(*) FROM _cf_ep`);
  const presOut = await queryNumber(conn, `SELECT count(*) FROM _cf_ep WHERE q IS NULL`);
  await conn.run(`DROP TABLE _cf_ep`);

  // clicks: resolve the serp, then check the doc was shown on it
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_shown AS
SELECT s.serp_id, s.session_id, s.user_id, s.ts, i.doc_id, min(i.rank) AS rank FROM serps s JOIN impressions i USING (serp_id) GROUP BY ALL`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ec0 AS
WITH c AS (SELECT * FROM _cf_e1 WHERE q0 IS NULL AND type = 'click'),
bysess AS (SELECT c.fidx, c.line, sh.serp_id AS linked FROM (SELECT * FROM c WHERE serp_id IS NULL AND session_id IS NOT NULL) c
  ASOF JOIN _cf_shown sh ON c.session_id = sh.session_id AND c.doc_id = sh.doc_id AND c.ts >= sh.ts),
byuser AS (SELECT c.fidx, c.line, sh.serp_id AS linked FROM (SELECT * FROM c WHERE serp_id IS NULL AND session_id IS NULL AND user_id IS NOT NULL) c
  ASOF JOIN _cf_shown sh ON c.user_id = sh.user_id AND c.doc_id = sh.doc_id AND c.ts >= sh.ts)
SELECT c.*, coalesce(c.serp_id, bs.linked, bu.linked) AS serp_res, (c.serp_id IS NULL) AS was_linked
FROM c LEFT JOIN bysess bs ON c.fidx = bs.fidx AND c.line = bs.line LEFT JOIN byuser bu ON c.fidx = bu.fidx AND c.line = bu.line`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ec AS
WITH r AS (
  SELECT c.*, (s.serp_id IS NOT NULL) AS known, m.rank AS shown_rank
  FROM _cf_ec0 c LEFT JOIN serps s ON s.serp_id = c.serp_res
  LEFT JOIN (SELECT serp_id, doc_id, min(rank) AS rank FROM impressions GROUP BY ALL) m ON m.serp_id = c.serp_res AND m.doc_id = c.doc_id),
q1 AS (SELECT *, CASE
  WHEN serp_res IS NULL THEN ${rq('click_without_serp', `'click on "' || doc_id || '" has no serp_id and no earlier serp of the same ' || CASE WHEN session_id IS NOT NULL THEN 'session' ELSE 'user' END || ' showed that doc: give serp_id, or session_id/user_id and the impressions'`)}
  WHEN NOT known THEN ${rq('unknown_serp', `'click on serp "' || serp_res || '", which has no search event or SERP record'`)}
  WHEN shown_rank IS NULL THEN ${rq('click_not_shown', `'click on "' || doc_id || '", which serp "' || serp_res || '" did not show (no impression of it)'`)}
END AS q0b FROM r)
SELECT * EXCLUDE (q0b, rn), CASE WHEN q0b IS NOT NULL THEN q0b
  WHEN rn > 1 THEN ${rq('duplicate_event', `'repeats an identical click on "' || doc_id || '" (kept once)'`)} END AS q
FROM (SELECT *, row_number() OVER (PARTITION BY (q0b IS NULL), serp_res, doc_id, ts, dwell_s ORDER BY fidx, line) AS rn FROM q1)`);
  const base = await queryNumber(conn, `SELECT coalesce(max(click_id), 0) FROM clicks`);
  await conn.run(`INSERT INTO clicks SELECT ${base} + row_number() OVER (ORDER BY fidx, line), serp_res, doc_id, shown_rank, ts,
      CASE WHEN dwell_d > ${ctx.maxDwellMs} THEN NULL ELSE CAST(round(dwell_d) AS BIGINT) END, file, line
    FROM _cf_ec WHERE q IS NULL ORDER BY fidx, line`);

  // conversions
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ev AS
SELECT *, CASE
  WHEN serp_id IS NOT NULL AND serp_id NOT IN (SELECT serp_id FROM serps) THEN ${rq('unknown_serp', `'conversion on serp "' || serp_id || '", which has no search event or SERP record (leave serp_id out to let the sessions stage link it)'`)}
  WHEN rn > 1 THEN ${rq('duplicate_event', `'repeats an identical conversion (kept once)'`)}
END AS q
FROM (SELECT *, row_number() OVER (PARTITION BY serp_id, session_id, user_id, doc_id, ts, kind, value ORDER BY fidx, line) AS rn
      FROM _cf_e1 WHERE q0 IS NULL AND type = 'conversion')`);
  await conn.run(`INSERT INTO conversions SELECT serp_id, session_id, user_id, doc_id, ts, kind, value, file, line FROM _cf_ev WHERE q IS NULL ORDER BY fidx, line`);

  // session ends
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ee AS
SELECT *, CASE WHEN rn > 1 THEN ${rq('duplicate_event', `'repeats an identical session_end (kept once)'`)} END AS q
FROM (SELECT *, row_number() OVER (PARTITION BY session_id, user_id, ts, success ORDER BY fidx, line) AS rn
      FROM _cf_e1 WHERE q0 IS NULL AND type = 'session_end')`);
  await conn.run(`INSERT INTO session_ends SELECT session_id, user_id, ts, success, file, line FROM _cf_ee WHERE q IS NULL ORDER BY fidx, line`);
  await conn.run(`UPDATE serps SET session_success = e.success
    FROM (SELECT session_id, arg_max(success, ts) AS success FROM session_ends WHERE session_id IS NOT NULL AND success IS NOT NULL GROUP BY ALL) e
    WHERE serps.session_id = e.session_id AND serps.session_success IS NULL`);

  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_eq AS
SELECT fidx, file, line, raw, q0 AS q FROM _cf_e1 WHERE q0 IS NOT NULL
UNION ALL SELECT fidx, file, line, raw, q FROM _cf_es WHERE q IS NOT NULL
UNION ALL SELECT fidx, file, line, raw, q FROM _cf_ei WHERE q IS NOT NULL
UNION ALL SELECT fidx, file, line, raw, q FROM _cf_ec WHERE q IS NOT NULL
UNION ALL SELECT fidx, file, line, raw, q FROM _cf_ev WHERE q IS NOT NULL
UNION ALL SELECT fidx, file, line, raw, q FROM _cf_ee WHERE q IS NOT NULL`);
  await toQuarantine(conn, '_cf_eq', 'events');
  const dropped = { ...(await reasonCounts(conn, '_cf_eq')), ...presDropped };
  const out: Record<string, number> = {};
  for (const [name, t] of [['serps', '_cf_es'], ['impressions', '_cf_ei'], ['clicks', '_cf_ec'], ['conversions', '_cf_ev'], ['session_ends', '_cf_ee']] as const) {
    out[name] = await queryNumber(conn, `SELECT count(*) FROM ${t} WHERE q IS NULL`);
  }
  out.rows = Object.values(out).reduce((a, b) => a + b, 0);
  if (presIn) out.presentation = presOut;
  const [fx] = await queryRows<{ linked: number; rank_fixed: number; dwell_nulled: number }>(conn, `SELECT
    count(*) FILTER (WHERE was_linked) AS linked,
    count(*) FILTER (WHERE rank_s IS NOT NULL AND (rank_d IS NULL OR rank_d <> shown_rank)) AS rank_fixed,
    count(*) FILTER (WHERE dwell_d > ${ctx.maxDwellMs}) AS dwell_nulled FROM _cf_ec WHERE q IS NULL`);
  const byType = await queryRows<{ type: string; n: number }>(conn, `SELECT type, count(*) AS n FROM _cf_e1 WHERE q0 IS NULL GROUP BY ALL ORDER BY type`);
  await conn.run(`DROP TABLE _cf_es; DROP TABLE _cf_ei; DROP TABLE _cf_ec0; DROP TABLE _cf_ec; DROP TABLE _cf_ev; DROP TABLE _cf_ee; DROP TABLE _cf_eq; DROP TABLE _cf_shown;`);
  const fixed: Record<string, number> = {};
  const notes: string[] = [];
  if (fx?.linked) { fixed.click_serp_linked = fx.linked; notes.push(`${fx.linked} clicks without serp_id were linked to the latest earlier serp of their session/user that showed the doc`); }
  if (fx?.rank_fixed) { fixed.click_rank_fixed = fx.rank_fixed; notes.push(`${fx.rank_fixed} clicks gave a rank that disagreed with the impressions: the rank was taken from the impressions`); }
  if (fx?.dwell_nulled) { fixed.absurd_dwell_nulled = fx.dwell_nulled; notes.push(`${fx.dwell_nulled} clicks had dwell_ms above maxDwellMs (${ctx.maxDwellMs}): kept with unknown dwell`); }
  const inCounts: Record<string, number> = { rows: rowsRead };
  for (const t of byType) inCounts[`valid_${t.type}`] = t.n;
  if (presIn) inCounts.presentation = presIn;
  return { stats: { stage: 'ingest:events', in: inCounts, out, dropped, notes }, fixed };
}
