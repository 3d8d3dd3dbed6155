import type { Worker } from 'node:worker_threads';

/**
 * One request to every worker of a pool: posts `messageFor(i)` to worker i and resolves once each
 * has answered with the request id (a bare number, or `{ id, error? }`). The workers are ref'd while
 * the request runs and unref'd after, so an idle pool never keeps the process alive. The first
 * error (an `error` field, or a worker 'error' event) rejects with `fail(cause)`.
 */
export function runOnWorkers(workers: readonly Worker[], id: number, messageFor: (i: number) => unknown, fail: (cause: unknown) => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let pending = workers.length;
    const cleanup: (() => void)[] = [];
    const finish = (err?: unknown): void => {
      for (const c of cleanup) c();
      for (const w of workers) w.unref();
      if (err !== undefined) reject(fail(err));
      else resolve();
    };
    workers.forEach((w, i) => {
      const onMsg = (m: unknown): void => {
        const reply = typeof m === 'number' ? { id: m } : (m as { id?: unknown; error?: string });
        if (reply.id !== id) return;
        if (reply.error !== undefined) finish(reply.error);
        else if (--pending === 0) finish();
      };
      const onErr = (e: unknown): void => finish(e);
      w.on('message', onMsg);
      w.on('error', onErr);
      cleanup.push(() => { w.off('message', onMsg); w.off('error', onErr); });
      w.ref();
      w.postMessage(messageFor(i));
    });
  });
}
