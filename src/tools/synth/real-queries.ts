import { detectFormat } from '../../stages/ingest/format.js';
import { openDb, queryRows, sqlString } from '../../db/duckdb.js';
import { inputError } from '../../errors.js';

/**
 * The `query` column of a click log (SERP records or events), a seeds or a labels file: JSONL,
 * CSV or Parquet. One row per search, so frequent queries weigh as often as they were typed. At
 * most `limit` rows (the first ones) are read.
 */
export async function readRealQueries(path: string, limit = 200_000): Promise<string[]> {
  const format = detectFormat(path);
  const src = format === 'parquet' ? `read_parquet(${sqlString(path)})` : format === 'csv' ? `read_csv(${sqlString(path)}, all_varchar = true)` : `read_json_auto(${sqlString(path)}, format = 'newline_delimited', union_by_name = true)`;
  const { conn, close } = await openDb();
  try {
    const rows = await queryRows<{ q: string }>(conn, `SELECT CAST(query AS VARCHAR) AS q FROM ${src} WHERE query IS NOT NULL AND trim(CAST(query AS VARCHAR)) <> '' LIMIT ${limit}`);
    return rows.map((r) => r.q);
  } catch (cause) {
    throw inputError('real_queries_unreadable', `cannot read the query column of ${path}: ${(cause as Error).message}. realQueries needs a JSONL, CSV or Parquet file with a "query" column (a click log, seeds or labels).`, { stage: 'synth', cause });
  } finally {
    close();
  }
}
