import { usageError } from '../errors.js';
import { createRng } from '../util/rng.js';
import { createOnnxDenseTopK, type DenseSearcher, type DenseTopKResult } from './dense.js';
import { TopK } from './topk.js';

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
 * Memory: one reordered copy of the corpus (n x dim floats) plus 4 bytes a row and the centroids.
 * Deterministic: same corpus, options and seed give the same cells and the same results.
 */
export interface IvfOptions {
  /**
   * Cells (k-means centroids). Default round(2 x sqrt(n)) (447 at 50k, 894 at 200k): with batched
   * Gemm scoring, bigger cells score faster per row, so fewer, larger cells than faiss' 4-16 x sqrt(n)
   * advice; the coarse step (queries x lists) stays under 1% of the exact cost. Sweep in docs/retrieval.md.
   */
  readonly lists?: number;
  /**
   * Cells scanned per query. Default 24: recall@100 >= 0.95 on the embedding-like bench data at
   * 200k with the default lists (docs/retrieval.md). Recall depends on the data: measure with
   * annRecall on a sample of your queries, and change with `withProbes`.
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
   * Queries scored together. Default 2048: each cell then sees ~2048 x nprobe / lists queries at once
   * (~55 with the defaults), enough rows for the Gemm to run near full speed; memory ~ batch x k x 8 bytes.
   */
  readonly batch?: number;
  /** onnxruntime intra-op threads. Default 0 = all cores. */
  readonly threads?: number;
}

export const IVF_DEFAULTS = { nprobe: 24, iterations: 10, trainPerList: 48, seed: 42, batch: 2048, threads: 0 } as const;
export const defaultIvfLists = (n: number): number => Math.max(1, Math.min(n, Math.round(2 * Math.sqrt(n))));

export interface IvfIndex {
  readonly kind: 'ivf';
  readonly size: number;
  readonly dim: number;
  readonly lists: number;
  readonly nprobe: number;
  /** Rows per cell (length `lists`). */
  readonly listSizes: Int32Array;
  /** Cell of each corpus row (length n). */
  readonly assignment: Int32Array;
  search(queries: Float32Array, k: number): Promise<DenseTopKResult>;
  /** The same cells searched with another nprobe (no copy). */
  withProbes(nprobe: number): IvfIndex;
  /** Releases the onnxruntime sessions (of every `withProbes` view). */
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

export async function buildIvf(corpus: Float32Array, dim: number, opts: IvfOptions = {}): Promise<IvfIndex> {
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

  // Seeded sample (partial Fisher-Yates), sorted so the training set does not depend on draw order.
  const rng = createRng(seed);
  const m = Math.min(n, lists * trainPerList);
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
  for (let it = 0; it < iterations; it++) {
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

  const assignment = await assign(corpus, centroids, dim, threads);
  const listSizes = new Int32Array(lists);
  for (let i = 0; i < n; i++) listSizes[assignment[i]!]!++;
  const offsets = new Int32Array(lists + 1);
  for (let c = 0; c < lists; c++) offsets[c + 1] = offsets[c]! + listSizes[c]!;
  const rowIds = new Int32Array(n);
  const fill = offsets.slice(0, lists);
  for (let i = 0; i < n; i++) rowIds[fill[assignment[i]!]!++] = i;
  const sorted = new Float32Array(n * dim);
  for (let p = 0; p < n; p++) sorted.set(corpus.subarray(rowIds[p]! * dim, (rowIds[p]! + 1) * dim), p * dim);

  const ort = await import('onnxruntime-node');
  const gemm = await ort.InferenceSession.create(gemmModel(dim), { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const coarse = new Map<number, Promise<DenseSearcher>>();
  const coarseFor = (p: number): Promise<DenseSearcher> => {
    let s = coarse.get(p);
    if (!s) {
      s = createOnnxDenseTopK(centroids, dim, p, { batch: 512, threads });
      coarse.set(p, s);
    }
    return s;
  };
  const cellTensors: (InstanceType<typeof ort.Tensor> | undefined)[] = new Array(lists);
  const cellTensor = (c: number) => (cellTensors[c] ??= new ort.Tensor('float32', sorted.subarray(offsets[c]! * dim, offsets[c + 1]! * dim), [listSizes[c]!, dim]));

  let closed = false;
  const wrap = (probes: number): IvfIndex => ({
    kind: 'ivf',
    size: n,
    dim,
    lists,
    nprobe: probes,
    listSizes,
    assignment,
    async search(queries: Float32Array, k: number): Promise<DenseTopKResult> {
      if (closed) throw usageError('ivf_closed', 'IvfIndex.search: the index was closed; build it again.');
      if (queries.length % dim !== 0) throw usageError('bad_dense_shape', `IvfIndex.search: queries length ${queries.length} is not a multiple of dim ${dim}; queries must have the corpus' dimension.`);
      if (!Number.isInteger(k) || k < 0) throw usageError('bad_k', `IvfIndex.search: k must be a non-negative integer (got ${k}).`);
      const nq = queries.length / dim;
      const ids = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      if (nq === 0 || k === 0) return { ids, scores, k };
      const p = Math.min(probes, lists);
      const probeIds = (await (await coarseFor(p)).search(queries)).ids; // nq x p, nearest cells first
      const heaps = Array.from({ length: Math.min(batch, nq) }, () => new TopK(k));
      const cellCount = new Int32Array(lists + 1);
      const members = new Int32Array(Math.min(batch, nq) * p);
      const qbuf = new Float32Array(Math.min(batch, nq) * dim);
      const rescored = new Float64Array(k);
      const rank = new Int32Array(k);
      const rowOf = new Int32Array(k);
      for (let q0 = 0; q0 < nq; q0 += batch) {
        const qn = Math.min(batch, nq - q0);
        for (let i = 0; i < qn; i++) heaps[i]!.reset();
        // Queries of the batch grouped by cell (counting sort; within a cell, ascending query).
        cellCount.fill(0);
        for (let i = 0; i < qn * p; i++) cellCount[probeIds[q0 * p + i]! + 1]!++;
        for (let c = 0; c < lists; c++) cellCount[c + 1]! += cellCount[c]!;
        const start = cellCount.slice(0, lists);
        for (let i = 0; i < qn; i++) for (let j = 0; j < p; j++) members[start[probeIds[(q0 + i) * p + j]!]!++] = i;
        for (let c = 0; c < lists; c++) {
          const a = cellCount[c]!, b = cellCount[c + 1]!, len = listSizes[c]!;
          if (a === b || len === 0) continue;
          const mq = b - a;
          for (let t = 0; t < mq; t++) qbuf.set(queries.subarray((q0 + members[a + t]!) * dim, (q0 + members[a + t]! + 1) * dim), t * dim);
          const out = await gemm.run({ Q: new ort.Tensor('float32', qbuf.subarray(0, mq * dim), [mq, dim]), C: cellTensor(c) });
          const y = out['Y']!.data as Float32Array;
          const base = offsets[c]!;
          for (let t = 0; t < mq; t++) {
            const h = heaps[members[a + t]!]!;
            let th = h.threshold();
            const yo = t * len;
            for (let r = 0; r < len; r++) {
              const s = y[yo + r]!;
              if (s >= th) {
                h.push(s, base + r); // position in the cell-ordered copy
                th = h.threshold();
              }
            }
          }
        }
        // Re-score the kept rows with one fixed summation order: the Gemm's rounding depends on how
        // many queries shared a cell, and results must not depend on batching (~5% of search time).
        for (let i = 0; i < qn; i++) {
          const res = heaps[i]!.result();
          const m = res.ids.length, qo = (q0 + i) * dim;
          for (let j = 0; j < m; j++) {
            const ro = res.ids[j]! * dim;
            let acc = 0;
            for (let x = 0; x < dim; x++) acc += queries[qo + x]! * sorted[ro + x]!;
            rescored[j] = Math.fround(acc);
            rowOf[j] = rowIds[res.ids[j]!]!;
            rank[j] = j;
          }
          const rk = rank.subarray(0, m);
          rk.sort((a, b) => (rescored[b]! - rescored[a]!) || (rowOf[a]! - rowOf[b]!));
          const o = (q0 + i) * k;
          for (let j = 0; j < m; j++) {
            ids[o + j] = rowOf[rk[j]!]!;
            scores[o + j] = rescored[rk[j]!]!;
          }
        }
      }
      return { ids, scores, k };
    },
    withProbes(next: number): IvfIndex {
      checkPositiveInt('withProbes', 'nprobe', next);
      return wrap(next);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const s of coarse.values()) await (await s).close();
      coarse.clear();
      await gemm.release();
    },
  });
  return wrap(nprobe);
}
