import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { runOnWorkers } from '../../src/util/workers.js';

// each worker answers a request { id, reply } with `reply` (a bare id, { id }, { id, error }, or a stale id first)
const code = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { for (const r of m.replies) parentPort.postMessage(r); });
`;
const pool = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
for (const w of pool) w.unref();
afterAll(async () => { await Promise.all(pool.map((w) => w.terminate())); });
const fail = (cause: unknown) => new Error(`failed: ${String(cause)}`);

describe('runOnWorkers', () => {
  it('resolves once every worker answered this id (bare or { id }), ignoring answers to other ids', async () => {
    const seen: number[] = [];
    await runOnWorkers(pool, 7, (i) => { seen.push(i); return { replies: i === 0 ? [6, 7] : [{ id: 6 }, { id: 7 }] }; }, fail);
    expect(seen).toEqual([0, 1]);
  });
  it('rejects with the caller\'s error when a worker reports one', async () => {
    await expect(runOnWorkers(pool, 8, (i) => ({ replies: i === 1 ? [{ id: 8, error: 'boom' }] : [8] }), fail)).rejects.toThrow('failed: boom');
    // the pool still serves the next request
    await runOnWorkers(pool, 9, () => ({ replies: [9] }), fail);
  });
});
