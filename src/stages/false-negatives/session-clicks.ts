import { readColumns, type DuckDBConnection } from '../../db/duckdb.js';
import { requireRelations } from '../../db/relation.js';
import type { ClickFacts } from '../evidence/evidence.js';
import type { SerpFacts } from '../sessions/sessions.js';
import { appendStringRows } from '../sessions/db-helpers.js';

/**
 * The docs clicked within a session for another query of that session, per record query: a map
 * from `${query_norm}\t${doc_id}` to the (alphabetically first) other query the doc was clicked for.
 * The click-veto filter's `sessionScope` reads it. Read from the serp facts (session_key, query_norm,
 * ts) and click facts (serp_id, doc_id, ts) given, read only. Every click counts, the ones the click
 * funnel discards as well: for a veto a pogo or short click still says the doc looked relevant, and
 * pogo depends on click times a log may not have. `queries` limits the output to the queries that
 * have records, so the pairs are aggregated in SQL and only those are brought into memory.
 * `beforeTs` keeps only pages at or before it and clicks at or before it or without a time (the
 * chronological split's pre-cutoff view, as `loadWeightedSkips`).
 */
export async function loadSessionCoClicks(
  conn: DuckDBConnection,
  input: { readonly serpFacts: SerpFacts; readonly clickFacts: ClickFacts },
  queries: Iterable<string>,
  opts: { readonly beforeTs?: number | null } = {},
): Promise<Map<string, string>> {
  await requireRelations(conn, 'negatives', [input.serpFacts, input.clickFacts], 'buildSessions and buildEvidence');
  const cut = opts.beforeTs === undefined || opts.beforeTs === null ? null : Math.floor(opts.beforeTs);
  await conn.run('CREATE OR REPLACE TEMP TABLE _veto_queries (query_norm VARCHAR)');
  try {
    await appendStringRows(conn, '_veto_queries', [...new Set(queries)].map((q) => [q]));
    const cols = await readColumns(conn, `
      WITH s AS (SELECT serp_id, session_key, query_norm FROM ${input.serpFacts.name} WHERE query_norm IS NOT NULL AND session_key IS NOT NULL${cut === null ? '' : ` AND ts <= ${cut}`}),
      c AS (SELECT DISTINCT s.session_key, s.query_norm AS via, f.doc_id FROM ${input.clickFacts.name} f JOIN s USING (serp_id)
            WHERE f.doc_id IS NOT NULL${cut === null ? '' : ` AND (f.ts IS NULL OR f.ts <= ${cut})`}),
      q AS (SELECT DISTINCT session_key, query_norm FROM s SEMI JOIN _veto_queries USING (query_norm))
      SELECT q.query_norm || chr(9) || c.doc_id AS k, min(c.via) AS via
      FROM q JOIN c USING (session_key) WHERE c.via <> q.query_norm
      GROUP BY 1 ORDER BY 1`);
    const k = cols.str('k');
    const via = cols.str('via');
    const out = new Map<string, string>();
    for (let i = 0; i < cols.rowCount; i++) out.set(k[i]!, via[i]!);
    return out;
  } finally {
    await conn.run('DROP TABLE IF EXISTS _veto_queries');
  }
}
