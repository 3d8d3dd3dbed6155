import type { DuckDBConnection } from '@duckdb/node-api';
import { internalError } from '../../errors.js';
import { queryRows, sqlString } from '../../db/duckdb.js';

/** Fail fast, naming the missing tables and the stage that creates them. */
export async function requireTables(conn: DuckDBConnection, stage: string, tables: readonly string[], producedBy: string): Promise<void> {
  const rows = await queryRows<{ table_name: string }>(
    conn,
    `SELECT table_name FROM duckdb_tables() WHERE table_name IN (${tables.map(sqlString).join(', ')})`,
  );
  const have = new Set(rows.map((r) => r.table_name));
  const missing = tables.filter((t) => !have.has(t));
  if (missing.length > 0) {
    throw internalError('missing_tables', `tables ${missing.join(', ')} do not exist: run ${producedBy} on this connection first.`, { stage });
  }
}

/** Append string rows to an existing table (`name` or `schema.name`) with the DuckDB appender (NULL for null). */
export async function appendStringRows(conn: DuckDBConnection, table: string, rows: Iterable<readonly (string | number | null)[]>): Promise<void> {
  const dot = table.indexOf('.');
  const app = dot < 0 ? await conn.createAppender(table) : await conn.createAppender(table.slice(dot + 1), table.slice(0, dot));
  try {
    for (const row of rows) {
      for (const v of row) {
        if (v === null) app.appendNull();
        else if (typeof v === 'number') app.appendDouble(v);
        else app.appendVarchar(v);
      }
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}
