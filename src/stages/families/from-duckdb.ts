import { queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import { familyOptions, type FamilyOptions, type FamilyOptionsInput } from './options.js';

/**
 * The session and click signals of rules (e) and (f), computed in SQL from the tables the
 * sessions stage leaves (`serp_facts`, `session_clicks`); reads nothing else and writes nothing.
 *
 * - coSessions: unordered pairs (a, b) of different normalised queries where b followed a in the
 *   same session within `coSession.windowSec`, and the page of a had no click with dwell of at
 *   least `coSession.satisfiedDwellMs`; `sessions` = distinct sessions with that pair.
 * - clicks: per (query_norm, doc_id), clicks whose dwell is at least `coClick.minShortDwellMs`
 *   or unknown (the last click of a session is often the satisfying one).
 */
export async function familySignalsFromDb(
  conn: DuckDBConnection,
  opts: FamilyOptionsInput | FamilyOptions = {},
): Promise<{ coSessions: { a: string; b: string; sessions: number }[]; clicks: { query: string; doc_id: string; clicks: number }[] }> {
  const o = familyOptions.parse(opts);
  const windowMs = Math.round(o.coSession.windowSec * 1000);
  const coSessions = o.coSession.enabled
    ? await queryRows<{ a: string; b: string; sessions: number }>(conn, `
      WITH sat AS (SELECT DISTINCT serp_id FROM session_clicks WHERE dwell_ms >= ${o.coSession.satisfiedDwellMs})
      SELECT least(f.query_norm, f.next_query_norm) AS a, greatest(f.query_norm, f.next_query_norm) AS b,
             count(DISTINCT f.session_key)::BIGINT AS sessions
      FROM serp_facts f ANTI JOIN sat USING (serp_id)
      WHERE f.next_query_norm IS NOT NULL AND f.next_query_norm <> f.query_norm AND f.next_serp_ts - f.ts <= ${windowMs}
      GROUP BY 1, 2 ORDER BY 1, 2`)
    : [];
  const clicks = o.coSession.enabled || o.coClick.enabled
    ? await queryRows<{ query: string; doc_id: string; clicks: number }>(conn, `
      SELECT f.query_norm AS query, c.doc_id, count(*)::DOUBLE AS clicks
      FROM session_clicks c JOIN serp_facts f USING (serp_id)
      WHERE c.dwell_ms IS NULL OR c.dwell_ms >= ${o.coClick.minShortDwellMs}
      GROUP BY 1, 2 ORDER BY 1, 2`)
    : [];
  return {
    coSessions: coSessions.map((r) => ({ a: r.a, b: r.b, sessions: Number(r.sessions) })),
    clicks: clicks.map((r) => ({ query: r.query, doc_id: r.doc_id, clicks: Number(r.clicks) })),
  };
}
