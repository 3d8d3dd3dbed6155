/**
 * The bare DuckDB peer of the event stage: the same work shape on the same SERP-record file in one
 * query chain, without clickforge's checks, quarantine or extra signals. It reads every column the
 * event stage needs, sessionizes (given session id, split at a 30-minute gap from the previous
 * search), and groups impressions and clicks per (query, document). Its counts (sessions, pairs)
 * are compared with clickforge's, so a ratio is only printed over the same work.
 */
import { openDb, queryRows, sqlString } from '../src/db/duckdb.js';

export interface PeerResult { readonly sessions: number; readonly pairs: number; readonly impressions: number; readonly clicks: number; readonly wall: number; readonly cpu: number }

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

export function peerSql(file: string, reader: 'read_parquet' | 'read_json', gapMs = 30 * 60_000): string {
  return `
    WITH s AS (
      SELECT serp_id, session_id, user_id, ts, lower(trim(query)) AS q, results, clicks FROM ${reader}(${sqlString(file)})
    ),
    g AS (
      SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY coalesce(session_id, user_id) ORDER BY ts, serp_id) > ${gapMs} THEN 1 ELSE 0 END AS brk FROM s
    ),
    k AS (
      SELECT *, coalesce(session_id, user_id) || '#' || sum(brk) OVER (PARTITION BY coalesce(session_id, user_id) ORDER BY ts, serp_id ROWS UNBOUNDED PRECEDING) AS skey FROM g
    ),
    imp AS (SELECT q, unnest(results) AS doc_id FROM k),
    clk AS (SELECT q, c.doc_id AS doc_id FROM (SELECT q, unnest(clicks) AS c FROM k)),
    pi AS (SELECT q, doc_id, count(*) AS impressions FROM imp GROUP BY ALL),
    pc AS (SELECT q, doc_id, count(*) AS clicks FROM clk GROUP BY ALL),
    pairs AS (SELECT q, doc_id, impressions, coalesce(clicks, 0) AS clicks FROM pi LEFT JOIN pc USING (q, doc_id))
    SELECT (SELECT count(DISTINCT skey) FROM k) AS sessions, count(*) AS pairs, sum(impressions) AS impressions, sum(clicks) AS clicks FROM pairs`;
}

/** Runs the peer in its own connection of this process (under `limit`, when given); CPU seconds are the process's (all threads). */
export async function runPeer(file: string, reader: 'read_parquet' | 'read_json', threads?: number, limit: { memoryLimit?: string; tempDirectory?: string } = {}): Promise<PeerResult> {
  const { conn, close } = await openDb({ threads, ...limit });
  try {
    const c0 = cpu();
    const t0 = performance.now();
    const [r] = await queryRows<{ sessions: bigint | number; pairs: bigint | number; impressions: bigint | number; clicks: bigint | number }>(conn, peerSql(file, reader));
    return { sessions: Number(r!.sessions), pairs: Number(r!.pairs), impressions: Number(r!.impressions), clicks: Number(r!.clicks), wall: (performance.now() - t0) / 1000, cpu: cpu() - c0 };
  } finally {
    close();
  }
}
