import type { RecordSinks } from '../../ports/index.js';
import { createTableSink } from './parquet.js';
import { createTsvSink } from './tsv-sink.js';

/**
 * Record sinks (the `RecordSink` port): every export file is written row by row into a temp file
 * beside its target and renamed over it on commit, so memory does not depend on the dataset size
 * and a reader never sees a partial file.
 *
 * - `createJsonlSink(path)`: JSON Lines.
 * - `createTsvSink(path, header)`: tab-separated, refusing fields a TSV reader would misread (BEIR qrels).
 * - `createLinesSink(path)`: plain text lines.
 * - `createTableSink(stem, ['jsonl', 'parquet'], { conn })`: `<stem>.jsonl` and/or `<stem>.parquet`
 *   (JSONL converted by DuckDB); `createParquetSink(conn, stem)` for Parquet alone.
 * - `pipeRows(sink, rows)`: write an (async) iterable, commit, abort on error.
 * - `fileSinks`: the `RecordSinks` the pipeline hands the export stage.
 *
 * Example:
 * ```ts
 * const sink = await createTableSink(join(out, 'sentence-transformers', 'train'), ['jsonl', 'parquet'], { conn });
 * try {
 *   for (const r of records) for (const row of sentenceTransformers(r, 8)) await sink.write(row);
 *   await sink.commit();
 * } finally {
 *   await sink.close(); // aborts unless committed
 * }
 * ```
 */
export { pipeRows } from './pipe-rows.js';
export { DEFAULT_CHUNK_BYTES, type FileSinkOptions } from './atomic-file.js';
export { createJsonlSink, type FileRowSink } from './jsonl-sink.js';
export { createTsvSink } from './tsv-sink.js';
export { createLinesSink } from './lines-sink.js';
export { createParquetSink, createTableSink, jsonlToParquet, rowGroupSizeFor, DEFAULT_ROW_GROUP_BYTES, type ParquetOptions, type TableSinkOptions } from './parquet.js';

/** The sinks of the export stage, one entry per kind of file it writes. */
export const fileSinks = {
  table: (stem, formats, conn) => createTableSink(stem, formats, { conn }),
  tsv: (path, header) => createTsvSink(path, header),
} satisfies RecordSinks;
