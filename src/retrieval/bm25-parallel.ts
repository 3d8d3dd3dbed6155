import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { usageError, internalError } from '../errors.js';
import { runOnWorkers } from '../util/workers.js';
import { bm25Internals, type Bm25Index } from './bm25.js';
import { canonicalTermOrder } from './bm25-prune.js';

/**
 * BM25 search of many queries on worker threads. The workers read the index's postings through
 * SharedArrayBuffers (no copy: N workers cost N x 8 bytes per document for their score
 * accumulators, nothing more). Queries are tokenised on the calling thread into term ids, then
 * the workers pull chunks of queries from a shared atomic counter and write top-k straight into
 * shared output arrays. Each query is scored exactly as `Bm25Index.search` scores it (same
 * float32 accumulation order, same tie rule: lower document index first), so results are
 * identical to the single-thread search and do not depend on the number of threads.
 *
 * Input: an index from `buildBm25`, query strings, k.
 * Output: flat arrays, query q's results at [q*k, q*k + counts[q]), best first, padded with
 * -1 / -Infinity.
 * Options: `threads` (default: os.availableParallelism()), `chunk` (default 64 queries: small
 * enough to balance load at the end of a batch, large enough that the atomic counter is noise).
 *
 * Example:
 *   const pool = createParallelBm25(buildBm25(docs));
 *   const r = await pool.searchMany(['reset okta password', 'vpn'], 100);
 *   await pool.close();
 */
export interface ParallelBm25Options {
  /** Worker threads. Default: os.availableParallelism() (both cores on a 2-core machine). */
  readonly threads?: number;
  /** Queries a worker takes at a time. Default 64. */
  readonly chunk?: number;
}

export interface Bm25BatchResult {
  readonly k: number;
  /** nq x k document indices, best first, -1 padded. */
  readonly ids: Int32Array;
  /** nq x k scores, -Infinity padded. */
  readonly scores: Float32Array;
  /** Results found per query (<= k). */
  readonly counts: Int32Array;
}

export interface Bm25ManyOptions {
  /** Per query, documents never to return (as `exclude` in `Bm25Index.search`). */
  readonly exclude?: readonly (ReadonlySet<number> | undefined)[];
}

export interface ParallelBm25 {
  readonly threads: number;
  searchMany(queries: readonly string[], k: number, opts?: Bm25ManyOptions): Promise<Bm25BatchResult>;
  /** Stop the workers. Idle workers do not keep the process alive, but close() frees their memory. */
  close(): Promise<void>;
}

export const PARALLEL_BM25_DEFAULTS = { chunk: 64 } as const;

// Plain JavaScript (CommonJS, eval'd) so that it runs the same under tsx, vitest and the built dist.
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const start = new Int32Array(workerData.start, 0, workerData.nStart);
const postDoc = new Int32Array(workerData.postDoc, 0, workerData.nPost);
const postImpact = new Float32Array(workerData.postImpact, 0, workerData.nPost);
const n = workerData.n;
const acc = new Float32Array(n);
const touched = new Int32Array(n);
const mark = new Uint8Array(n);
let hs = new Float32Array(1), hi = new Int32Array(1);
// Min-heap on (score, then higher doc index = worse): put (s, d) at the root and sift it down.
function siftDown(size, s, d) {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const mm = r < size && (hs[r] < hs[l] || (hs[r] === hs[l] && hi[r] > hi[l])) ? r : l;
    if (!(hs[mm] < s || (hs[mm] === s && hi[mm] > d))) break;
    hs[c] = hs[mm]; hi[c] = hi[mm]; c = mm;
  }
  hs[c] = s; hi[c] = d;
}
parentPort.on('message', (m) => {
  const qStart = new Int32Array(m.qStart), qTerms = new Int32Array(m.qTerms);
  const exStart = new Int32Array(m.exStart), exIds = new Int32Array(m.exIds);
  const outIds = new Int32Array(m.outIds), outScores = new Float32Array(m.outScores), counts = new Int32Array(m.counts);
  const counter = new Int32Array(m.counter);
  const nq = m.nq, k = m.k, chunk = m.chunk;
  if (hs.length < k) { hs = new Float32Array(k); hi = new Int32Array(k); }
  for (;;) {
    const q0 = Atomics.add(counter, 0, 1) * chunk;
    if (q0 >= nq) break;
    const q1 = Math.min(nq, q0 + chunk);
    for (let q = q0; q < q1; q++) {
      let nt = 0;
      for (let a = qStart[q], e = qStart[q + 1]; a < e; a++) {
        const t = qTerms[a];
        for (let p = start[t], pe = start[t + 1]; p < pe; p++) {
          const d = postDoc[p];
          if (acc[d] === 0) touched[nt++] = d;
          acc[d] += postImpact[p];
        }
      }
      const ex0 = exStart[q], ex1 = exStart[q + 1];
      for (let x = ex0; x < ex1; x++) mark[exIds[x]] = 1;
      const cap = Math.min(k, nt);
      let size = 0;
      for (let i = 0; i < nt; i++) {
        const d = touched[i];
        const s = acc[d];
        acc[d] = 0;
        if (mark[d] === 1) continue;
        if (size < cap) {
          let c = size++;
          while (c > 0) {
            const p = (c - 1) >> 1;
            if (!(s < hs[p] || (s === hs[p] && d > hi[p]))) break;
            hs[c] = hs[p]; hi[c] = hi[p]; c = p;
          }
          hs[c] = s; hi[c] = d;
          continue;
        }
        if (cap === 0 || s < hs[0] || (s === hs[0] && d > hi[0])) continue;
        siftDown(size, s, d);
      }
      for (let x = ex0; x < ex1; x++) mark[exIds[x]] = 0;
      counts[q] = size;
      // Pop the min-heap into the output from the back: best first.
      const base = q * k;
      for (let out = size - 1; out >= 0; out--) {
        outIds[base + out] = hi[0]; outScores[base + out] = hs[0];
        const last = --size;
        siftDown(size, hs[last], hi[last]);
      }
    }
  }
  parentPort.postMessage(m.id);
});
`;

const sharedI32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);

export function createParallelBm25(index: Bm25Index, opts: ParallelBm25Options = {}): ParallelBm25 {
  const it = bm25Internals(index);
  const threads = opts.threads ?? availableParallelism();
  const chunk = opts.chunk ?? PARALLEL_BM25_DEFAULTS.chunk;
  if (!Number.isInteger(threads) || threads < 1) throw usageError('bad_threads', `createParallelBm25: threads must be a positive integer (got ${threads}).`);
  if (!Number.isInteger(chunk) || chunk < 1) throw usageError('bad_chunk', `createParallelBm25: chunk must be a positive integer (got ${chunk}).`);
  const workerData = {
    start: it.start.buffer, nStart: it.start.length,
    postDoc: it.postDoc.buffer, postImpact: it.postImpact.buffer, nPost: it.postDoc.length,
    n: it.n,
  };
  const workers = Array.from({ length: threads }, () => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData });
    w.unref();
    return w;
  });
  let closed = false;
  let batchId = 0;
  // Batches run one after another: the workers' accumulators are not re-entrant.
  let queue: Promise<unknown> = Promise.resolve();

  const run = (queries: readonly string[], k: number, sopts: Bm25ManyOptions): Promise<Bm25BatchResult> => {
    if (closed) throw usageError('bm25_pool_closed', 'ParallelBm25.searchMany was called after close(): create a new pool.');
    if (!Number.isInteger(k) || k < 0) throw usageError('bad_k', `searchMany: k must be a non-negative integer (got ${k}).`);
    const nq = queries.length;
    const ex = sopts.exclude;
    if (ex !== undefined && ex.length !== nq) throw usageError('bad_exclude', `searchMany: exclude has ${ex.length} entries for ${nq} queries (give one per query, undefined for none).`);
    // Tokenise here (the vocabulary stays on this thread): term ids in CSR form.
    const qStart = sharedI32(nq + 1);
    let terms = new Int32Array(Math.max(16, nq * 4));
    let nt = 0;
    for (let q = 0; q < nq; q++) {
      for (const tok of it.tokenize(queries[q]!)) {
        const id = it.vocab.get(tok);
        if (id === undefined) continue;
        if (nt === terms.length) {
          const g = new Int32Array(terms.length * 2);
          g.set(terms);
          terms = g;
        }
        terms[nt++] = id;
      }
      canonicalTermOrder(terms.subarray(qStart[q]!, nt), it.maxImpact);
      qStart[q + 1] = nt;
    }
    const qTerms = sharedI32(nt);
    qTerms.set(terms.subarray(0, nt));
    const exStart = sharedI32(nq + 1);
    let nx = 0;
    if (ex !== undefined) for (let q = 0; q < nq; q++) exStart[q + 1] = nx += ex[q]?.size ?? 0;
    else exStart.fill(0);
    const exIds = sharedI32(nx);
    if (ex !== undefined) {
      let o = 0;
      for (let q = 0; q < nq; q++) {
        const s = ex[q];
        if (s === undefined) continue;
        for (const d of s) {
          if (!Number.isInteger(d) || d < 0 || d >= it.n) throw usageError('bad_exclude', `searchMany: exclude[${q}] holds ${d}, not a document index in 0..${it.n - 1}.`);
          exIds[o++] = d;
        }
      }
    }
    const ids = sharedI32(nq * k).fill(-1);
    const scores = new Float32Array(new SharedArrayBuffer(Math.max(1, nq * k) * 4), 0, nq * k).fill(-Infinity);
    const counts = sharedI32(nq);
    const counter = sharedI32(1);
    const id = ++batchId;
    const msg = {
      id, nq, k, chunk,
      qStart: qStart.buffer, qTerms: qTerms.buffer, exStart: exStart.buffer, exIds: exIds.buffer,
      outIds: ids.buffer, outScores: scores.buffer, counts: counts.buffer, counter: counter.buffer,
    };
    if (nq === 0 || k === 0) return Promise.resolve({ k, ids, scores, counts });
    return runOnWorkers(workers, id, () => msg, (err) => internalError('bm25_worker_failed', `BM25 worker failed: ${String(err)}`, { cause: err }))
      .then(() => ({ k, ids, scores, counts }));
  };

  return {
    threads,
    searchMany(queries, k, sopts = {}) {
      const p = queue.then(() => run(queries, k, sopts));
      queue = p.catch(() => undefined);
      return p;
    },
    async close() {
      closed = true;
      await queue;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The same flat layout as `ParallelBm25.searchMany`, computed with `Bm25Index.search` on this thread (baseline and reference). */
export function searchManySerial(index: Bm25Index, queries: readonly string[], k: number, opts: Bm25ManyOptions = {}): Bm25BatchResult {
  const nq = queries.length;
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(-Infinity);
  const counts = new Int32Array(nq);
  for (let q = 0; q < nq; q++) {
    const ex = opts.exclude?.[q];
    const r = index.search(queries[q]!, k, ex === undefined ? undefined : { exclude: ex });
    ids.set(r.ids, q * k);
    scores.set(r.scores, q * k);
    counts[q] = r.ids.length;
  }
  return { k, ids, scores, counts };
}
