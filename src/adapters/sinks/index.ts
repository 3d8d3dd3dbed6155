/**
 * Row sinks: every export file is written row by row into a temp file beside its target and
 * renamed over it on commit, so memory does not depend on the dataset size and a reader never
 * sees a partial file.
 *
 * - `createJsonlSink(path)`: JSON Lines.
 * - `createTsvSink(path, header)`: tab-separated, refusing fields a TSV reader would misread (BEIR qrels).
 * - `createLinesSink(path)`: plain text lines.
 * - `createTableSink(stem, ['jsonl', 'parquet'], { conn })`: `<stem>.jsonl` and/or `<stem>.parquet`
 *   (JSONL converted by DuckDB); `createParquetSink(conn, stem)` for Parquet alone.
 * - `pipeRows(sink, rows)`: write an (async) iterable, commit, abort on error.
 * - `commitOrOmit(sink)`: commit, or (no rows) abort and remove an older file at the targets.
 *
 * Example:
 * ```ts
 * const sink = await createTableSink(join(out, 'sentence-transformers', 'train'), ['jsonl', 'parquet'], { conn });
 * try {
 *   for (const r of records) for (const row of sentenceTransformers(r, 8)) await sink.write(row);
 *   await commitOrOmit(sink); // the exporter omits empty split files
 * } catch (err) {
 *   await sink.abort();
 *   throw err;
 * }
 * ```
 */
export { commitOrOmit, pipeRows, type RowSink } from './sink.js';
export { DEFAULT_CHUNK_BYTES, type FileSinkOptions } from './atomic-file.js';
export { createJsonlSink, type FileRowSink } from './jsonl-sink.js';
export { createTsvSink, type TsvField } from './tsv-sink.js';
export { createLinesSink } from './lines-sink.js';
export { createParquetSink, createTableSink, jsonlToParquet, rowGroupSizeFor, DEFAULT_ROW_GROUP_BYTES, type ParquetOptions, type TableFormat, type TableSinkOptions } from './parquet.js';
