import { queryNumber, sqlString } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { add, type Ctx, reasonCounts, rq, toQuarantine } from './common.js';
import { Fields, tsRangeCheck } from './sql.js';

export const SERP_FIELDS = ['serp_id', 'session_id', 'user_id', 'ts', 'query', 'results', 'clicks', 'conversions', 'session_success', 'randomized', 'presentation'] as const;

/**
 * Presentation features of shown results, one row per (serp_id, rank, feature) with a non-null
 * value (booleans as 'true'/'false', numbers and strings as text). Created by ingest (SERP field
 * `presentation`, impression events' `presentation`); read by `presentationSection` (stages/balance).
 */
export const IMPRESSION_FEATURES_TABLE = 'impression_features';
export const IMPRESSION_FEATURES_DDL = `CREATE TABLE IF NOT EXISTS ${IMPRESSION_FEATURES_TABLE} (serp_id VARCHAR NOT NULL, rank INTEGER NOT NULL, feature VARCHAR NOT NULL, value VARCHAR NOT NULL)`;

/**
 * SQL CASE arms checking one presentation item `item` (JSON): NULL = accepted. An item is an
 * object of feature -> boolean | string | number | null; `where` is a SQL string expression naming it.
 */
export const presentationItemCheck = (item: string, where: string): string => `
  WHEN json_type(${item}) <> 'OBJECT' THEN ${rq('bad_type', `${where} || ' is not an object {feature: boolean | string | number | null}'`)}
  WHEN list_contains(json_keys(${item}), '') THEN ${rq('bad_value', `${where} || ' has an empty feature name'`)}
  WHEN NOT list_bool_and(list_transform(map_values(json_transform(${item}, '"MAP(VARCHAR, JSON)"')), v -> cf_isnull(v) OR cf_scalar(v)))
    THEN ${rq('bad_value', `${where} || ' has a feature whose value is a list or an object: use a boolean, a string or a number'`)}`;

/** INSERT the features of the accepted items of `table` (columns serp_id, rank, item, q). */
export const insertPresentationSql = (table: string): string => `INSERT INTO ${IMPRESSION_FEATURES_TABLE}
  SELECT serp_id, rank, e.key, cf_str(e.value) FROM (
    SELECT serp_id, rank, unnest(map_entries(json_transform(item, '"MAP(VARCHAR, JSON)"'))) AS e
    FROM ${table} WHERE q IS NULL AND json_type(item) = 'OBJECT')
  WHERE NOT cf_isnull(e.value)`;

/**
 * Pages whose order was randomised (SERP field `randomized: true`), one serp_id per row. Created by
 * SERP ingest (empty when no page is marked); the bias stage reads it as
 * `randomizedWhere: RANDOMIZED_WHERE`.
 */
export const RANDOMIZED_TABLE = 'serp_randomized';
export const RANDOMIZED_WHERE = `s.serp_id IN (SELECT serp_id FROM ${RANDOMIZED_TABLE})`;

/**
 * SERP records (staged in `stg`) -> serps, impressions, clicks, conversions. Row problems
 * quarantine the record; click/conversion problems quarantine only that click/conversion.
 */
/** A Parquet file of SERP records, read with its typed columns (no JSON round trip). */
export interface ParquetSource {
  readonly fidx: number;
  readonly file: string;
  /** column -> DuckDB type, from `parquetColumns`. */
  readonly columns: ReadonlyMap<string, string>;
}

const isTypedList = (t: string | undefined): boolean => t === 'VARCHAR[]';

/**
 * SQL producing the parsed rows of one source in input order:
 *   fidx, file, line, raw, pre_reason, pre_detail, x (the fields as a JSON list, results excluded),
 *   rl (results as VARCHAR[] when the input held a list of strings/numbers), rj (results as JSON otherwise).
 * Text sources: one json_transform per line (scalars as JSON, results as VARCHAR[]: no second parse);
 * Parquet: typed columns; only non-list results and nested clicks/conversions go through to_json.
 */
function parsedSql(F: Fields<(typeof SERP_FIELDS)[number]>, src: { kind: 'text'; stg: string; fidx: number; sort: boolean } | { kind: 'parquet'; p: ParquetSource }): string {
  const names = F.names;
  const ri = names.indexOf('results');
  if (src.kind === 'text') {
    const spec: Record<string, string> = {};
    for (const n of names) spec[F.col(n)] = n === 'results' ? 'VARCHAR[]' : 'JSON';
    const col = (n: (typeof SERP_FIELDS)[number]) => `p[${sqlString(F.col(n))}]`;
    const distinct = new Set(names.map((n) => F.col(n))).size === names.length;
    if (!distinct) {
      // two fields read the same column: json_transform cannot, so fall back to one json_extract per row
      return `SELECT fidx, file, line, raw, pre_reason, pre_detail,
        CASE WHEN pre_reason IS NULL THEN ${F.extract('raw')} END AS x, NULL::VARCHAR[] AS rl,
        CASE WHEN pre_reason IS NULL THEN json_extract(raw, ${sqlString(`$."${F.col('results')}"`)}) END AS rj
        FROM ${src.stg} WHERE fidx = ${src.fidx}${src.sort ? ' ORDER BY line' : ''}`;
    }
    return `SELECT fidx, file, line, raw, pre_reason, pre_detail,
        CASE WHEN pre_reason IS NULL THEN [${names.map((n, i) => (i === ri ? 'NULL::JSON' : col(n))).join(', ')}] END AS x,
        ${col('results')} AS rl,
        CASE WHEN pre_reason IS NULL AND ${col('results')} IS NULL THEN json_extract(raw, ${sqlString(`$."${F.col('results')}"`)}) END AS rj
      FROM (SELECT *, CASE WHEN pre_reason IS NULL THEN json_transform(raw, ${sqlString(JSON.stringify(spec))}) END AS p
            FROM ${src.stg} WHERE fidx = ${src.fidx}${src.sort ? ' ORDER BY line' : ''})`;
  }
  const { p } = src;
  const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
  const jv = (n: (typeof SERP_FIELDS)[number]) => (p.columns.has(F.col(n)) ? `to_json(${q(F.col(n))})` : 'NULL::JSON');
  const rc = F.col('results');
  const typed = isTypedList(p.columns.get(rc));
  // scalar fields of a plain type are read as they are (their text and JSON kind, as to_json would give them)
  const scalar = SCALAR_FIELDS.map((n) => {
    const t = p.columns.get(F.col(n));
    const c = q(F.col(n));
    if (t === 'VARCHAR') return `${c} AS ${n}_s, CASE WHEN ${c} IS NOT NULL THEN 'VARCHAR' END AS ${n}_k`;
    if (t !== undefined && INTEGER_TYPES.has(t)) return `${c}::VARCHAR AS ${n}_s, CASE WHEN ${c} IS NOT NULL THEN 'BIGINT' END AS ${n}_k`;
    return `cf_str(${jv(n)}) AS ${n}_s, json_type(${jv(n)}) AS ${n}_k`;
  });
  const cc = p.columns.get(F.col('clicks'));
  const cfields = cc === undefined ? undefined : typedClickFields(cc);
  const cl = cfields
    ? `list_transform(${q(F.col('clicks'))}, e -> CASE WHEN e IS NOT NULL THEN {${CLICK_KEYS.map((k) => `'${k}': ${cfields.has(k) ? `e.${q(k)}::VARCHAR` : 'NULL::VARCHAR'}`).join(', ')}} END)`
    : `NULL::${CLICKS_TYPED}`;
  return `SELECT ${p.fidx} AS fidx, ${sqlString(p.file)} AS file, __cf_rn + 1 AS line, NULL::VARCHAR AS raw, NULL::VARCHAR AS pre_reason, NULL::VARCHAR AS pre_detail,
      [${names.map((n, i) => (i === ri || isScalar(n) ? 'NULL::JSON' : jv(n))).join(', ')}] AS x,
      ${typed ? q(rc) : 'NULL::VARCHAR[]'} AS rl, ${typed ? 'NULL::JSON' : jv('results')} AS rj, ${scalar.join(', ')}, ${cl} AS cl
    FROM (SELECT file_row_number AS __cf_rn, * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(p.file)}, file_row_number = true))`;
}

/** Scalar fields carried in the parsed rows as text (`<field>_s`) and JSON kind (`<field>_k`, json_type's name; NULL when absent). */
const SCALAR_FIELDS = ['serp_id', 'session_id', 'user_id', 'ts', 'query'] as const;
const isScalar = (n: string): boolean => (SCALAR_FIELDS as readonly string[]).includes(n);
/** Integer Parquet types: their text is what to_json + json_extract_string give, and they count as BIGINT for the checks. */
const INTEGER_TYPES: ReadonlySet<string> = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT']);

/** The keys of a click object. */
const CLICK_KEYS = ['doc_id', 'ts', 'dwell_ms', 'rank'] as const;
/** Clicks read typed (`cl`): each element a struct of the keys' text (NULL = absent), NULL for a null element. */
const CLICKS_TYPED = `STRUCT(${CLICK_KEYS.map((k) => `${k} VARCHAR`).join(', ')})[]`;

/**
 * The click keys present in a Parquet clicks column of type `STRUCT(...)[]` whose click keys are
 * VARCHAR or integers (other members of any flat type are allowed); undefined when the column is
 * anything else (it is then read through JSON).
 */
export function typedClickFields(type: string): Set<string> | undefined {
  const m = /^STRUCT\((.*)\)\[\]$/.exec(type);
  if (!m || /[()[\]]/.test(m[1]!)) return undefined;
  const found = new Set<string>();
  for (const part of m[1]!.split(', ')) {
    const f = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*) (.+)$/.exec(part);
    if (!f) return undefined;
    const name = f[1]!.startsWith('"') ? f[1]!.slice(1, -1).replace(/""/g, '"') : f[1]!;
    if (!(CLICK_KEYS as readonly string[]).includes(name)) continue;
    if (f[2] !== 'VARCHAR' && !INTEGER_TYPES.has(f[2]!)) return undefined;
    found.add(name);
  }
  return found;
}

/** Text sources: the scalar fields' text and kind, taken from the JSON list `x`. */
const scalarFromX = (F: Fields<(typeof SERP_FIELDS)[number]>): string =>
  SCALAR_FIELDS.map((n) => `cf_str(${F.v(n)}) AS ${n}_s, json_type(${F.v(n)}) AS ${n}_k`).join(', ');

type SerpSource = { readonly fidx: number; readonly parquet?: ParquetSource; readonly sort?: boolean };

/**
 * SERP records (staged in `stg`, or Parquet files read typed) -> serps, impressions, clicks,
 * conversions. Row problems quarantine the record; click/conversion problems quarantine only that
 * click/conversion. Rows stay in input order from the staging table to `impressions`, so the big
 * tables need no sort; duplicates are found with GROUP BY ... HAVING first. Named steps below.
 */
export async function loadSerps(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, rowsRead: number,
  sources: readonly SerpSource[] = [{ fidx: 0, sort: true }]): Promise<{ stats: StageStats; fixed: Record<string, number> }> {
  const { conn } = ctx;
  await parseSerpRecords(ctx, stg, mapping, sources);
  await markDuplicateSerps(conn, sources);
  await conn.run(`INSERT INTO serps SELECT serp_id, session_id, user_id, ts, query, success, file, line FROM _cf_s3 WHERE q IS NULL`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${RANDOMIZED_TABLE} (serp_id VARCHAR NOT NULL)`);
  await conn.run(`INSERT INTO ${RANDOMIZED_TABLE} SELECT serp_id FROM _cf_s3 WHERE q IS NULL AND randomized`);
  await toQuarantine(conn, '_cf_s3', 'serps');
  let dropped = await reasonCounts(conn, '_cf_s3');
  const serpsOut = await queryNumber(conn, `SELECT count(*) FROM _cf_s3 WHERE q IS NULL`);

  const { resultsIn, impOut, dropped: impDropped } = await loadImpressions(conn);
  const { presIn, presOut, dropped: presDropped } = await loadPresentation(conn, new Fields('serps', SERP_FIELDS, mapping));
  const { clicksIn, clicksOut, rankFixed, dwellNulled, dropped: clickDropped } = await loadClicks(ctx);
  const { convIn, convOut, dropped: convDropped } = await loadConversions(ctx);
  dropped = add(add(add(add(dropped, impDropped), presDropped), clickDropped), convDropped);

  const fixed: Record<string, number> = {};
  if (rankFixed) fixed.click_rank_fixed = rankFixed;
  if (dwellNulled) fixed.absurd_dwell_nulled = dwellNulled;
  const notes: string[] = [];
  if (rankFixed) notes.push(`${rankFixed} clicks gave a rank that disagreed with the results list: the rank was taken from the results`);
  if (dwellNulled) notes.push(`${dwellNulled} clicks had dwell_ms above maxDwellMs (${ctx.maxDwellMs}): kept with unknown dwell`);
  return {
    stats: {
      stage: 'ingest:serps',
      in: { rows: rowsRead, results: resultsIn, clicks: clicksIn, conversions: convIn, ...(presIn ? { presentation: presIn } : {}) },
      out: { rows: serpsOut, impressions: impOut, clicks: clicksOut, conversions: convOut, ...(presIn ? { presentation: presOut } : {}) },
      dropped,
      notes,
    },
    fixed,
  };
}

/** Parse the staged (or Parquet) SERP records into _cf_s3: one row per record, its fields and the reason it is rejected (q). */
async function parseSerpRecords(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, sources: readonly SerpSource[]): Promise<void> {
  const { conn, tsFmt } = ctx;
  const F = new Fields('serps', SERP_FIELDS, mapping);
  const v = (n: (typeof SERP_FIELDS)[number]) => F.v(n);
  const L = (n: (typeof SERP_FIELDS)[number]) => F.label(n);
  const rjStr = `json_extract_string(rj, '$')`;
  const cols = `fidx INTEGER, file VARCHAR, line BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_detail VARCHAR, x JSON[], rl VARCHAR[], rj JSON, ${SCALAR_FIELDS.map((n) => `${n}_s VARCHAR, ${n}_k VARCHAR`).join(', ')}, cl ${CLICKS_TYPED}`;
  const s1Sql = (s: (typeof sources)[number]) => (s.parquet
    ? parsedSql(F, { kind: 'parquet', p: s.parquet })
    : `SELECT *, ${scalarFromX(F)}, NULL::${CLICKS_TYPED} AS cl FROM (${parsedSql(F, { kind: 'text', stg, fidx: s.fidx, sort: s.sort ?? false })})`);
  // one source already in input order (JSONL, Parquet) is read straight into _cf_s3; several
  // sources, or a CSV that needs its ORDER BY line, go through the table _cf_s1 in source order
  let s1From = '_cf_s1';
  if (sources.length === 1 && !sources[0]!.sort) {
    s1From = `(${s1Sql(sources[0]!)})`;
  } else {
    await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_s1 (${cols})`);
    for (const s of sources) await conn.run(`INSERT INTO _cf_s1 ${s1Sql(s)}`);
  }
  // checks on the scalar fields' JSON kind (k): the same tests as cf_isnull / cf_idok / cf_scalar on the JSON value
  const isNull = (n: (typeof SCALAR_FIELDS)[number]) => `coalesce(${n}_k, 'NULL') = 'NULL'`;
  const idOk = (n: (typeof SCALAR_FIELDS)[number]) => `${n}_k IN ('VARCHAR', 'BIGINT', 'UBIGINT')`;
  const isScalarKind = (n: (typeof SCALAR_FIELDS)[number]) => `${n}_k IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN')`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_s3 AS
WITH a AS (
  SELECT fidx, file, line, raw, pre_reason, pre_detail, x, rl, rj,
    serp_id_s AS serp_id, session_id_s AS session_id, user_id_s AS user_id,
    ts_s, cf_ts(ts_s, ${tsFmt}) AS ts, query_s AS query, ${SCALAR_FIELDS.filter((n) => n !== 'ts').map((n) => `${n}_k`).join(', ')}, ts_k,
    CASE WHEN rl IS NOT NULL THEN rl
         WHEN json_type(rj) = 'ARRAY' THEN TRY_CAST(rj AS VARCHAR[])
         WHEN json_type(rj) = 'VARCHAR' THEN
           CASE WHEN starts_with(ltrim(${rjStr}), '[') THEN TRY_CAST(cf_arr(rj) AS VARCHAR[])
                WHEN trim(${rjStr}) = '' THEN []::VARCHAR[]
                ELSE string_split(${rjStr}, '|') END END AS results,
    CASE WHEN cl IS NOT NULL THEN ${v('clicks')} ELSE cf_arr(${v('clicks')}) END AS clicks_j, cl, cf_arr(${v('conversions')}) AS conv_j, cf_bool(${v('session_success')}) AS success,
    cf_bool(${v('randomized')}) AS randomized, ${v('presentation')} AS pres_j
  FROM ${s1From}
)
SELECT * EXCLUDE (x, rl, rj, ${SCALAR_FIELDS.map((n) => `${n}_k`).join(', ')}), CASE
  WHEN pre_reason IS NOT NULL THEN {'r': pre_reason, 'd': pre_detail}
  WHEN ${isNull('serp_id')} OR serp_id = '' THEN ${rq('missing_field', `'${L('serp_id')} is missing: every SERP record needs a unique serp_id'`)}
  WHEN NOT (${idOk('serp_id')}) THEN ${rq('bad_type', `'${L('serp_id')} must be a string or an integer'`)}
  WHEN ${isNull('query')} THEN ${rq('missing_field', `'${L('query')} is missing'`)}
  WHEN query_k <> 'VARCHAR' THEN ${rq('bad_type', `'${L('query')} must be a string'`)}
  WHEN ${isNull('ts')} THEN ${rq('missing_field', `'${L('ts')} is missing: give an ISO 8601 time or epoch seconds/milliseconds'`)}
  WHEN ts IS NULL THEN ${rq('bad_timestamp', `'${L('ts')} value "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds' || CASE WHEN ${tsFmt} <> 'auto' THEN ' (input.timestamps is ' || ${tsFmt} || ')' ELSE '' END`)}
  ${tsRangeCheck('ts', 'ts_s', `'${L('ts')}'`)}
  WHEN rl IS NULL AND cf_isnull(rj) THEN ${rq('missing_field', `'${L('results')} is missing: the shown doc ids in rank order'`)}
  WHEN results IS NULL THEN ${rq('bad_type', `'${L('results')} must be an array of doc ids (in CSV: JSON text such as ["d1","d2"] or d1|d2)'`)}
  WHEN cl IS NULL AND NOT cf_isnull(${v('clicks')}) AND clicks_j IS NULL THEN ${rq('bad_type', `'${L('clicks')} must be an array of {doc_id, ts?, dwell_ms?, rank?} (in CSV: JSON text)'`)}
  WHEN NOT cf_isnull(${v('conversions')}) AND conv_j IS NULL THEN ${rq('bad_type', `'${L('conversions')} must be an array of {doc_id, ts, kind, value?} (in CSV: JSON text)'`)}
  WHEN NOT cf_isnull(${v('session_success')}) AND success IS NULL THEN ${rq('bad_type', `'${L('session_success')} must be true or false'`)}
  WHEN NOT cf_isnull(${v('randomized')}) AND randomized IS NULL THEN ${rq('bad_type', `'${L('randomized')} must be true or false (true = the page showed its results in random order)'`)}
  WHEN NOT (${isNull('session_id')}) AND NOT (${isScalarKind('session_id')}) THEN ${rq('bad_type', `'${L('session_id')} must be a string'`)}
  WHEN NOT (${isNull('user_id')}) AND NOT (${isScalarKind('user_id')}) THEN ${rq('bad_type', `'${L('user_id')} must be a string'`)}
END AS q
FROM a`);

}

/** Mark repeated serp_ids in _cf_s3 (identical: duplicate_event, different: duplicate_serp_id) and give quarantined Parquet rows their raw text. */
async function markDuplicateSerps(conn: Ctx['conn'], sources: readonly SerpSource[]): Promise<void> {
  // duplicates: only serp_ids seen twice among valid rows are looked at closely (and hashed)
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_sd AS
WITH d AS (SELECT serp_id FROM _cf_s3 WHERE q IS NULL GROUP BY serp_id HAVING count(*) > 1),
c AS (SELECT fidx, file, line, serp_id,
        md5(to_json([serp_id, session_id, user_id, ts_s, query, to_json(results)::VARCHAR, json(clicks_j)::VARCHAR, json(conv_j)::VARCHAR, success::VARCHAR])::VARCHAR) AS h
      FROM _cf_s3 SEMI JOIN d USING (serp_id) WHERE q IS NULL),
w AS (SELECT *, row_number() OVER w AS rn, first_value(h) OVER w AS h1, first_value(line) OVER w AS l1, first_value(file) OVER w AS f1
      FROM c WINDOW w AS (PARTITION BY serp_id ORDER BY fidx, line))
SELECT fidx, line, CASE
  WHEN h = h1 THEN ${rq('duplicate_event', `'identical to the SERP record at ' || f1 || ':' || l1 || ' (kept once)'`)}
  ELSE ${rq('duplicate_serp_id', `'serp_id "' || serp_id || '" is already used by ' || f1 || ':' || l1 || ' with different content: serp ids must be unique'`)}
END AS q
FROM w WHERE rn > 1`);
  if (await queryNumber(conn, `SELECT count(*) FROM _cf_sd`)) {
    await conn.run(`UPDATE _cf_s3 SET q = d.q FROM _cf_sd d WHERE _cf_s3.fidx = d.fidx AND _cf_s3.line = d.line`);
  }
  await conn.run(`DROP TABLE IF EXISTS _cf_s1; DROP TABLE _cf_sd`);
  // Parquet rows carry no raw text: fill it in for the quarantined ones only
  for (const s of sources) {
    if (!s.parquet) continue;
    if (!(await queryNumber(conn, `SELECT count(*) FROM _cf_s3 WHERE fidx = ${s.fidx} AND q IS NOT NULL`))) continue;
    await conn.run(`UPDATE _cf_s3 SET raw = r.raw FROM (
        SELECT file_row_number + 1 AS line, to_json({${[...s.parquet.columns.keys()].map((c) => `${sqlString(c)}: "${c.replace(/"/g, '""')}"`).join(', ')}})::VARCHAR AS raw
        FROM read_parquet(${sqlString(s.parquet.file)}, file_row_number = true)
        WHERE file_row_number + 1 IN (SELECT line FROM _cf_s3 WHERE fidx = ${s.fidx} AND q IS NOT NULL)) r
      WHERE _cf_s3.fidx = ${s.fidx} AND _cf_s3.line = r.line`);
  }
}

/** Impressions of the loaded records, in input order; empty or non-string result items are quarantined. */
async function loadImpressions(conn: Ctx['conn']): Promise<{ resultsIn: number; impOut: number; dropped: Record<string, number> }> {
  let dropped: Record<string, number> = {};
  // impressions: straight from the loaded rows, in input order (no intermediate table, no sort);
  // bad items are looked at only when some exist
  const badItem = `d IS NULL OR trim(d) = ''`;
  const unnested = `SELECT fidx, file, line, serp_id, unnest(results) AS d, unnest(range(1, len(results) + 1)) AS rank FROM _cf_s3 WHERE q IS NULL`;
  const resultsIn = await queryNumber(conn, `SELECT coalesce(sum(len(results)), 0) FROM _cf_s3 WHERE q IS NULL`);
  const before = await queryNumber(conn, `SELECT count(*) FROM impressions`);
  await conn.run(`INSERT INTO impressions SELECT serp_id, d, rank FROM (${unnested}) WHERE NOT (${badItem})`);
  const impOut = (await queryNumber(conn, `SELECT count(*) FROM impressions`)) - before;
  if (impOut !== resultsIn) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_imp AS SELECT fidx, file, line, serp_id, d AS doc_id, rank,
        ${rq('bad_result_item', `'result #' || rank || ' of serp "' || serp_id || '" is empty or not a string: results must be doc id strings'`)} AS q, coalesce(d, 'null') AS raw
      FROM (${unnested}) WHERE ${badItem}`);
    await toQuarantine(conn, '_cf_imp', 'serps');
    dropped = add(dropped, await reasonCounts(conn, '_cf_imp', 'results.'));
    await conn.run(`DROP TABLE _cf_imp`);
  }

  return { resultsIn, impOut, dropped };
}

/** Presentation features of the loaded records (impression_features); a bad item quarantines only itself. */
async function loadPresentation(conn: Ctx['conn'], F: Fields<(typeof SERP_FIELDS)[number]>): Promise<{ presIn: number; presOut: number; dropped: Record<string, number> }> {
  const L = (n: (typeof SERP_FIELDS)[number]) => F.label(n);
  let dropped: Record<string, number> = {};
  // presentation: item problems quarantine only that item (the record and its clicks stay)
  await conn.run(IMPRESSION_FEATURES_DDL);
  let presIn = 0;
  let presOut = 0;
  if (await queryNumber(conn, `SELECT count(*) FROM _cf_s3 WHERE q IS NULL AND NOT cf_isnull(pres_j)`)) {
    const where = `'presentation item #' || rank || ' of serp "' || serp_id || '"'`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_p1 AS
WITH r AS (SELECT fidx, file, line, serp_id, len(results) AS nres, pres_j, cf_arr(pres_j) AS pa FROM _cf_s3 WHERE q IS NULL AND NOT cf_isnull(pres_j)),
u AS (SELECT fidx, file, line, serp_id, nres, unnest(l) AS item, unnest(generate_series(1, len(l))) AS rank
      FROM (SELECT *, json_extract(pa, '$[*]') AS l FROM r WHERE pa IS NOT NULL))
SELECT fidx, file, line, serp_id, 0 AS rank, pres_j AS item, pres_j::VARCHAR AS raw,
  ${rq('bad_type', `'${L('presentation')} of serp "' || serp_id || '" must be an array aligned with results: [{"thumbnail": true, "badge": "new"}, ...] (in CSV: JSON text)'`)} AS q
FROM r WHERE pa IS NULL
UNION ALL
SELECT fidx, file, line, serp_id, rank, item, item::VARCHAR AS raw, CASE
  WHEN rank > nres THEN ${rq('beyond_results', `${where} || ' has no result (the page shows ' || nres || '): presentation must be aligned with results'`)}
  WHEN cf_isnull(item) THEN NULL
  ${presentationItemCheck('item', where)}
END AS q
FROM u`);
    await conn.run(insertPresentationSql('_cf_p1'));
    await toQuarantine(conn, '_cf_p1', 'serps');
    dropped = add(dropped, await reasonCounts(conn, '_cf_p1', 'presentation.'));
    presIn = await queryNumber(conn, `SELECT count(*) FROM _cf_p1`);
    presOut = await queryNumber(conn, `SELECT count(*) FROM _cf_p1 WHERE q IS NULL`);
    await conn.run(`DROP TABLE _cf_p1`);
  }

  return { presIn, presOut, dropped };
}

/** Clicks of the loaded records, ranked from the record's own results; duplicates and bad clicks are quarantined. */
async function loadClicks(ctx: Ctx): Promise<{ clicksIn: number; clicksOut: number; rankFixed: number; dwellNulled: number; dropped: Record<string, number> }> {
  const { conn, tsFmt } = ctx;
  let dropped: Record<string, number> = {};
  // clicks: the rank comes from the record's own results (a lambda before unnest, so the results
  // list is not copied per click); duplicates via GROUP BY ... HAVING, then a window on the hits only
  const blankOr = (d: string) => `${d} IS NULL OR trim(${d}) = ''`;
  // JSON clicks are parsed per element; typed Parquet clicks (`cl`) are read as they are, their raw
  // text is made for quarantined ones only (below). Both give the same columns and checks.
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_c2 AS
WITH u AS (
  SELECT fidx, file, line, serp_id, unnest(l) AS c, unnest(generate_series(1, len(l))) AS ci,
    unnest(list_transform(l, e -> CASE WHEN ${blankOr(`json_extract_string(e, '$.doc_id')`)} THEN NULL
                                      ELSE nullif(list_position(results, json_extract_string(e, '$.doc_id')), 0) END)) AS shown_rank
  FROM (SELECT fidx, file, line, serp_id, results, json_extract(clicks_j, '$[*]') AS l FROM _cf_s3 WHERE q IS NULL AND cl IS NULL AND clicks_j IS NOT NULL AND clicks_j <> '[]')),
p AS (
  SELECT fidx, file, line, serp_id, ci, shown_rank, cf_str(y[1]) AS doc_id, cf_str(y[2]) AS ts_s, cf_ts(cf_str(y[2]), ${tsFmt}) AS ts, cf_str(y[3]) AS dwell_s, cf_num(cf_str(y[3])) AS dwell_d,
    cf_str(y[4]) AS rank_s, cf_num(cf_str(y[4])) AS rank_d, c::VARCHAR AS raw,
    json_type(c) = 'OBJECT' AS is_obj, cf_isnull(y[1]) AS no_doc, NOT cf_isnull(y[2]) AS has_ts, NOT cf_isnull(y[3]) AS has_dwell
  FROM (SELECT *, json_extract(c, ['$.doc_id', '$.ts', '$.dwell_ms', '$.rank']) AS y FROM u)),
ut AS (
  SELECT fidx, file, line, serp_id, unnest(cl) AS e, unnest(generate_series(1, len(cl))) AS ci,
    unnest(list_transform(cl, e -> CASE WHEN ${blankOr('e.doc_id')} THEN NULL ELSE nullif(list_position(results, e.doc_id), 0) END)) AS shown_rank
  FROM _cf_s3 WHERE q IS NULL AND cl IS NOT NULL AND len(cl) > 0),
pt AS (
  SELECT fidx, file, line, serp_id, ci, shown_rank, e.doc_id AS doc_id, e.ts AS ts_s, cf_ts(e.ts, ${tsFmt}) AS ts, e.dwell_ms AS dwell_s, cf_num(e.dwell_ms) AS dwell_d,
    e.rank AS rank_s, cf_num(e.rank) AS rank_d, NULL::VARCHAR AS raw,
    e IS NOT NULL AS is_obj, e.doc_id IS NULL AS no_doc, e.ts IS NOT NULL AS has_ts, e.dwell_ms IS NOT NULL AS has_dwell
  FROM ut)
SELECT * EXCLUDE (is_obj, no_doc, has_ts, has_dwell), CASE
  WHEN NOT is_obj THEN ${rq('bad_type', `'click #' || ci || ' of serp "' || serp_id || '" is not an object {doc_id, ts?, dwell_ms?, rank?}'`)}
  WHEN no_doc THEN ${rq('missing_field', `'click #' || ci || ' of serp "' || serp_id || '" has no doc_id'`)}
  WHEN has_ts AND ts IS NULL THEN ${rq('bad_timestamp', `'click #' || ci || ' of serp "' || serp_id || '": ts "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds'`)}
  ${tsRangeCheck('ts', 'ts_s', `'click #' || ci || ' of serp "' || serp_id || '": ts'`)}
  WHEN has_dwell AND dwell_d IS NULL THEN ${rq('bad_type', `'click #' || ci || ' of serp "' || serp_id || '": dwell_ms "' || dwell_s || '" is not a finite number'`)}
  WHEN dwell_d < 0 THEN ${rq('negative_dwell', `'click #' || ci || ' of serp "' || serp_id || '": dwell_ms ' || dwell_s || ' is negative: fix the dwell computation or leave dwell_ms out'`)}
  WHEN shown_rank IS NULL THEN ${rq('click_not_shown', `'click #' || ci || ' of serp "' || serp_id || '" is on "' || doc_id || '", which is not in that serp''s results'`)}
END AS q
FROM (SELECT * FROM p UNION ALL SELECT * FROM pt)`);
  const ckey = ['serp_id', 'doc_id', 'ts', 'dwell_s', 'rank_s'];
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_cd AS
WITH d AS (SELECT ${ckey.join(', ')} FROM _cf_c2 WHERE q IS NULL GROUP BY ALL HAVING count(*) > 1)
SELECT fidx, line, ci FROM (
  SELECT c.fidx, c.line, c.ci, row_number() OVER (PARTITION BY ${ckey.map((k) => `c.${k}`).join(', ')} ORDER BY c.fidx, c.line, c.ci) AS rn
  FROM _cf_c2 c SEMI JOIN d ON ${ckey.map((k) => `c.${k} IS NOT DISTINCT FROM d.${k}`).join(' AND ')} WHERE c.q IS NULL)
WHERE rn > 1`);
  if (await queryNumber(conn, `SELECT count(*) FROM _cf_cd`)) {
    await conn.run(`UPDATE _cf_c2 SET q = ${rq('duplicate_event', `'click #' || _cf_c2.ci || ' of serp "' || _cf_c2.serp_id || '" repeats an identical click (kept once)'`)}
      FROM _cf_cd d WHERE _cf_c2.fidx = d.fidx AND _cf_c2.line = d.line AND _cf_c2.ci = d.ci`);
  }
  await conn.run(`DROP TABLE _cf_cd`);
  if (await queryNumber(conn, `SELECT count(*) FROM _cf_c2 WHERE q IS NOT NULL AND raw IS NULL`)) {
    await conn.run(`UPDATE _cf_c2 SET raw = json_extract(s.clicks_j, '$[' || (_cf_c2.ci - 1) || ']')::VARCHAR
      FROM _cf_s3 s WHERE _cf_c2.q IS NOT NULL AND _cf_c2.raw IS NULL AND s.fidx = _cf_c2.fidx AND s.line = _cf_c2.line`);
  }
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

  return { clicksIn, clicksOut, rankFixed, dwellNulled, dropped };
}

/** Conversions of the loaded records; duplicates and bad conversions are quarantined. */
async function loadConversions(ctx: Ctx): Promise<{ convIn: number; convOut: number; dropped: Record<string, number> }> {
  const { conn, tsFmt } = ctx;
  let dropped: Record<string, number> = {};
  // conversions
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_v1 AS
WITH u AS (
  SELECT fidx, file, line, serp_id, session_id, user_id, unnest(l) AS c, unnest(generate_series(1, len(l))) AS ci
  FROM (SELECT fidx, file, line, serp_id, session_id, user_id, json_extract(conv_j, '$[*]') AS l FROM _cf_s3 WHERE q IS NULL AND conv_j IS NOT NULL AND conv_j <> '[]')),
p AS (
  SELECT *, cf_str(y[1]) AS doc_id, cf_str(y[2]) AS ts_s, cf_ts(cf_str(y[2]), ${tsFmt}) AS ts, cf_str(y[3]) AS kind, cf_str(y[4]) AS value_s, cf_num(cf_str(y[4])) AS value
  FROM (SELECT *, json_extract(c, ['$.doc_id', '$.ts', '$.kind', '$.value']) AS y FROM u))
SELECT *, CASE
  WHEN json_type(c) <> 'OBJECT' THEN ${rq('bad_type', `'conversion #' || ci || ' of serp "' || serp_id || '" is not an object {doc_id, ts, kind, value?}'`)}
  WHEN cf_isnull(y[1]) THEN ${rq('missing_field', `'conversion #' || ci || ' of serp "' || serp_id || '" has no doc_id'`)}
  WHEN cf_isnull(y[3]) OR kind = '' THEN ${rq('missing_field', `'conversion #' || ci || ' of serp "' || serp_id || '" has no kind (e.g. "purchase", "add_to_cart")'`)}
  WHEN NOT cf_isnull(y[2]) AND ts IS NULL THEN ${rq('bad_timestamp', `'conversion #' || ci || ' of serp "' || serp_id || '": ts "' || ts_s || '" is not an ISO 8601 time or epoch seconds/milliseconds'`)}
  ${tsRangeCheck('ts', 'ts_s', `'conversion #' || ci || ' of serp "' || serp_id || '": ts'`)}
  WHEN NOT cf_isnull(y[4]) AND value IS NULL THEN ${rq('bad_type', `'conversion #' || ci || ' of serp "' || serp_id || '": value "' || value_s || '" is not a finite number'`)}
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
  await conn.run(`DROP TABLE _cf_c2; DROP TABLE _cf_v2;`);

  return { convIn, convOut, dropped };
}


/** Keep `_cf_s3` alive for timestamp detection; the caller drops it. */
export const SERPS_ROWS_TABLE = '_cf_s3';
