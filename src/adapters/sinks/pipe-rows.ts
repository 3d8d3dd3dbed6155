import type { RecordSink } from '../../ports/index.js';

/**
 * Write every row of `rows` to `sink`, then commit; abort on any error (the sink's or the
 * iterable's) and rethrow. Resolves with the number of rows.
 */
export async function pipeRows<T>(sink: RecordSink<T>, rows: Iterable<T> | AsyncIterable<T>): Promise<number> {
  try {
    for await (const row of rows) await sink.write(row);
    return await sink.commit();
  } finally {
    await sink.close();
  }
}
