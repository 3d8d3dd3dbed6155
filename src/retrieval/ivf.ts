import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { internalError, usageError } from '../errors.js';
import { createRng } from '../util/rng.js';
import { runOnWorkers } from '../util/workers.js';
import type { ApproxDenseIndex, ApproxSearchOptions } from './ann.js';
import { createOnnxDenseTopK, type DenseSearcher, type DenseTopKResult } from './dense.js';

/**
 * Approximate dense top-k by inner product with an inverted file (IVF-Flat): spherical k-means cuts
 * the corpus into `lists` cells; a query scores only the rows of its `nprobe` nearest cells, with
 * exact float32 inner products. Scoring is batched the way a BLAS likes it: for each cell, every
 * query of the batch that probes it goes through one onnxruntime Gemm against that cell's rows
 * (stored contiguously), so the scan runs at matrix-product speed rather than a per-query loop's.
 *
 * Input: a row-major Float32Array corpus (n x dim), unit rows for cosine. Output of `search`: the
 * layout of `denseTopK` (nq x k, best first, ties lower row first, -1 / -Infinity padded), scores =
 * exact inner products of the rows found. What it misses is measured with `annRecall` against exact.
 * Memory: one reordered copy of the corpus (n x dim floats, split between the worker threads) plus
 * ~12 bytes a row and the centroids; the index also keeps a reference to the caller's corpus array.
 * Deterministic: same corpus, options and seed give the same cells; the same queries give the same
 * results whatever the thread count. Another `batch` (or the same query in another batch) can change
 * a score in its last float bit, so near-ties at rank k may swap.
 */
export interface IvfOptions {
  /**
   * Cells (k-means centroids). Default round(2 x sqrt(n)) (447 at 50k, 894 at 200k): with batched
   * Gemm scoring, bigger cells score faster per row, so fewer, larger cells than faiss' 4-16 x sqrt(n)
   * advice; the coarse step (queries x lists) stays under 1% of the exact cost. Sweep in docs/retrieval.md.
   */
  readonly lists?: number;
  /**
   * Cells scanned per query. Default 48: recall@100 0.965 on the embedding-like bench data at 200k
   * with the default 894 cells (5.4% of the cells; ~7% of the rows, as queries fall in big cells more
   * often), 0.937 at 32 (docs/retrieval.md). Recall depends on the data: measure with annRecall on a
   * sample of your queries and change it with `withProbes`.
   */
  readonly nprobe?: number;
  /** k-means rounds. Default 10 (recall changes by < 0.01 from 10 to 20 rounds on the bench data). */
  readonly iterations?: number;
  /**
   * Training rows per cell (a seeded sample of the corpus). Default 48: faiss warns below 39; more
   * costs build time linearly for little change in the cells.
   */
  readonly trainPerList?: number;
  /** Seed of the sample, the initial centroids and re-seeded empty cells. Default 42. */
  readonly seed?: number;
  /**
   * Queries scored together. Default 4096: each cell then sees ~4096 x nprobe / lists queries in one
   * Gemm (~220 with the defaults at 200k), which amortises onnxruntime's ~0.15 ms per call over more
   * rows; memory per worker ~ batch x k x 8 bytes (3.3 MB at k 100).
   */
  readonly batch?: number;
  /**
   * Threads: k-means uses onnxruntime with this many intra-op threads; search uses this many worker
   * threads. Default 0 = os.availableParallelism().
   */
  readonly threads?: number;
}


export const IVF_DEFAULTS = { nprobe: 48, iterations: 10, trainPerList: 48, seed: 42, batch: 4096, threads: 0 } as const;
export const defaultIvfLists = (n: number): number => Math.max(1, Math.min(n, Math.round(2 * Math.sqrt(n))));

export interface IvfIndex extends ApproxDenseIndex {
  readonly kind: 'ivf';
  readonly size: number;
  readonly dim: number;
  readonly lists: number;
  readonly nprobe: number;
  /** Rows per cell (length `lists`). */
  readonly listSizes: Int32Array;
  /** Cell of each corpus row (length n). */
  readonly assignment: Int32Array;
  /** Worker threads searching (each with a 1-thread onnxruntime session). */
  readonly threads: number;
  /** Top-k per query; `exclude[q]` rows (e.g. the query's positives) are never returned for query q. */
  search(queries: Float32Array, k: number, opts?: ApproxSearchOptions): Promise<DenseTopKResult>;
  /** The same cells searched with another nprobe (no copy). */
  withProbes(nprobe: number): IvfIndex;
  /** Stops the workers (shared by every `withProbes` view). */
  close(): Promise<void>;
}

// ---- a Gemm-only ONNX graph: Y = Q x C^T (dense.ts builds Gemm + TopK the same way) ----
function gemmModel(dim: number): Uint8Array {
  const out: number[] = [];
  type W = (o: number[]) => void;
  const varint = (o: number[], v: number) => { while (v > 127) { o.push((v % 128) | 128); v = Math.floor(v / 128); } o.push(v); };
  const int = (f: number, v: number): W => (o) => { varint(o, f * 8); varint(o, v); };
  const bytes = (f: number, b: number[]): W => (o) => { varint(o, f * 8 + 2); varint(o, b.length); for (const x of b) o.push(x); };
  const str = (f: number, s: string): W => bytes(f, Array.from(new TextEncoder().encode(s)));
  const msg = (f: number, ...ws: W[]): W => { const b: number[] = []; for (const w of ws) w(b); return bytes(f, b); };
  const shape = (dims: (number | string)[]): W => msg(2, ...dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d))));
  const vi = (name: string, dims: (number | string)[]): W => msg(11, str(1, name), msg(2, msg(1, int(1, 1), shape(dims))));
  const vo = (name: string, dims: (number | string)[]): W => msg(12, str(1, name), msg(2, msg(1, int(1, 1), shape(dims))));
  const gemm = msg(1, str(1, 'Q'), str(1, 'C'), str(2, 'Y'), str(3, 'gemm'), str(4, 'Gemm'), msg(5, str(1, 'transB'), int(3, 1), int(20, 2)));
  const graph = msg(7, gemm, str(2, 'ivf_scores'), vi('Q', ['q', dim]), vi('C', ['n', dim]), vo('Y', ['q', 'n']));
  for (const w of [int(1, 7), str(2, 'clickforge'), graph, msg(8, str(1, ''), int(2, 13))]) w(out);
  return Uint8Array.from(out);
}

function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw usageError('bad_ivf_options', `${fn}: ${name} must be a positive integer (got ${v}).`);
}

/** Nearest centroid (largest inner product) of every row; ties go to the lower centroid (ONNX TopK). */
async function assign(rows: Float32Array, centroids: Float32Array, dim: number, threads: number): Promise<Int32Array> {
  const s: DenseSearcher = await createOnnxDenseTopK(centroids, dim, 1, { batch: 512, threads });
  try {
    const r = await s.search(rows);
    return r.ids;
  } finally {
    await s.close();
  }
}

function normaliseRows(a: Float32Array, dim: number): void {
  for (let o = 0; o < a.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[o + j]! * a[o + j]!;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) a[o + j]! *= inv;
  }
}

type ResolvedIvf = Required<IvfOptions>;

function resolveIvfOptions(corpus: Float32Array, dim: number, opts: IvfOptions): { n: number; o: ResolvedIvf } {
  if (!Number.isInteger(dim) || dim < 1 || corpus.length % dim !== 0) throw usageError('bad_dense_shape', `buildIvf: corpus length ${corpus.length} is not a multiple of dim ${dim}: give n x dim row-major floats.`);
  const n = corpus.length / dim;
  if (n === 0) throw usageError('bad_dense_shape', 'buildIvf: the corpus is empty; there is nothing to index.');
  const lists = opts.lists ?? defaultIvfLists(n);
  const nprobe = opts.nprobe ?? IVF_DEFAULTS.nprobe;
  const iterations = opts.iterations ?? IVF_DEFAULTS.iterations;
  const trainPerList = opts.trainPerList ?? IVF_DEFAULTS.trainPerList;
  const batch = opts.batch ?? IVF_DEFAULTS.batch;
  const threads = opts.threads ?? IVF_DEFAULTS.threads;
  const seed = opts.seed ?? IVF_DEFAULTS.seed;
  for (const [name, v] of [['lists', lists], ['nprobe', nprobe], ['trainPerList', trainPerList], ['batch', batch]] as const) checkPositiveInt('buildIvf', name, v);
  if (!Number.isInteger(iterations) || iterations < 0) throw usageError('bad_ivf_options', `buildIvf: iterations must be a non-negative integer (got ${iterations}).`);
  if (!Number.isInteger(threads) || threads < 0) throw usageError('bad_ivf_options', `buildIvf: threads must be a non-negative integer, 0 = all cores (got ${threads}).`);
  if (lists > n) throw usageError('bad_ivf_options', `buildIvf: lists (${lists}) exceeds the corpus size (${n}); use at most n cells (default round(2 x sqrt(n))).`);
  if (!Number.isInteger(seed)) throw usageError('bad_ivf_options', `buildIvf: seed must be an integer (got ${seed}).`);
  for (let i = 0; i < corpus.length; i++) {
    if (!Number.isFinite(corpus[i]!)) throw usageError('bad_dense_values', `buildIvf: corpus row ${Math.floor(i / dim)} has a non-finite value at column ${i % dim}; fix or drop that vector.`);
  }
  return { n, o: { lists, nprobe, iterations, trainPerList, batch, threads, seed } };
}

/** Spherical k-means over a seeded sample of the corpus: the unit centroids of the `lists` cells. */
async function trainCentroids(corpus: Float32Array, n: number, dim: number, o: ResolvedIvf): Promise<Float32Array> {
  const { lists, threads } = o;
  // Seeded sample (partial Fisher-Yates), sorted so the training set does not depend on draw order.
  const rng = createRng(o.seed);
  const m = Math.min(n, lists * o.trainPerList);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t;
  }
  const sampleIds = perm.slice(0, m).sort();
  const train = new Float32Array(m * dim);
  for (let i = 0; i < m; i++) train.set(corpus.subarray(sampleIds[i]! * dim, (sampleIds[i]! + 1) * dim), i * dim);
  // Initial centroids: the first `lists` rows of a seeded shuffle of the sample.
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  for (let i = 0; i < lists; i++) {
    const j = i + rng.int(m - i);
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  const centroids = new Float32Array(lists * dim);
  for (let c = 0; c < lists; c++) centroids.set(train.subarray(order[c]! * dim, (order[c]! + 1) * dim), c * dim);
  normaliseRows(centroids, dim);

  const sums = new Float64Array(lists * dim);
  const counts = new Int32Array(lists);
  for (let it = 0; it < o.iterations; it++) {
    const a = await assign(train, centroids, dim, threads);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < m; i++) {
      const c = a[i]!;
      counts[c]!++;
      const so = c * dim, ro = i * dim;
      for (let j = 0; j < dim; j++) sums[so + j]! += train[ro + j]!;
    }
    for (let c = 0; c < lists; c++) {
      if (counts[c] === 0) {
        // An empty cell takes a random training row: it splits a crowded cell next round.
        const r = rng.int(m);
        centroids.set(train.subarray(r * dim, (r + 1) * dim), c * dim);
        continue;
      }
      for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]!;
    }
    normaliseRows(centroids, dim);
  }
  return centroids;
}

interface Shard {
  readonly cells: Int32Array;
  /** Local row offset of each owned cell (-1 for cells another worker owns). */
  readonly cellStart: Int32Array;
  readonly ids: Int32Array;
  readonly vec: Float32Array<ArrayBuffer>;
}

/**
 * Cells are dealt to workers (largest first, to the worker with the fewest rows so far); each
 * worker gets its cells' rows as its own ArrayBuffer (onnxruntime refuses SharedArrayBuffer
 * tensors), so the index holds one copy of the corpus in all.
 */
function shardCells(corpus: Float32Array, dim: number, assignment: Int32Array, lists: number, workerCount: number): { listSizes: Int32Array; shards: Shard[] } {
  const n = assignment.length;
  const listSizes = new Int32Array(lists);
  for (let i = 0; i < n; i++) listSizes[assignment[i]!]!++;
  const offsets = new Int32Array(lists + 1);
  for (let c = 0; c < lists; c++) offsets[c + 1] = offsets[c]! + listSizes[c]!;
  const rowIds = new Int32Array(n);
  const fill = offsets.slice(0, lists);
  for (let i = 0; i < n; i++) rowIds[fill[assignment[i]!]!++] = i;

  const owner = new Int32Array(lists);
  const load = new Float64Array(workerCount);
  const bySize = Array.from({ length: lists }, (_, c) => c).sort((a, b) => listSizes[b]! - listSizes[a]! || a - b);
  for (const c of bySize) {
    let w = 0;
    for (let x = 1; x < workerCount; x++) if (load[x]! < load[w]!) w = x;
    owner[c] = w;
    load[w]! += listSizes[c]!;
  }
  const shards = Array.from({ length: workerCount }, (_, w) => {
    const cells: number[] = [];
    for (let c = 0; c < lists; c++) if (owner[c] === w) cells.push(c);
    const rows = cells.reduce((a, c) => a + listSizes[c]!, 0);
    const cellStart = new Int32Array(lists + 1).fill(-1);
    const ids = new Int32Array(rows);
    const vec = new Float32Array(rows * dim);
    let o = 0;
    for (const c of cells) {
      cellStart[c] = o;
      for (let p = offsets[c]!; p < offsets[c + 1]!; p++, o++) {
        ids[o] = rowIds[p]!;
        vec.set(corpus.subarray(rowIds[p]! * dim, (rowIds[p]! + 1) * dim), o * dim);
      }
    }
    return { cells: Int32Array.from(cells), cellStart, ids, vec };
  });
  return { listSizes, shards };
}

/** Merges the workers' per-query lists (each best first; ties: lower row first) into the top k. */
function mergeWorkerLists(W: number, nq: number, k: number, partIds: Int32Array, partScores: Float32Array, partCount: Int32Array, ids: Int32Array, scores: Float32Array): void {
  const at = new Int32Array(W);
  for (let i = 0; i < nq; i++) {
    at.fill(0);
    for (let j = 0; j < k; j++) {
      let best = -1, bs = -Infinity, bi = 0;
      for (let w = 0; w < W; w++) {
        if (at[w]! >= partCount[w * nq + i]!) continue;
        const o = (w * nq + i) * k + at[w]!;
        const s = partScores[o]!, r = partIds[o]!;
        if (best < 0 || s > bs || (s === bs && r < bi)) { best = w; bs = s; bi = r; }
      }
      if (best < 0) break;
      at[best]!++;
      ids[i * k + j] = bi;
      scores[i * k + j] = bs;
    }
  }
}

export async function buildIvf(corpus: Float32Array, dim: number, opts: IvfOptions = {}): Promise<IvfIndex> {
  const { n, o } = resolveIvfOptions(corpus, dim, opts);
  const { lists, nprobe, batch, threads } = o;
  const centroids = await trainCentroids(corpus, n, dim, o);
  const assignment = await assign(corpus, centroids, dim, threads);
  const workerCount = threads === 0 ? availableParallelism() : threads;
  const { listSizes, shards } = shardCells(corpus, dim, assignment, lists, workerCount);

  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const model = gemmModel(dim);
  const coarse = new Map<number, Promise<DenseSearcher>>();
  const coarseFor = (p: number): Promise<DenseSearcher> => {
    let s = coarse.get(p);
    if (!s) {
      s = createOnnxDenseTopK(centroids, dim, p, { batch: 1024, threads });
      coarse.set(p, s);
    }
    return s;
  };
  let workers: Worker[] | undefined;
  const startWorkers = (): Worker[] => shards.map((sh) => {
    const workerData = { ortPath, model, dim, lists, cells: sh.cells, cellStart: sh.cellStart, ids: sh.ids, vec: sh.vec.buffer };
    return new Worker(WORKER_SOURCE, { eval: true, workerData, transferList: [sh.vec.buffer] });
  });
  let closed = false;
  let runId = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (probes: number, queries: Float32Array, k: number, exclude: readonly (ReadonlySet<number> | undefined)[] | undefined): Promise<DenseTopKResult> => {
    if (closed) throw usageError('ivf_closed', 'IvfIndex.search was called after close(): build the index again.');
    const nq = queries.length / dim;
    const ids = new Int32Array(nq * k).fill(-1);
    const scores = new Float32Array(nq * k).fill(-Infinity);
    if (nq === 0 || k === 0) return { ids, scores, k };
    const p = Math.min(probes, lists);
    const probeIds = (await (await coarseFor(p)).search(queries)).ids;
    const probe = sharedI32(nq * p);
    probe.set(probeIds);
    const q = sharedF32(queries.length);
    q.set(queries);
    const exStart = sharedI32(nq + 1);
    let nx = 0;
    if (exclude !== undefined) for (let i = 0; i < nq; i++) exStart[i + 1] = nx += exclude[i]?.size ?? 0;
    const exIds = sharedI32(nx);
    if (exclude !== undefined) {
      let o = 0;
      for (let i = 0; i < nq; i++) for (const d of exclude[i] ?? []) exIds[o++] = d;
    }
    const W = shards.length;
    const partIds = sharedI32(W * nq * k);
    const partScores = sharedF32(W * nq * k);
    const partCount = sharedI32(W * nq);
    workers ??= startWorkers();
    const pool = workers;
    const id = ++runId;
    await runOnWorkers(pool, id, (wi) => ({
      id, nq, k, probes: p, batch, queries: q.buffer, probe: probe.buffer, exStart: exStart.buffer, exIds: exIds.buffer,
      outIds: partIds.buffer, outScores: partScores.buffer, outCount: partCount.buffer, part: wi,
    }), (err) => internalError('ivf_worker_failed', `IVF search worker failed: ${String(err)}`, { cause: err }));
    mergeWorkerLists(W, nq, k, partIds, partScores, partCount, ids, scores);
    return { ids, scores, k };
  };

  const wrap = (probes: number): IvfIndex => ({
    kind: 'ivf',
    size: n,
    dim,
    lists,
    nprobe: probes,
    threads: workerCount,
    listSizes,
    assignment,
    search(queries: Float32Array, k: number, sopts: ApproxSearchOptions = {}): Promise<DenseTopKResult> {
      if (queries.length % dim !== 0) return Promise.reject(usageError('bad_dense_shape', `IvfIndex.search: queries length ${queries.length} is not a multiple of dim ${dim}; queries must have the corpus' dimension.`));
      if (!Number.isInteger(k) || k < 0) return Promise.reject(usageError('bad_k', `IvfIndex.search: k must be a non-negative integer (got ${k}).`));
      const ex = sopts.exclude;
      const nq = queries.length / dim;
      if (ex !== undefined) {
        if (ex.length !== nq) return Promise.reject(usageError('bad_exclude', `IvfIndex.search: exclude has ${ex.length} entries for ${nq} queries (give one per query, undefined for none).`));
        for (let i = 0; i < nq; i++) for (const d of ex[i] ?? []) {
          if (!Number.isInteger(d) || d < 0 || d >= n) return Promise.reject(usageError('bad_exclude', `IvfIndex.search: exclude[${i}] holds ${d}, not a corpus row in 0..${n - 1}.`));
        }
      }
      const p = queue.then(() => run(probes, queries, k, ex));
      queue = p.catch(() => undefined);
      return p;
    },
    withProbes(next: number): IvfIndex {
      checkPositiveInt('withProbes', 'nprobe', next);
      return wrap(next);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await queue;
      for (const s of coarse.values()) await (await s).close();
      if (workers) await Promise.all(workers.map((w) => w.terminate()));
    },
  });
  return wrap(nprobe);
}

const sharedI32 = (len: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);
const sharedF32 = (len: number): Float32Array => new Float32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);

// Plain JavaScript (CommonJS, eval'd) so that it runs the same under tsx, vitest and the built dist.
// Each worker owns some cells and a single-threaded onnxruntime session: on 2 busy cores, 1-thread
// Gemms ran 2-3x faster than 2-thread ones on these small per-cell products (docs/retrieval.md).
// Per chunk of \`batch\` queries: the queries probing each owned cell -> one Gemm per cell -> bounded
// heaps of (score, row; excluded rows skipped) -> this worker's part of the output. A cell's Gemm sees the
// same queries whichever worker owns it, so results do not depend on the thread count; they can
// differ in the last float bit when the same query is searched in another batch (the Gemm's rounding
// depends on how many queries share a cell). A fixed-order re-score removed that but cost ~40% of the
// search time (measured), so scores are the Gemm's.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const dim = workerData.dim, lists = workerData.lists;
const cells = workerData.cells, cellStart = workerData.cellStart, rowIds = workerData.ids;
const vec = new Float32Array(workerData.vec);
const cellLen = new Int32Array(lists);
{ const ord = Array.from(cells).sort((a, b) => cellStart[a] - cellStart[b]);
  for (let j = 0; j < ord.length; j++) cellLen[ord[j]] = (j + 1 < ord.length ? cellStart[ord[j + 1]] : rowIds.length) - cellStart[ord[j]]; }
const tensors = new Array(lists);
const cell = (c) => tensors[c] || (tensors[c] = new ort.Tensor('float32', vec.subarray(cellStart[c] * dim, (cellStart[c] + cellLen[c]) * dim), [cellLen[c], dim]));
const sessionP = ort.InferenceSession.create(workerData.model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
// Bounded min-heap of (score, index); ties: the lower index ranks higher (as src/retrieval/topk.ts).
function heap(k) { return { k, n: 0, s: new Float32Array(Math.max(1, k)), i: new Int32Array(Math.max(1, k)) }; }
const worse = (s, i, t, j) => s < t || (s === t && i > j);
/** Moves (score, index) down from the root of a heap of n entries to its place. */
function siftDown(h, n, score, index) {
  const hs = h.s, hi = h.i;
  let c = 0;
  for (;;) {
    const l = 2 * c + 1; if (l >= n) break;
    const r = l + 1; const m = r < n && worse(hs[r], hi[r], hs[l], hi[l]) ? r : l;
    if (!worse(hs[m], hi[m], score, index)) break;
    hs[c] = hs[m]; hi[c] = hi[m]; c = m;
  }
  hs[c] = score; hi[c] = index;
}
function push(h, score, index) {
  const hs = h.s, hi = h.i;
  if (h.n < h.k) {
    let c = h.n++;
    while (c > 0) { const p = (c - 1) >> 1; if (!worse(score, index, hs[p], hi[p])) break; hs[c] = hs[p]; hi[c] = hi[p]; c = p; }
    hs[c] = score; hi[c] = index; return;
  }
  if (h.k === 0 || !worse(hs[0], hi[0], score, index)) return;
  siftDown(h, h.n, score, index);
}
function pop(h) {
  const n = --h.n;
  if (n === 0) return;
  siftDown(h, n, h.s[n], h.i[n]);
}
const threshold = (h) => (h.n < h.k ? -Infinity : h.s[0]);
const isMine = new Uint8Array(lists);
for (const c of cells) isMine[c] = 1;
async function runMsg(m) {
  const session = await sessionP;
  const Q = new Float32Array(m.queries), nq = m.nq, k = m.k, p = m.probes, batch = m.batch;
  const probe = new Int32Array(m.probe);
  const exStart = new Int32Array(m.exStart), exIds = new Int32Array(m.exIds);
  const outIds = new Int32Array(m.outIds), outScores = new Float32Array(m.outScores), outCount = new Int32Array(m.outCount);
  const part = m.part;
  const B = Math.min(batch, nq);
  const heaps = Array.from({ length: B }, () => heap(k));
  const cellCount = new Int32Array(lists + 1);
  const members = new Int32Array(B * p);
  const qbuf = new Float32Array(B * dim);
  for (let q0 = 0; q0 < nq; q0 += batch) {
    const qn = Math.min(batch, nq - q0);
    cellCount.fill(0);
    for (let i = q0 * p; i < (q0 + qn) * p; i++) if (isMine[probe[i]]) cellCount[probe[i] + 1]++;
    for (let c = 0; c < lists; c++) cellCount[c + 1] += cellCount[c];
    const start = cellCount.slice(0, lists);
    for (let i = 0; i < qn; i++) for (let j = 0; j < p; j++) { const c = probe[(q0 + i) * p + j]; if (isMine[c]) members[start[c]++] = i; }
    for (let i = 0; i < qn; i++) heaps[i].n = 0;
    for (const c of cells) {
      const a = cellCount[c], b = cellCount[c + 1], base = cellStart[c], len = cellLen[c];
      if (a === b || len === 0) continue;
      const mq = b - a;
      for (let t = 0; t < mq; t++) qbuf.set(Q.subarray((q0 + members[a + t]) * dim, (q0 + members[a + t] + 1) * dim), t * dim);
      const y = (await session.run({ Q: new ort.Tensor('float32', qbuf.subarray(0, mq * dim), [mq, dim]), C: cell(c) })).Y.data;
      for (let t = 0; t < mq; t++) {
        const qi = members[a + t], h = heaps[qi], e0 = exStart[q0 + qi], e1 = exStart[q0 + qi + 1];
        let th = threshold(h);
        const yo = t * len;
        for (let r = 0; r < len; r++) {
          const s = y[yo + r];
          if (s < th) continue;
          if (e1 > e0) {
            const row = rowIds[base + r];
            let skip = false;
            for (let e = e0; e < e1; e++) if (exIds[e] === row) { skip = true; break; }
            if (skip) continue;
          }
          push(h, s, rowIds[base + r]);
          th = threshold(h);
        }
      }
    }
    // Best first: pop the heap (worst first) from the back.
    for (let i = 0; i < qn; i++) {
      const h = heaps[i], m2 = h.n, o = (part * nq + q0 + i) * k;
      for (let j = m2 - 1; j >= 0; j--) { outScores[o + j] = h.s[0]; outIds[o + j] = h.i[0]; pop(h); }
      outCount[part * nq + q0 + i] = m2;
    }
  }
}
parentPort.on('message', (m) => {
  runMsg(m).then(() => parentPort.postMessage({ id: m.id }), (e) => parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) }));
});
`;
