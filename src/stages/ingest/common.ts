import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlString } from '../../db/duckdb.js';

export type InputKind = 'serps' | 'events' | 'corpus' | 'labels';

/** Context shared by the ingest steps. */
export interface Ctx {
  readonly conn: DuckDBConnection;
  /** 'auto' | 'iso' | 'epoch_s' | 'epoch_ms' as a SQL literal. */
  readonly tsFmt: string;
  readonly maxDwellMs: number;
}

/** reason -> count of the rows of `table` whose struct column `q` ({r, d}) is set. */
export async function reasonCounts(conn: DuckDBConnection, table: string, prefix = '', q = 'q'): Promise<Record<string, number>> {
  const rows = await queryRows<{ r: string; n: number }>(conn, `SELECT ${q}.r AS r, count(*) AS n FROM ${table} WHERE ${q} IS NOT NULL GROUP BY ALL ORDER BY r`);
  const out: Record<string, number> = {};
  for (const r of rows) out[prefix + r.r] = r.n;
  return out;
}

/** Append the rows of `table` with a reason (blank lines excepted) to the quarantine table. */
export async function toQuarantine(conn: DuckDBConnection, table: string, input: InputKind, rawExpr = 'raw', q = 'q'): Promise<void> {
  await conn.run(`INSERT INTO quarantine SELECT 'ingest', ${sqlString(input)}, file, line, ${q}.r, ${q}.d, left(${rawExpr}, 2000)
    FROM ${table} WHERE ${q} IS NOT NULL AND ${q}.r <> 'blank_line' ORDER BY fidx, line`);
}

/** `{'r': reason, 'd': detail}` struct literal; `detail` is a SQL expression. */
export const rq = (reason: string, detail: string): string => `{'r': '${reason}', 'd': ${detail}}`;

export const add = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const o = { ...a };
  for (const [k, v] of Object.entries(b)) o[k] = (o[k] ?? 0) + v;
  return o;
};

/** Per-file timestamp kinds found in column `ts_s` of `table`: file -> kind -> count. */
export async function timestampKinds(conn: DuckDBConnection, table: string, col = 'ts_s'): Promise<Map<string, Map<string, number>>> {
  const rows = await queryRows<{ file: string; k: string; n: number }>(conn,
    `SELECT file, cf_tskind(${col}) AS k, count(*) AS n FROM ${table} WHERE ${col} IS NOT NULL GROUP BY ALL`);
  const m = new Map<string, Map<string, number>>();
  for (const r of rows) {
    let f = m.get(r.file);
    if (!f) m.set(r.file, (f = new Map()));
    f.set(r.k, r.n);
  }
  return m;
}
