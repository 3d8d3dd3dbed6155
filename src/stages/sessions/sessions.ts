/**
 * Sessions stage: sessionize result pages, link conversions, derive dwell, find reformulations and
 * returns to the result page (pogo-sticking candidates).
 *
 * Input: the click-log relations of ingest (serps, impressions, clicks, conversions, session_ends).
 * Output (relations in the namespace `ns`, returned as `relations`):
 *   query_norms(query, query_norm)                   normalizeQuery over DISTINCT raw queries
 *   serp_facts(serp_id, session_key, session_source, session_id, user_id, ts, query, query_norm,
 *                 session_seq, next_serp_ts, next_query_norm, reformulated, session_success)
 *   reformulation_pairs(query_norm_from, query_norm_to, similarity)   distinct similar pairs
 *   reformulations(query_norm_from, query_norm_to, count)             used by the families stage
 *   conversion_links(conv_row, doc_id, ts, kind, value, serp_id, session_key, link)
 *   session_clicks(click_id, serp_id, session_key, user_id, doc_id, rank, ts, dwell_ms, dwell_source,
 *                  next_event_ts, next_same_serp_ts, pogo_return, is_last_click, session_success)
 * Drops: conversions that match no result page (`conversion_unlinked`), session ends that match no
 * session (`session_end_unmatched`). No click or serp is dropped here.
 * See docs/stages/sessions.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StageStats } from '../../types.js';
import { queryNumber, queryRows } from '../../db/duckdb.js';
import { createNamespace, relation, requireRelations, type Namespace, type Relation } from '../../db/relation.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { LogRelations } from '../ingest/relations.js';
import type { SessionOptions } from './options.js';
import { querySimilarity } from './similarity.js';
import { appendStringRows } from './db-helpers.js';

const STAGE = 'sessions';

export const QUERY_NORMS_COLUMNS = ['query', 'query_norm'] as const;
export const SERP_FACTS_COLUMNS = ['serp_id', 'session_key', 'session_source', 'session_id', 'user_id', 'ts', 'query', 'query_norm',
  'session_seq', 'next_serp_ts', 'next_query_norm', 'reformulated', 'session_success'] as const;
export const REFORMULATION_PAIRS_COLUMNS = ['query_norm_from', 'query_norm_to', 'similarity'] as const;
export const REFORMULATIONS_COLUMNS = ['query_norm_from', 'query_norm_to', 'count'] as const;
export const CONVERSION_LINKS_COLUMNS = ['conv_row', 'doc_id', 'ts', 'kind', 'value', 'serp_id', 'session_key', 'link'] as const;
export const SESSION_CLICKS_COLUMNS = ['click_id', 'serp_id', 'session_key', 'user_id', 'doc_id', 'rank', 'ts', 'dwell_ms', 'dwell_source',
  'dwell_capped', 'next_event_ts', 'next_same_serp_ts', 'pogo_return', 'is_last_click', 'session_success'] as const;

export type QueryNorms = Relation<(typeof QUERY_NORMS_COLUMNS)[number]>;
export type SerpFacts = Relation<(typeof SERP_FACTS_COLUMNS)[number]>;
export type ReformulationPairs = Relation<(typeof REFORMULATION_PAIRS_COLUMNS)[number]>;
export type Reformulations = Relation<(typeof REFORMULATIONS_COLUMNS)[number]>;
export type ConversionLinks = Relation<(typeof CONVERSION_LINKS_COLUMNS)[number]>;
export type SessionClicks = Relation<(typeof SESSION_CLICKS_COLUMNS)[number]>;

/** What the sessions stage writes. */
export interface SessionRelations {
  readonly queryNorms: QueryNorms;
  readonly serpFacts: SerpFacts;
  readonly reformulationPairs: ReformulationPairs;
  readonly reformulations: Reformulations;
  readonly conversionLinks: ConversionLinks;
  readonly sessionClicks: SessionClicks;
}

/** The handles of the sessions stage's relations in namespace `ns`. */
export function sessionRelations(ns?: Namespace): SessionRelations {
  return {
    queryNorms: relation('query_norms', QUERY_NORMS_COLUMNS, ns),
    serpFacts: relation('serp_facts', SERP_FACTS_COLUMNS, ns),
    reformulationPairs: relation('reformulation_pairs', REFORMULATION_PAIRS_COLUMNS, ns),
    reformulations: relation('reformulations', REFORMULATIONS_COLUMNS, ns),
    conversionLinks: relation('conversion_links', CONVERSION_LINKS_COLUMNS, ns),
    sessionClicks: relation('session_clicks', SESSION_CLICKS_COLUMNS, ns),
  };
}

interface Windows {
  readonly gapMs: number;
  readonly refWinMs: number;
  readonly pogoMs: number;
  readonly convWinMs: number;
  readonly capMs: number;
}

/**
 * Sessionize `input` and write the relations of `sessionRelations(ns)` (see the module doc).
 * `input.conversions` and `input.sessionEnds` must be tables (their rows are numbered by rowid).
 */
export async function buildSessions(conn: DuckDBConnection, input: LogRelations, opts: SessionOptions, ns?: Namespace): Promise<{ relations: SessionRelations; stats: StageStats }> {
  const t0 = performance.now();
  await requireRelations(conn, STAGE, [input.serps, input.impressions, input.clicks, input.conversions, input.sessionEnds], 'ingest');
  await createNamespace(conn, ns);
  const out = sessionRelations(ns);
  const w: Windows = {
    gapMs: Math.round(opts.gapMinutes * 60_000),
    refWinMs: Math.round(opts.reformulationWindowSec * 1000),
    pogoMs: Math.round(opts.pogoWindowSec * 1000),
    convWinMs: Math.round(opts.conversionWindowMinutes * 60_000),
    capMs: opts.dwellCapMs,
  };
  await normaliseQueries(conn, input, out);
  await sessionize(conn, input, out, w);
  const candidatePairs = await findReformulations(conn, out, w, opts.reformulationMinSimilarity);
  await linkSessionEnds(conn, input);
  await writeSerpFacts(conn, out, w);
  await linkConversions(conn, input, out, w);
  await writeSessionClicks(conn, input, out, w);
  await conn.run('DROP TABLE IF EXISTS _serp_base; DROP TABLE IF EXISTS _serp_seq; DROP TABLE IF EXISTS _session_success;');
  const stats = await sessionStats(conn, input, out, opts, candidatePairs);
  return { relations: out, stats: { ...stats, seconds: (performance.now() - t0) / 1000 } };
}

/** 1. Query normalisation in TypeScript over distinct raw queries (one source of truth: normalizeQuery). */
async function normaliseQueries(conn: DuckDBConnection, input: LogRelations, out: SessionRelations): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${out.queryNorms.name} (query VARCHAR, query_norm VARCHAR)`);
  const distinct = await conn.runAndReadAll(`SELECT DISTINCT query FROM ${input.serps.name} ORDER BY query`);
  const rawQueries = distinct.getColumnsJS()[0] ?? [];
  await appendStringRows(conn, out.queryNorms.name, (function* () {
    for (const q of rawQueries) yield [q as string, normalizeQuery(q as string)] as const;
  })());
}

/** 2. Sessionization. Given session_id wins; else per user by inactivity gap measured from the user's last activity (search or click); else a session of its own. */
async function sessionize(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE _serp_base AS
    WITH click_last AS (
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
             'u:' || user_id || ':' || sum(new_sess) OVER (PARTITION BY user_id ORDER BY ts, serp_id ROWS UNBOUNDED PRECEDING) AS session_key
      FROM g
    )
    SELECT s.serp_id,
           CASE WHEN s.session_id IS NOT NULL THEN 's:' || s.session_id
                WHEN g2.session_key IS NOT NULL THEN g2.session_key
                ELSE 'x:' || s.serp_id END AS session_key,
           CASE WHEN s.session_id IS NOT NULL THEN 'given' WHEN g2.session_key IS NOT NULL THEN 'gap' ELSE 'single' END AS session_source,
           s.session_id, s.user_id, s.ts, s.query, qn.query_norm, s.session_success AS success_given
    FROM s LEFT JOIN g2 USING (serp_id) LEFT JOIN ${out.queryNorms.name} qn USING (query)
  `);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE _serp_seq AS
    SELECT *,
           row_number() OVER w AS session_seq,
           lead(ts) OVER w AS next_serp_ts,
           lead(query_norm) OVER w AS next_query_norm
    FROM _serp_base
    WINDOW w AS (PARTITION BY session_key ORDER BY ts, serp_id)
  `);
}

/** 3. Reformulations: similarity in TypeScript over DISTINCT (query, next query) pairs in the window. */
async function findReformulations(conn: DuckDBConnection, out: SessionRelations, w: Windows, minSimilarity: number): Promise<number> {
  const cand = await conn.runAndReadAll(`
    SELECT DISTINCT query_norm, next_query_norm FROM _serp_seq
    WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm AND next_serp_ts - ts <= ${w.refWinMs}
    ORDER BY 1, 2
  `);
  const cols = cand.getColumnsJS();
  const fromCol = cols[0] ?? [];
  const toCol = cols[1] ?? [];
  await conn.run(`CREATE OR REPLACE TABLE ${out.reformulationPairs.name} (query_norm_from VARCHAR, query_norm_to VARCHAR, similarity DOUBLE)`);
  const similar: (readonly [string, string, number])[] = [];
  for (let i = 0; i < fromCol.length; i++) {
    const a = fromCol[i] as string;
    const b = toCol[i] as string;
    const sim = querySimilarity(a, b);
    if (sim >= minSimilarity) similar.push([a, b, sim]);
  }
  await appendStringRows(conn, out.reformulationPairs.name, similar);
  return fromCol.length;
}

/** 4. Session success: given on serps, or from session_end events (by session_id, else by user: the session of the user's latest result page at or before the end event). */
async function linkSessionEnds(conn: DuckDBConnection, input: LogRelations): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE _ends_linked AS
    SELECT e.rowid AS end_row, b.session_key, e.success
    FROM ${input.sessionEnds.name} e
    LEFT JOIN (SELECT DISTINCT session_id, session_key FROM _serp_base WHERE session_id IS NOT NULL) b
      ON e.session_id = b.session_id
    WHERE e.session_id IS NOT NULL
    UNION ALL
    SELECT e.rowid AS end_row, s.session_key, e.success
    FROM (SELECT rowid, * FROM ${input.sessionEnds.name} WHERE session_id IS NULL) e
    ASOF LEFT JOIN (SELECT user_id, ts, session_key FROM _serp_base WHERE user_id IS NOT NULL) s
      ON e.user_id = s.user_id AND e.ts >= s.ts
  `);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE _session_success AS
    SELECT session_key, bool_or(success) AS success FROM (
      SELECT session_key, success_given AS success FROM _serp_base WHERE success_given IS NOT NULL
      UNION ALL
      SELECT session_key, success FROM _ends_linked WHERE session_key IS NOT NULL AND success IS NOT NULL
    ) GROUP BY session_key
  `);
}

/** serp_facts (with the reformulation flag and session success) and the reformulation edges of the families stage. */
async function writeSerpFacts(conn: DuckDBConnection, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.serpFacts.name} AS
    SELECT q.serp_id, q.session_key, q.session_source, q.session_id, q.user_id, q.ts, q.query, q.query_norm,
           q.session_seq, q.next_serp_ts, q.next_query_norm,
           (rp.query_norm_from IS NOT NULL AND q.next_serp_ts - q.ts <= ${w.refWinMs}) AS reformulated,
           ss.success AS session_success
    FROM _serp_seq q
    LEFT JOIN ${out.reformulationPairs.name} rp ON rp.query_norm_from = q.query_norm AND rp.query_norm_to = q.next_query_norm
    LEFT JOIN _session_success ss USING (session_key)
    ORDER BY q.session_key, q.session_seq
  `);
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.reformulations.name} AS
    SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to, count(*)::BIGINT AS count
    FROM ${out.serpFacts.name} WHERE reformulated GROUP BY 1, 2 ORDER BY 1, 2
  `);
}

/** 5. Conversions -> result page. Given serp_id is kept; otherwise the latest page of the same session (else user) at or before the conversion, within the window, that showed the doc, preferring pages where the user clicked it. */
async function linkConversions(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.conversionLinks.name} AS
    WITH c AS (SELECT rowid AS conv_row, * FROM ${input.conversions.name}),
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
      SELECT cand.conv_row, cand.serp_id, cand.session_key
      FROM cand
      JOIN c USING (conv_row)
      JOIN ${input.impressions.name} i ON i.serp_id = cand.serp_id AND i.doc_id = c.doc_id
      LEFT JOIN clicked k ON k.serp_id = cand.serp_id AND k.doc_id = c.doc_id
      WHERE c.ts IS NULL OR (cand.ts <= c.ts AND c.ts - cand.ts <= ${w.convWinMs})
      QUALIFY row_number() OVER (PARTITION BY cand.conv_row
                                 ORDER BY (k.serp_id IS NOT NULL) DESC, cand.ts DESC, cand.serp_id DESC) = 1
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

/** 6. Clicks: dwell (given, else time to the next event of the session, capped; else unknown), returns to the same page and reformulations within the pogo window, last click of session. */
async function writeSessionClicks(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.sessionClicks.name} AS
    WITH k AS (
      SELECT c.click_id, c.serp_id, s.session_key, s.user_id, c.doc_id, c.rank, c.ts, c.dwell_ms,
             s.reformulated, s.next_serp_ts, s.session_success
      FROM ${input.clicks.name} c JOIN ${out.serpFacts.name} s USING (serp_id)
    ),
    ev AS (
      SELECT session_key, ts, 0 AS kind, serp_id, NULL::BIGINT AS click_id FROM ${out.serpFacts.name}
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

/** The stage's counts: one pass over the session keys (a key's pages all have one source, but each source is counted as before: keys with any page of it). */
async function sessionStats(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, opts: SessionOptions, candidatePairs: number): Promise<StageStats> {
  const counts = (await queryRows<Record<string, number>>(conn, `
    WITH sk AS (SELECT session_key, bool_or(session_source = 'given') AS given, bool_or(session_source = 'gap') AS gap, bool_or(session_source = 'single') AS single
                FROM ${out.serpFacts.name} WHERE session_key IS NOT NULL GROUP BY session_key)
    SELECT
      (SELECT count(*) FROM ${out.serpFacts.name}) AS serps,
      (SELECT count(*) FROM ${input.clicks.name}) AS clicks,
      (SELECT count(*) FROM ${input.conversions.name}) AS conversions,
      (SELECT count(*) FROM ${input.sessionEnds.name}) AS session_ends,
      (SELECT count(*) FROM sk) AS sessions,
      (SELECT count(*) FILTER (WHERE given) FROM sk) AS sessions_given,
      (SELECT count(*) FILTER (WHERE gap) FROM sk) AS sessions_gap,
      (SELECT count(*) FILTER (WHERE single) FROM sk) AS sessions_single,
      (SELECT count(*) FILTER (WHERE reformulated) FROM ${out.serpFacts.name}) AS serps_reformulated,
      (SELECT count(*) FROM ${out.reformulations.name}) AS reformulation_edges,
      (SELECT count(*) FROM ${out.queryNorms.name}) AS distinct_queries,
      (SELECT count(DISTINCT query_norm) FROM ${out.queryNorms.name}) AS distinct_query_norms,
      (SELECT count(*) FILTER (WHERE dwell_source = 'given') FROM ${out.sessionClicks.name}) AS dwell_given,
      (SELECT count(*) FILTER (WHERE dwell_source = 'derived') FROM ${out.sessionClicks.name}) AS dwell_derived,
      (SELECT count(*) FILTER (WHERE dwell_source = 'unknown') FROM ${out.sessionClicks.name}) AS dwell_unknown,
      (SELECT count(*) FILTER (WHERE dwell_capped) FROM ${out.sessionClicks.name}) AS dwell_capped,
      (SELECT count(*) FILTER (WHERE pogo_return) FROM ${out.sessionClicks.name}) AS clicks_returned,
      (SELECT count(*) FILTER (WHERE link = 'given') FROM ${out.conversionLinks.name}) AS conversions_given_serp,
      (SELECT count(*) FILTER (WHERE link = 'linked') FROM ${out.conversionLinks.name}) AS conversions_linked,
      (SELECT count(*) FILTER (WHERE link = 'unlinked') FROM ${out.conversionLinks.name}) AS conversions_unlinked,
      (SELECT count(*) FILTER (WHERE session_key IS NULL) FROM _ends_linked) AS session_ends_unmatched
  `))[0] ?? {};
  await conn.run('DROP TABLE IF EXISTS _ends_linked');
  const n = (k: string): number => Number(counts[k] ?? 0);
  const notes: string[] = [];
  if (n('dwell_unknown') > 0) notes.push(`${n('dwell_unknown')} clicks have unknown dwell (no later event in their session and no dwell_ms given).`);
  if (n('conversions_unlinked') > 0) notes.push(`${n('conversions_unlinked')} conversions matched no result page that showed the doc within sessions.conversionWindowMinutes=${opts.conversionWindowMinutes}; give serp_id or session_id in the events to link them.`);
  const sessionClicks = await queryNumber(conn, `SELECT count(*) FROM ${out.sessionClicks.name}`);
  if (sessionClicks !== n('clicks')) notes.push(`${n('clicks') - sessionClicks} clicks reference no result page (ingest should have quarantined them).`);

  return {
    stage: STAGE,
    in: { serps: n('serps'), clicks: n('clicks'), conversions: n('conversions'), session_ends: n('session_ends') },
    out: {
      sessions: n('sessions'),
      sessions_given: n('sessions_given'),
      sessions_gap: n('sessions_gap'),
      sessions_single: n('sessions_single'),
      distinct_queries: n('distinct_queries'),
      distinct_query_norms: n('distinct_query_norms'),
      serps_reformulated: n('serps_reformulated'),
      reformulation_edges: n('reformulation_edges'),
      reformulation_candidate_pairs: candidatePairs,
      clicks: sessionClicks,
      dwell_given: n('dwell_given'),
      dwell_derived: n('dwell_derived'),
      dwell_unknown: n('dwell_unknown'),
      dwell_capped: n('dwell_capped'),
      clicks_returned: n('clicks_returned'),
      conversions_given_serp: n('conversions_given_serp'),
      conversions_linked: n('conversions_linked'),
    },
    dropped: { conversion_unlinked: n('conversions_unlinked'), session_end_unmatched: n('session_ends_unmatched') },
    notes,
  };
}
