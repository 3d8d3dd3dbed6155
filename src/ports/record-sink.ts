import type { DuckDBConnection } from '../db/duckdb.js';

/**
 * Takes records one at a time and publishes them as one file (or one file per format) when
 * committed. Until `commit()` resolves, the target path still holds whatever it held before (or
 * nothing): records go to a temp dot-file beside it, which `commit()` renames over the target and
 * `abort()` removes. Memory does not depend on the number of records.
 *
 * Lifecycle: `write`* then `commit()` or `abort()`; `close()` ends it either way (a `finally`
 * calls it). Zero records commit an empty file (a TSV sink: its header only); whether an empty
 * output should exist is the caller's decision (the exporter omits empty split files).
 */
export interface RecordSink<T> {
  /** The files `commit()` replaces. */
  readonly paths: readonly string[];
  /** Records accepted so far. */
  readonly rows: number;
  /** Bytes written so far (a file sink: the file size, header included; a Parquet sink: its JSONL bytes). */
  readonly bytes: number;
  /**
   * Queue one record. Resolves at once unless the file is behind, in which case it resolves when
   * the stream has drained: await it and memory stays bounded. Rejects (naming the file) when the
   * record cannot be encoded or the file cannot be written; the sink is then failed and only
   * `abort()` / `close()` are useful.
   */
  write(row: T): Promise<void>;
  /** Flush, close and rename over the target(s). Resolves with the number of records. */
  commit(): Promise<number>;
  /** Remove the temp file(s) and leave the target(s) untouched. Safe to call at any time, more than once. */
  abort(): Promise<void>;
  // required like every port's close(); it never publishes: a close() that committed would turn a failed export into a partial file
  /** End the sink's life: a no-op after `commit()`, `abort()` before it. Idempotent. */
  close(): Promise<void>;
}

/** A TSV field: written as is (a number as `String(n)`). */
export type TsvField = string | number;

/** The file kinds of one table. */
export type TableFormat = 'jsonl' | 'parquet';

/**
 * Opens the sinks the export stage writes; the pipeline passes the file sinks (`fileSinks`),
 * a test may pass sinks of its own.
 */
export interface RecordSinks {
  /** One table as `<stem>.jsonl` and/or `<stem>.parquet` (Parquet written by DuckDB over `conn`). */
  table<T>(stem: string, formats: readonly TableFormat[], conn: DuckDBConnection): Promise<RecordSink<T>>;
  /** Tab-separated values under a header line. */
  tsv(path: string, header: readonly string[]): Promise<RecordSink<readonly TsvField[]>>;
}
