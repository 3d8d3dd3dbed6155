import { rm } from 'node:fs/promises';

/**
 * A sink takes rows one at a time and publishes them as one file (or one file per format) when
 * committed. Until `commit()` resolves, the target path still holds whatever it held before (or
 * nothing): rows go to a temp dot-file beside it, which `commit()` renames over the target and
 * `abort()` removes. Memory does not depend on the number of rows.
 *
 * Zero rows commit an empty file (a TSV sink: its header only). Whether an empty output should
 * exist is the caller's decision: the exporter omits empty split files (`commitOrOmit` aborts an
 * empty sink and removes the older file).
 */
export interface RowSink<T> {
  /** The files `commit()` replaces. */
  readonly paths: readonly string[];
  /** Rows accepted so far. */
  readonly rows: number;
  /** Bytes written so far (a file sink: the file size, header included; a Parquet sink: its JSONL bytes). */
  readonly bytes: number;
  /**
   * Queue one row. Resolves at once unless the file is behind, in which case it resolves when the
   * stream has drained: await it and memory stays bounded. Rejects (naming the file) when the row
   * cannot be encoded or the file cannot be written; the sink is then failed and only `abort()` is useful.
   */
  write(row: T): Promise<void>;
  /** Flush, close and rename over the target(s). Resolves with the number of rows. */
  commit(): Promise<number>;
  /** Remove the temp file(s) and leave the target(s) untouched. Safe to call at any time, more than once. */
  abort(): Promise<void>;
}

/**
 * Write every row of `rows` to `sink`, then commit; abort on any error (the sink's or the
 * iterable's) and rethrow. Resolves with the number of rows.
 */
export async function pipeRows<T>(sink: RowSink<T>, rows: Iterable<T> | AsyncIterable<T>): Promise<number> {
  try {
    for await (const row of rows) await sink.write(row);
    return await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/**
 * Commit a sink that has rows; abort one that has none and remove any older file at its targets,
 * so a re-export leaves no stale file where this one was omitted. Resolves with the number of rows.
 */
export async function commitOrOmit<T>(sink: RowSink<T>): Promise<number> {
  if (sink.rows > 0) return sink.commit();
  await sink.abort();
  await Promise.all(sink.paths.map((p) => rm(p, { force: true })));
  return 0;
}
