import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '../../db/duckdb.js';
import { commitOrOmit, createTableSink, createTsvSink, type RowSink } from '../../adapters/sinks/index.js';

type FileFormat = 'jsonl' | 'parquet';

/** Write every row, then commit (or, with no rows, write nothing and remove an older file of that name); abort on error. */
async function fill<T>(sink: RowSink<T>, rows: Iterable<T>): Promise<number> {
  try {
    for (const r of rows) await sink.write(r);
    return await commitOrOmit(sink);
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/**
 * Write rows as JSONL and/or Parquet (converted by DuckDB from the JSONL), row by row and
 * atomically (adapters/sinks). Returns rows written per extension; nothing is written, and an
 * older file of that name is removed, when there are no rows.
 */
export async function writeRows(conn: DuckDBConnection, path: string, rows: Iterable<unknown>, fileFormats: readonly FileFormat[]): Promise<Partial<Record<FileFormat, number>>> {
  const stem = path.replace(/\.jsonl$/, '');
  const n = await fill(await createTableSink(stem, fileFormats, { conn }), rows);
  // a format not asked for this time must not survive from an earlier run either
  for (const f of ['jsonl', 'parquet'] as const) if (!fileFormats.includes(f)) await rm(`${stem}.${f}`, { force: true });
  return n === 0 ? {} : Object.fromEntries(fileFormats.map((f) => [f, n]));
}

/**
 * BEIR qrels (`query-id`, `corpus-id`, `score`, tab-separated, with a header), written atomically;
 * nothing is written when there are no rows. A document id that a TSV reader would misread is an
 * input error naming it (adapters/sinks/tsv-sink.ts). Returns the rows written.
 */
export async function writeQrels(path: string, rows: Iterable<readonly [string, string, string]>): Promise<number> {
  return fill(await createTsvSink(path, ['query-id', 'corpus-id', 'score']), rows);
}
