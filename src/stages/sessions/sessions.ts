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
import { duckdbDialect } from '../../db/dialect/index.js';
import { conversionLinksSql, endsLinkedSql, reformulationCandidatesSql, reformulationsSql, serpBaseSql, serpFactsSql, serpSeqSql, sessionClicksSql, sessionSuccessSql, windowsOf, type Windows } from './statements.js';

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

const D = duckdbDialect;

/**
 * Sessionize `input` and write the relations of `sessionRelations(ns)` (see the module doc).
 * `input.conversions` and `input.sessionEnds` must be tables (their rows are numbered by rowid).
 */
export async function buildSessions(conn: DuckDBConnection, input: LogRelations, opts: SessionOptions, ns?: Namespace): Promise<{ relations: SessionRelations; stats: StageStats }> {
  const t0 = performance.now();
  await requireRelations(conn, STAGE, [input.serps, input.impressions, input.clicks, input.conversions, input.sessionEnds], 'ingest');
  await createNamespace(conn, ns);
  const out = sessionRelations(ns);
  const w = windowsOf(opts);
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

/** 1. Query normalisation in TypeScript over distinct raw queries (one source of truth: normalizeQuery), into `out.queryNorms`. */
export async function normaliseQueries(conn: DuckDBConnection, input: Pick<LogRelations, 'serps'>, out: Pick<SessionRelations, 'queryNorms'>): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${out.queryNorms.name} (query VARCHAR, query_norm VARCHAR)`);
  const distinct = await conn.runAndReadAll(`SELECT DISTINCT query FROM ${input.serps.name} ORDER BY query`);
  const rawQueries = distinct.getColumnsJS()[0] ?? [];
  await appendStringRows(conn, out.queryNorms.name, (function* () {
    for (const q of rawQueries) yield [q as string, normalizeQuery(q as string)] as const;
  })());
}

/** 2. Sessionization. Given session_id wins; else per user by inactivity gap measured from the user's last activity (search or click); else a session of its own. */
async function sessionize(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(serpBaseSql(D, input, out, w));
  await conn.run(serpSeqSql(D));
}

/** 3. Reformulations: similarity in TypeScript over DISTINCT (query, next query) pairs in the window. */
async function findReformulations(conn: DuckDBConnection, out: SessionRelations, w: Windows, minSimilarity: number): Promise<number> {
  const cand = await conn.runAndReadAll(reformulationCandidatesSql(D, w));
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
  await conn.run(endsLinkedSql(D, input));
  await conn.run(sessionSuccessSql(D));
}

/** serp_facts (with the reformulation flag and session success) and the reformulation edges of the families stage. */
async function writeSerpFacts(conn: DuckDBConnection, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(serpFactsSql(D, out, w));
  await conn.run(reformulationsSql(D, out));
}

/** 5. Conversions -> result page. Given serp_id is kept; otherwise the latest page of the same session (else user) at or before the conversion, within the window, that showed the doc, preferring pages where the user clicked it. */
async function linkConversions(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(conversionLinksSql(D, input, out, w));
}

/** 6. Clicks: dwell (given, else time to the next event of the session, capped; else unknown), returns to the same page and reformulations within the pogo window, last click of session. */
async function writeSessionClicks(conn: DuckDBConnection, input: LogRelations, out: SessionRelations, w: Windows): Promise<void> {
  await conn.run(sessionClicksSql(D, input, out, w));
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
