import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '../../db/duckdb.js';
import type { RecordSink, RecordSinks, TableFormat as FileFormat } from '../../ports/index.js';

/**
 * Commit a sink that has rows; abort one that has none and remove any older file at its targets,
 * so a re-export leaves no stale file where this one was omitted. Resolves with the number of rows.
 */
export async function commitOrOmit<T>(sink: RecordSink<T>): Promise<number> {
  if (sink.rows > 0) return sink.commit();
  await sink.abort();
  await Promise.all(sink.paths.map((p) => rm(p, { force: true })));
  return 0;
}

/** Write every row, then commit (or, with no rows, write nothing and remove an older file of that name); abort on error. */
async function fill<T>(sink: RecordSink<T>, rows: Iterable<T>): Promise<number> {
  try {
    for (const r of rows) await sink.write(r);
    return await commitOrOmit(sink);
  } finally {
    await sink.close();
  }
}

/**
 * Write rows as JSONL and/or Parquet (converted by DuckDB from the JSONL), row by row and
 * atomically (`sinks.table`). Returns rows written per extension; nothing is written, and an
 * older file of that name is removed, when there are no rows.
 */
export async function writeRows(sinks: RecordSinks, conn: DuckDBConnection, path: string, rows: Iterable<unknown>, fileFormats: readonly FileFormat[]): Promise<Partial<Record<FileFormat, number>>> {
  const stem = path.replace(/\.jsonl$/, '');
  const n = await fill(await sinks.table(stem, fileFormats, conn), rows);
  // a format not asked for this time must not survive from an earlier run either
  for (const f of ['jsonl', 'parquet'] as const) if (!fileFormats.includes(f)) await rm(`${stem}.${f}`, { force: true });
  return n === 0 ? {} : Object.fromEntries(fileFormats.map((f) => [f, n]));
}

/**
 * BEIR qrels (`query-id`, `corpus-id`, `score`, tab-separated, with a header), written atomically;
 * nothing is written when there are no rows. A document id that a TSV reader would misread is an
 * input error naming it (the file sinks' `tsv`). Returns the rows written.
 */
export async function writeQrels(sinks: RecordSinks, path: string, rows: Iterable<readonly [string, string, string]>): Promise<number> {
  return fill(await sinks.tsv(path, ['query-id', 'corpus-id', 'score']), rows);
}
