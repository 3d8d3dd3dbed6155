/**
 * The sessions stage's SQL, written once and generated per engine (src/db/dialect). Each function
 * returns one statement; `buildSessions` runs them on DuckDB in this order, `clickforge sql`
 * writes them into a job folder.
 */
import type { Dialect } from '../../db/dialect/index.js';
import type { LogRelations } from '../ingest/relations.js';
import type { SessionRelations } from './sessions.js';
import type { SessionOptions } from './options.js';

export interface Windows {
  readonly gapMs: number;
  readonly refWinMs: number;
  readonly pogoMs: number;
  readonly convWinMs: number;
  readonly capMs: number;
}

type In = Pick<LogRelations, 'serps' | 'clicks' | 'impressions' | 'conversions' | 'sessionEnds'>;
type Out = Pick<SessionRelations, 'queryNorms' | 'serpFacts' | 'reformulationPairs' | 'reformulations' | 'conversionLinks' | 'sessionClicks'>;

/** Scratch relations of the stage, dropped at its end. */
export const SESSION_SCRATCH = ['_serp_base', '_serp_seq', '_session_success', '_ends_linked'] as const;

/** Result pages with their session key: given session_id wins; else per user by inactivity gap from the user's last activity (search or click); else a session of its own. */
export function serpBaseSql(d: Dialect, input: In, out: Out, w: Windows): string {
  return d.createAs('_serp_base', `    WITH click_last AS (
      SELECT serp_id, max(ts) AS last_click_ts FROM ${input.clicks.name} GROUP BY serp_id
    ),
    s AS (
      SELECT s.serp_id, s.session_id, s.user_id, s.ts, s.query, s.session_success,
             greatest(s.ts, coalesce(c.last_click_ts, s.ts)) AS last_activity
      FROM ${input.serps.name} s LEFT JOIN click_last c USING (serp_id)
    ),
    g AS (
      SELECT serp_id, user_id, ts,
             CASE WHEN prev_activity IS NULL OR ts - prev_activity > ${w.gapMs} THEN 1 ELSE 0 END AS new_sess
      FROM (
        SELECT serp_id, user_id, ts,
               max(last_activity) OVER (PARTITION BY user_id ORDER BY ts, serp_id
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_activity
        FROM s WHERE session_id IS NULL AND user_id IS NOT NULL
      )
    ),
    g2 AS (
      SELECT serp_id,
             'u:' || user_id || ':' || ${d.cast('sum(new_sess) OVER (PARTITION BY user_id ORDER BY ts, serp_id ROWS UNBOUNDED PRECEDING)', 'VARCHAR')} AS session_key
      FROM g
    )
    SELECT s.serp_id,
           CASE WHEN s.session_id IS NOT NULL THEN 's:' || s.session_id
                WHEN g2.session_key IS NOT NULL THEN g2.session_key
                ELSE 'x:' || s.serp_id END AS session_key,
           CASE WHEN s.session_id IS NOT NULL THEN 'given' WHEN g2.session_key IS NOT NULL THEN 'gap' ELSE 'single' END AS session_source,
           s.session_id, s.user_id, s.ts, s.query, qn.query_norm, s.session_success AS success_given
    FROM s LEFT JOIN g2 USING (serp_id) LEFT JOIN ${out.queryNorms.name} qn USING (query)
  `, { temp: true });
}

/** Position of each page in its session, and the next page's time and query. */
export function serpSeqSql(d: Dialect): string {
  return d.createAs('_serp_seq', `    SELECT *,
           row_number() OVER w AS session_seq,
           lead(ts) OVER w AS next_serp_ts,
           lead(query_norm) OVER w AS next_query_norm
    FROM _serp_base
    WINDOW w AS (PARTITION BY session_key ORDER BY ts, serp_id)
  `, { temp: true });
}

/** Distinct (query, next query) pairs within the reformulation window: the candidates whose similarity is measured. */
export function reformulationCandidatesSql(_d: Dialect, w: Windows): string {
  return `
    SELECT DISTINCT query_norm, next_query_norm FROM _serp_seq
    WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm AND next_serp_ts - ts <= ${w.refWinMs}
    ORDER BY 1, 2
  `;
}

/**
 * querySimilarity (similarity.ts) in SQL over the candidates: the higher of word and character-trigram
 * Jaccard (1 for equal queries), and the pairs at or above `minSimilarity` as reformulation_pairs.
 * buildSessions measures the similarity in TypeScript; a job runs this statement instead (a test
 * checks that both give the same pairs).
 */
export function reformulationPairsSql(d: Dialect, out: Out, w: Windows, minSimilarity: number): string {
  const jaccard = (a: string, b: string): string => `CASE WHEN ${d.listLength(a)} + ${d.listLength(b)} = 0 THEN ${d.cast('0', 'DOUBLE')}
                ELSE ${d.divide(d.intersectionSize(a, b), `(${d.listLength(a)} + ${d.listLength(b)} - ${d.intersectionSize(a, b)})`)} END`;
  return d.createAs(out.reformulationPairs.name, `    WITH c AS (${reformulationCandidatesSql(d, w).trim()}),
    sets AS (
      SELECT query_norm, next_query_norm,
             ${d.wordSet('query_norm')} AS wa, ${d.wordSet('next_query_norm')} AS wb,
             ${d.trigramSet(`' ' || query_norm || ' '`)} AS ta, ${d.trigramSet(`' ' || next_query_norm || ' '`)} AS tb
      FROM c
    ),
    sim AS (
      SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to,
             CASE WHEN query_norm = next_query_norm THEN ${d.cast('1', 'DOUBLE')}
                  ELSE greatest(${jaccard('wa', 'wb')},
                                ${jaccard('ta', 'tb')}) END AS similarity
      FROM sets
    )
    SELECT query_norm_from, query_norm_to, similarity FROM sim WHERE similarity >= ${d.cast(`'${minSimilarity}'`, 'DOUBLE')}
    ORDER BY 1, 2
  `);
}

/** Session ends linked to a session: by session_id, else the session of the user's latest result page at or before the end event. */
export function endsLinkedSql(d: Dialect, input: In): string {
  const byUser = d.asofLeftJoin({
    left: `(SELECT ${d.rowIdAndAll()} FROM ${input.sessionEnds.name} WHERE session_id IS NULL)`,
    leftAlias: 'e',
    right: '(SELECT user_id, ts, session_key FROM _serp_base WHERE user_id IS NOT NULL)',
    rightAlias: 's',
    eq: 'user_id',
    order: 'ts',
    leftKey: d.rowId(),
    select: [[d.rowId('e'), 'end_row'], ['s.session_key', 'session_key'], ['e.success', 'success']],
  });
  return d.createAs('_ends_linked', `    SELECT ${d.rowId('e')} AS end_row, b.session_key, e.success
    FROM ${input.sessionEnds.name} e
    LEFT JOIN (SELECT DISTINCT session_id, session_key FROM _serp_base WHERE session_id IS NOT NULL) b
      ON e.session_id = b.session_id
    WHERE e.session_id IS NOT NULL
    UNION ALL
    ${byUser}
  `, { temp: true });
}

/** Session success: given on result pages, or from linked session ends. */
export function sessionSuccessSql(d: Dialect): string {
  return d.createAs('_session_success', `    SELECT session_key, bool_or(success) AS success FROM (
      SELECT session_key, success_given AS success FROM _serp_base WHERE success_given IS NOT NULL
      UNION ALL
      SELECT session_key, success FROM _ends_linked WHERE session_key IS NOT NULL AND success IS NOT NULL
    ) GROUP BY session_key
  `, { temp: true });
}

/** serp_facts: pages with session, sequence, the reformulation flag and session success. */
export function serpFactsSql(d: Dialect, out: Out, w: Windows): string {
  return d.createAs(out.serpFacts.name, `    SELECT q.serp_id, q.session_key, q.session_source, q.session_id, q.user_id, q.ts, q.query, q.query_norm,
           q.session_seq, q.next_serp_ts, q.next_query_norm,
           (rp.query_norm_from IS NOT NULL AND q.next_serp_ts - q.ts <= ${w.refWinMs}) AS reformulated,
           ss.success AS session_success
    FROM _serp_seq q
    LEFT JOIN ${out.reformulationPairs.name} rp ON rp.query_norm_from = q.query_norm AND rp.query_norm_to = q.next_query_norm
    LEFT JOIN _session_success ss USING (session_key)
    ORDER BY q.session_key, q.session_seq
  `);
}

/** The reformulation edges of the families stage. */
export function reformulationsSql(d: Dialect, out: Out): string {
  return d.createAs(out.reformulations.name, `    SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to, ${d.cast('count(*)', 'BIGINT')} AS count
    FROM ${out.serpFacts.name} WHERE reformulated GROUP BY 1, 2 ORDER BY 1, 2
  `);
}

/** Conversions -> result page. Given serp_id is kept; otherwise the latest page of the same session (else user) at or before the conversion, within the window, that showed the doc, preferring pages where the user clicked it. */
export function conversionLinksSql(d: Dialect, input: In, out: Out, w: Windows): string {
  const best = d.firstPerGroup({
    columns: [['cand.conv_row', 'conv_row'], ['cand.serp_id', 'serp_id'], ['cand.session_key', 'session_key']],
    from: `FROM cand
      JOIN c USING (conv_row)
      JOIN ${input.impressions.name} i ON i.serp_id = cand.serp_id AND i.doc_id = c.doc_id
      LEFT JOIN clicked k ON k.serp_id = cand.serp_id AND k.doc_id = c.doc_id
      WHERE c.ts IS NULL OR (cand.ts <= c.ts AND c.ts - cand.ts <= ${w.convWinMs})`,
    partitionBy: 'cand.conv_row',
    orderBy: '(k.serp_id IS NOT NULL) DESC, cand.ts DESC, cand.serp_id DESC',
  });
  return d.createAs(out.conversionLinks.name, `    WITH c AS (SELECT ${d.rowId()} AS conv_row, * FROM ${input.conversions.name}),
    clicked AS (SELECT DISTINCT serp_id, doc_id FROM ${input.clicks.name}),
    cand AS (
      SELECT c.conv_row, s.serp_id, s.ts, s.session_key
      FROM c JOIN ${out.serpFacts.name} s ON s.session_id = c.session_id
      WHERE c.serp_id IS NULL AND c.session_id IS NOT NULL
      UNION ALL
      SELECT c.conv_row, s.serp_id, s.ts, s.session_key
      FROM c JOIN ${out.serpFacts.name} s ON s.user_id = c.user_id
      WHERE c.serp_id IS NULL AND c.session_id IS NULL AND c.user_id IS NOT NULL
    ),
    best AS (
      ${best}
    )
    SELECT c.conv_row, c.doc_id, c.ts, c.kind, c.value,
           coalesce(c.serp_id, b.serp_id) AS serp_id,
           coalesce(sg.session_key, b.session_key) AS session_key,
           CASE WHEN c.serp_id IS NOT NULL THEN 'given' WHEN b.serp_id IS NOT NULL THEN 'linked' ELSE 'unlinked' END AS link
    FROM c
    LEFT JOIN best b USING (conv_row)
    LEFT JOIN ${out.serpFacts.name} sg ON sg.serp_id = c.serp_id
    ORDER BY c.conv_row
  `);
}

/** Clicks: dwell (given, else time to the next event of the session, capped; else unknown), returns to the same page and reformulations within the pogo window, last click of session. */
export function sessionClicksSql(d: Dialect, input: In, out: Out, w: Windows): string {
  return d.createAs(out.sessionClicks.name, `    WITH k AS (
      SELECT c.click_id, c.serp_id, s.session_key, s.user_id, c.doc_id, c.rank, c.ts, c.dwell_ms,
             s.reformulated, s.next_serp_ts, s.session_success
      FROM ${input.clicks.name} c JOIN ${out.serpFacts.name} s USING (serp_id)
    ),
    ev AS (
      SELECT session_key, ts, 0 AS kind, serp_id, ${d.cast('NULL', 'BIGINT')} AS click_id FROM ${out.serpFacts.name}
      UNION ALL
      SELECT session_key, ts, 1 AS kind, serp_id, click_id FROM k WHERE ts IS NOT NULL
    ),
    nx AS (
      SELECT click_id, next_event_ts FROM (
        SELECT click_id, kind, lead(ts) OVER (PARTITION BY session_key ORDER BY ts, kind, serp_id, click_id) AS next_event_ts
        FROM ev
      ) WHERE kind = 1
    ),
    same AS (
      SELECT click_id, lead(ts) OVER (PARTITION BY serp_id ORDER BY ts, click_id) AS next_same_serp_ts
      FROM k WHERE ts IS NOT NULL
    )
    SELECT k.click_id, k.serp_id, k.session_key, k.user_id, k.doc_id, k.rank, k.ts,
           CASE WHEN k.dwell_ms IS NOT NULL THEN k.dwell_ms
                WHEN nx.next_event_ts IS NOT NULL THEN least(nx.next_event_ts - k.ts, ${w.capMs})
                ELSE NULL END AS dwell_ms,
           CASE WHEN k.dwell_ms IS NOT NULL THEN 'given'
                WHEN nx.next_event_ts IS NOT NULL THEN 'derived'
                ELSE 'unknown' END AS dwell_source,
           (k.dwell_ms IS NULL AND nx.next_event_ts - k.ts > ${w.capMs}) AS dwell_capped,
           nx.next_event_ts, same.next_same_serp_ts,
           coalesce(same.next_same_serp_ts - k.ts <= ${w.pogoMs}, false)
             OR coalesce(k.reformulated AND k.next_serp_ts >= k.ts AND k.next_serp_ts - k.ts <= ${w.pogoMs}, false) AS pogo_return,
           row_number() OVER (PARTITION BY k.session_key ORDER BY k.ts DESC NULLS LAST, k.click_id DESC) = 1 AS is_last_click,
           k.session_success
    FROM k LEFT JOIN nx USING (click_id) LEFT JOIN same USING (click_id)
    ORDER BY k.click_id
  `);
}

/** The stage's windows in milliseconds, from its options. */
export function windowsOf(opts: SessionOptions): Windows {
  return {
    gapMs: Math.round(opts.gapMinutes * 60_000),
    refWinMs: Math.round(opts.reformulationWindowSec * 1000),
    pogoMs: Math.round(opts.pogoWindowSec * 1000),
    convWinMs: Math.round(opts.conversionWindowMinutes * 60_000),
    capMs: opts.dwellCapMs,
  };
}
