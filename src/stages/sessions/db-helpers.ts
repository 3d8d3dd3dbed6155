import type { DuckDBConnection } from '@duckdb/node-api';

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
