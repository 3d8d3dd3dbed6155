import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type { DuckDBConnection };

/** Open an embedded DuckDB database (in memory unless a path is given) and connect to it. */
export async function openDb(opts: { path?: string; threads?: number } = {}): Promise<{ db: DuckDBInstance; conn: DuckDBConnection; close: () => void }> {
  const settings: Record<string, string> = { preserve_insertion_order: 'true' };
  if (opts.threads) settings.threads = String(opts.threads);
  const db = await DuckDBInstance.create(opts.path ?? ':memory:', settings);
  const conn = await db.connect();
  return {
    db,
    conn,
    close: () => {
      conn.closeSync();
      db.closeSync();
    },
  };
}

/** Run a query and return plain row objects, with BIGINT converted to number. */
export async function queryRows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : v;
    return o as T;
  }) as T[];
}

/** A single number from a query such as `SELECT count(*) FROM t`. */
export async function queryNumber(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = await queryRows<Record<string, unknown>>(conn, sql);
  const first = rows[0];
  const v = first ? Object.values(first)[0] : undefined;
  return v === null || v === undefined ? 0 : Number(v);
}

/** Quote a string as a SQL literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
