/**
 * The evidence stage's SQL, written once and generated per engine (src/db/dialect). Each function
 * returns one statement; `buildEvidence` runs them on DuckDB in the order of `evidenceStatements`,
 * `clickforge sql` writes them into a job folder.
 */
import type { Dialect } from '../../db/dialect/index.js';
import type { Relation } from '../../db/relation.js';
import type { EvidenceOptions } from './options.js';

/** The relations the statements read and write (names only). */
export interface EvidenceSqlRelations {
  readonly serpFacts: Relation;
  readonly sessionClicks: Relation;
  readonly conversionLinks: Relation;
  readonly impressions: Relation;
  readonly clicks: Relation;
  readonly clickFacts: Relation;
  readonly evidence: Relation;
  readonly queryIds: Relation;
  readonly docIds: Relation;
  readonly pairRanks: Relation;
}

/** Outcomes that count as evidence for a pair; the others are discarded. */
export const KEPT_OUTCOMES: ReadonlySet<string> = new Set(['converted', 'satisfied', 'success_last', 'medium_dwell', 'weak_unknown_dwell']);

/** The columns of the per-pair impression aggregate, before the evidence stage keeps only the keys and ranks. */
export const PAIR_IMPRESSION_COLUMNS = ['qid', 'did', 'impressions', 'serps', 'users', 'first_ts', 'last_ts', 'skip_above', 'imp_ranks'] as const;

/** The scratch relation of the stage, dropped at its end. */
export const EVIDENCE_SCRATCH = ['_ev_serp'] as const;

type DwellOptions = Pick<EvidenceOptions, 'satisfiedDwellMs' | 'shortDwellMs' | 'mediumDwell' | 'unknownDwell'>;

/** Per-click flags and the outcome bucket of each click (the click funnel). */
export function clickFactsSql(d: Dialect, r: EvidenceSqlRelations, opts: DwellOptions): string {
  const sat = opts.satisfiedDwellMs;
  const short = opts.shortDwellMs;
  const medium = opts.mediumDwell === 'weak' ? `'medium_dwell'` : `'medium_dwell_dropped'`;
  const unknown = opts.unknownDwell === 'weak' ? `'weak_unknown_dwell'` : `'unknown_dwell'`;
  const kept = [...KEPT_OUTCOMES].map((o) => `'${o}'`).join(', ');
  return d.createAs(r.clickFacts.name, `    WITH conv AS (
      SELECT doc_id, ts, serp_id, session_key FROM ${r.conversionLinks.name} WHERE session_key IS NOT NULL
    ),
    conv_hits AS (
      SELECT DISTINCT k.click_id
      FROM ${r.sessionClicks.name} k JOIN conv c ON c.doc_id = k.doc_id AND c.session_key = k.session_key
      WHERE c.serp_id = k.serp_id OR (c.ts IS NOT NULL AND k.ts IS NOT NULL AND c.ts >= k.ts)
    ),
    f AS (
      SELECT k.click_id, k.serp_id, k.session_key, k.user_id, s.query, s.query_norm, k.doc_id, k.rank, k.ts,
             k.dwell_ms, k.dwell_source,
             coalesce(k.dwell_ms >= ${sat}, false) AS satisfied,
             h.click_id IS NOT NULL AS converted,
             k.is_last_click AND coalesce(k.session_success, false) AS success_last,
             coalesce(k.dwell_ms < ${short}, false) AS short_dwell,
             coalesce(k.dwell_ms >= ${short} AND k.dwell_ms < ${sat}, false) AS medium_dwell,
             coalesce(k.dwell_ms < ${short}, false) AND k.pogo_return AS pogo,
             k.dwell_ms IS NULL AS unknown_dwell
      FROM ${r.sessionClicks.name} k JOIN ${r.serpFacts.name} s USING (serp_id) LEFT JOIN conv_hits h USING (click_id)
    ),
    o AS (
      SELECT *,
             CASE WHEN converted THEN 'converted'
                  WHEN satisfied THEN 'satisfied'
                  WHEN success_last THEN 'success_last'
                  WHEN pogo THEN 'pogo'
                  WHEN short_dwell THEN 'short_dwell'
                  WHEN medium_dwell THEN ${medium}
                  ELSE ${unknown} END AS outcome
      FROM f
    )
    SELECT *, outcome IN (${kept}) AS kept FROM o ORDER BY click_id
  `);
}

/** Query keys: each normalised query with its most frequent raw form. */
export function queryIdsSql(d: Dialect, r: EvidenceSqlRelations): string {
  const first = d.firstPerGroup({
    columns: [['query_norm', 'query_norm'], ['query', 'query']],
    from: `FROM (SELECT query_norm, query, count(*) AS n FROM ${r.serpFacts.name} WHERE query_norm IS NOT NULL GROUP BY 1, 2)`,
    partitionBy: 'query_norm',
    orderBy: 'n DESC, query',
  });
  return d.createAs(r.queryIds.name, `    WITH f AS (
      ${first}
    )
    SELECT query_norm, query, ${d.surrogateKey('query_norm')} AS qid FROM f
  `);
}

/** Document keys: every document shown or clicked. */
export function docIdsSql(d: Dialect, r: EvidenceSqlRelations): string {
  return d.createAs(r.docIds.name, `    SELECT doc_id, ${d.surrogateKey('doc_id')} AS did FROM (SELECT DISTINCT doc_id FROM ${r.impressions.name} UNION SELECT doc_id FROM ${r.clicks.name})
  `);
}

/** One row per result page with its query key, user key and the rank of its lowest click. */
export function evidenceSerpsSql(d: Dialect, r: EvidenceSqlRelations): string {
  return d.createAs('_ev_serp', `    WITH u AS (
      SELECT user_key, ${d.surrogateKey('user_key')} AS uid
      FROM (SELECT DISTINCT coalesce('user:' || user_id, 'session:' || session_key) AS user_key FROM ${r.serpFacts.name})
    ),
    m AS (SELECT serp_id, max(rank) AS max_rank FROM ${r.clicks.name} GROUP BY serp_id)
    SELECT s.serp_id, ${d.surrogateKey('s.serp_id')} AS sid, q.qid, u.uid, s.ts, m.max_rank
    FROM ${r.serpFacts.name} s
    JOIN ${r.queryIds.name} q USING (query_norm)
    JOIN u ON u.user_key = coalesce('user:' || s.user_id, 'session:' || s.session_key)
    LEFT JOIN m USING (serp_id)
  `, { temp: true });
}

/** Impression-level aggregation on the keys (one row per pair): the evidence counts and the ranks of the pair's impressions (impressions only, unordered). */
export function pairImpressionsSql(d: Dialect, r: EvidenceSqlRelations): string {
  return d.createAs(r.pairRanks.name, `    WITH clicked AS (SELECT DISTINCT serp_id, doc_id FROM ${r.clicks.name}),
    shown AS (
      -- impressions, plus clicked (serp, doc, rank) that no impression shows
      SELECT serp_id, doc_id, rank, true AS from_imp FROM ${r.impressions.name}
      UNION ALL
      SELECT DISTINCT c.serp_id, c.doc_id, c.rank, false AS from_imp FROM ${r.clicks.name} c
      ${d.antiJoin(`${r.impressions.name} i`, 'i.serp_id = c.serp_id AND i.doc_id = c.doc_id')}
    ),
    l AS (
      SELECT s.qid, d.did, s.sid, s.uid, s.ts, (sh.rank < s.max_rank AND k.serp_id IS NULL) AS skip,
             CASE WHEN sh.from_imp AND sh.rank >= 1 THEN sh.rank END AS imp_rank
      FROM shown sh
      JOIN _ev_serp s USING (serp_id)
      JOIN ${r.docIds.name} d USING (doc_id)
      LEFT JOIN clicked k ON k.serp_id = sh.serp_id AND k.doc_id = sh.doc_id
    ),
    -- serps and users: one window sorted by (user, page) inside each pair marks the first row of each
    -- (pair, user) and (pair, page) (a page has one user), then one GROUP BY on the pair key.
    lf AS (
      SELECT qid, did, ts, skip, imp_rank,
             lag(uid) OVER w IS DISTINCT FROM uid AS first_user,
             lag(sid) OVER w IS DISTINCT FROM sid AS first_serp
      FROM l WINDOW w AS (PARTITION BY qid, did ORDER BY uid, sid)
    )
    SELECT qid, did, count(*) AS impressions, count(*) FILTER (WHERE first_serp) AS serps,
           count(*) FILTER (WHERE first_user) AS users, min(ts) AS first_ts, max(ts) AS last_ts,
           count(*) FILTER (WHERE skip) AS skip_above,
           ${d.listAgg('imp_rank')} FILTER (WHERE imp_rank IS NOT NULL) AS imp_ranks
    FROM lf GROUP BY qid, did
  `);
}

/** One row of signal counts, the funnel grade and weight per pair. */
export function evidenceSql(d: Dialect, r: EvidenceSqlRelations): string {
  const big = (c: string): string => `${d.cast(c, 'BIGINT')} AS ${c}`;
  const signals = d.listOfNonNull([
    `CASE WHEN b_converted > 0 THEN 'converted' END`,
    `CASE WHEN b_satisfied > 0 THEN 'satisfied' END`,
    `CASE WHEN b_success_last > 0 THEN 'success_last' END`,
    `CASE WHEN b_medium > 0 THEN 'medium_dwell' END`,
    `CASE WHEN b_unknown > 0 THEN 'unknown_dwell' END`,
  ]);
  return d.createAs(r.evidence.name, `    WITH imp AS (SELECT ${d.starExcept(PAIR_IMPRESSION_COLUMNS, ['imp_ranks'])} FROM ${r.pairRanks.name}),
    cl AS (
      SELECT s.qid, d.did,
             count(*) AS clicks,
             count(*) FILTER (WHERE satisfied) AS satisfied,
             count(*) FILTER (WHERE converted) AS converted,
             count(*) FILTER (WHERE success_last) AS success_last,
             count(*) FILTER (WHERE short_dwell) AS short_dwell,
             count(*) FILTER (WHERE pogo) AS pogo,
             count(*) FILTER (WHERE unknown_dwell) AS unknown_dwell,
             count(*) FILTER (WHERE outcome = 'converted') AS b_converted,
             count(*) FILTER (WHERE outcome = 'satisfied') AS b_satisfied,
             count(*) FILTER (WHERE outcome = 'success_last') AS b_success_last,
             count(*) FILTER (WHERE outcome = 'medium_dwell') AS b_medium,
             count(*) FILTER (WHERE outcome = 'weak_unknown_dwell') AS b_unknown,
             count(*) FILTER (WHERE kept) AS b_kept,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS b_negative
      FROM ${r.clickFacts.name} f JOIN _ev_serp s USING (serp_id) JOIN ${r.docIds.name} d USING (doc_id) GROUP BY 1, 2
    ),
    j AS (
      SELECT q.query_norm, q.query, d.doc_id, imp.impressions,
             coalesce(cl.clicks, 0) AS clicks, coalesce(cl.satisfied, 0) AS satisfied,
             coalesce(cl.converted, 0) AS converted, coalesce(cl.success_last, 0) AS success_last,
             coalesce(cl.short_dwell, 0) AS short_dwell, coalesce(cl.pogo, 0) AS pogo,
             coalesce(cl.unknown_dwell, 0) AS unknown_dwell, imp.skip_above, imp.serps, imp.users,
             imp.first_ts, imp.last_ts,
             coalesce(cl.b_converted, 0) AS b_converted, coalesce(cl.b_satisfied, 0) AS b_satisfied,
             coalesce(cl.b_success_last, 0) AS b_success_last, coalesce(cl.b_medium, 0) AS b_medium,
             coalesce(cl.b_unknown, 0) AS b_unknown, coalesce(cl.b_kept, 0) AS b_kept,
             coalesce(cl.b_negative, 0) AS b_negative
      FROM imp LEFT JOIN cl USING (qid, did) JOIN ${r.queryIds.name} q USING (qid) JOIN ${r.docIds.name} d USING (did)
    ),
    g AS (
      SELECT *,
             CASE WHEN b_converted > 0 THEN 3
                  WHEN b_satisfied + b_success_last > 0 AND b_satisfied + b_success_last > b_negative THEN 2
                  WHEN b_kept > 0 THEN 1
                  ELSE 0 END AS grade
      FROM j
    )
    -- no ORDER BY: every reader orders by (query_norm, doc_id) itself (readEvidence, the parquet export)
    SELECT query_norm, query, doc_id,
           ${big('impressions')}, ${big('clicks')}, ${big('satisfied')},
           ${big('converted')}, ${big('success_last')}, ${big('short_dwell')},
           ${big('pogo')}, ${big('unknown_dwell')}, ${big('skip_above')},
           ${big('serps')}, ${big('users')}, first_ts, last_ts,
           ${d.cast('grade', 'INTEGER')} AS grade,
           ${d.cast('CASE WHEN grade > 0 THEN log2(1 + b_kept) ELSE 0 END', 'DOUBLE')} AS weight,
           CASE WHEN grade > 0 THEN ${signals} ELSE ${d.emptyList('VARCHAR')} END AS signals
    FROM g
  `);
}
