import { queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { Reformulations, SerpFacts, SessionClicks } from '../sessions/sessions.js';
import type { FamilyInput, FamilyQuery } from './families.js';
import { familyOptions, type FamilyOptions, type FamilyOptionsInput } from './options.js';

/** What the family signals read: the sessions stage's relations. */
export interface FamilySignalInput {
  readonly serpFacts: SerpFacts;
  readonly sessionClicks: SessionClicks;
}

/**
 * The whole input of buildFamilies from the sessions stage's relations: every normalised query with
 * its page count and first time, the reformulation edges, the rule (e)/(f) signals, and `positives`
 * (query_norm -> positive doc ids) as given. `extraQueries` (normalised queries of the bootstrap
 * sources) join the list with a count of 1 when no page holds them.
 */
export async function familyInputFromDb(
  conn: DuckDBConnection,
  input: FamilySignalInput & { readonly reformulations: Reformulations },
  positives: ReadonlyMap<string, readonly string[]>,
  opts: FamilyOptionsInput | FamilyOptions = {},
  extraQueries: readonly string[] = [],
): Promise<FamilyInput> {
  const rows = await queryRows<{ query: string; count: number; firstTs: number | null }>(
    conn,
    `SELECT query_norm AS query, count(*)::BIGINT AS count, min(ts) AS "firstTs" FROM ${input.serpFacts.name} GROUP BY query_norm ORDER BY query_norm`,
  );
  const queries = rows.map((q): FamilyQuery => (q.firstTs === null ? { query: q.query, count: q.count } : { query: q.query, count: q.count, firstTs: q.firstTs }));
  // queries of the bootstrap sources that no result page holds: one occurrence each, no time
  const seen = new Set(queries.map((q) => q.query));
  for (const q of [...new Set(extraQueries)].sort()) if (!seen.has(q)) queries.push({ query: q, count: 1 });
  if (queries.length > rows.length) queries.sort((a, b) => (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
  const reformulations = await queryRows<{ from: string; to: string; count: number }>(
    conn,
    `SELECT query_norm_from AS "from", query_norm_to AS "to", count FROM ${input.reformulations.name} ORDER BY 1, 2`,
  );
  return { queries, reformulations, positives, ...(await familySignalsFromDb(conn, input, opts)) };
}

/**
 * The session and click signals of rules (e) and (f), computed in SQL from the sessions stage's
 * serp facts and session clicks; reads nothing else and writes nothing.
 *
 * - coSessions: unordered pairs (a, b) of different normalised queries where b followed a in the
 *   same session within `coSession.windowSec`, and the page of a had no click with dwell of at
 *   least `coSession.satisfiedDwellMs`; `sessions` = distinct sessions with that pair.
 * - clicks: per (query_norm, doc_id), clicks whose dwell is at least `coClick.minShortDwellMs`
 *   or unknown (the last click of a session is often the satisfying one).
 */
export async function familySignalsFromDb(
  conn: DuckDBConnection,
  input: FamilySignalInput,
  opts: FamilyOptionsInput | FamilyOptions = {},
): Promise<{ coSessions: { a: string; b: string; sessions: number }[]; clicks: { query: string; doc_id: string; clicks: number }[] }> {
  const o = familyOptions.parse(opts);
  const windowMs = Math.round(o.coSession.windowSec * 1000);
  const coSessions = o.coSession.enabled
    ? await queryRows<{ a: string; b: string; sessions: number }>(conn, `
      WITH sat AS (SELECT DISTINCT serp_id FROM ${input.sessionClicks.name} WHERE dwell_ms >= ${o.coSession.satisfiedDwellMs})
      SELECT least(f.query_norm, f.next_query_norm) AS a, greatest(f.query_norm, f.next_query_norm) AS b,
             count(DISTINCT f.session_key)::BIGINT AS sessions
      FROM ${input.serpFacts.name} f ANTI JOIN sat USING (serp_id)
      WHERE f.next_query_norm IS NOT NULL AND f.next_query_norm <> f.query_norm AND f.next_serp_ts - f.ts <= ${windowMs}
      GROUP BY 1, 2 ORDER BY 1, 2`)
    : [];
  const clicks = o.coSession.enabled || o.coClick.enabled
    ? await queryRows<{ query: string; doc_id: string; clicks: number }>(conn, `
      SELECT f.query_norm AS query, c.doc_id, count(*)::DOUBLE AS clicks
      FROM ${input.sessionClicks.name} c JOIN ${input.serpFacts.name} f USING (serp_id)
      WHERE c.dwell_ms IS NULL OR c.dwell_ms >= ${o.coClick.minShortDwellMs}
      GROUP BY 1, 2 ORDER BY 1, 2`)
    : [];
  return {
    coSessions: coSessions.map((r) => ({ a: r.a, b: r.b, sessions: Number(r.sessions) })),
    clicks: clicks.map((r) => ({ query: r.query, doc_id: r.doc_id, clicks: Number(r.clicks) })),
  };
}
