import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { DenseTopKResult } from './dense.js';
import type { IvfOptions } from './ivf.js';
import { TopK } from './topk.js';

/**
 * Approximate dense top-k by inner product with usearch (HNSW; its binary ships in the npm
 * tarball, nothing is downloaded). For unit vectors this is cosine similarity.
 *
 * Input: a row-major Float32Array corpus (n x dim). Output of `search`: the same layout as
 * `denseTopK` (nq x k, best first, -1 / -Infinity padded), scores = inner products.
 * Measure what you lose with `annRecall(approx, exact)` on a sample of queries.
 *
 * Traps handled here: usearch reads typed arrays from offset 0 of their buffer, ignoring
 * byteOffset, so views are copied; its module cannot be imported from `node -e` (stack overflow),
 * which is why it is imported lazily from a module.
 */
export interface AnnOptions {
  /**
   * Graph degree (HNSW M). Default 16 (usearch's own default; recall is bought more cheaply with
   * expansionSearch, and build time grows with M). Measured grid in docs/retrieval.md.
   */
  readonly connectivity?: number;
  /** Candidate list while building (efConstruction). Default 128. */
  readonly expansionAdd?: number;
  /**
   * Candidate list while searching (ef). Default 128. With the default i8 + oversample 2, usearch
   * walks max(ef, 2k) candidates, so an ef below ceil(k x oversample) changes nothing (sweep in
   * docs/retrieval.md: identical recall for ef 32-128 at k 100); recall@100 after re-ranking: 0.956 on
   * clustered 5k x 384, 1.000 on clustered 200k x 384 (1.7x exact ONNX, median of interleaved rounds).
   * Isotropic random vectors need far more (docs/retrieval.md): measure with annRecall on your data.
   */
  readonly expansionSearch?: number;
  /** Threads for add and search. Default os.availableParallelism(). */
  readonly threads?: number;
  /**
   * How usearch stores vectors. Default 'i8': with this usearch build, i8 distances ran ~6x faster
   * than f32 and built the graph ~5x faster (10k x 384); its ranking alone loses a little recall,
   * which `oversample` buys back.
   */
  readonly quantization?: 'f32' | 'f16' | 'i8';
  /**
   * With a lossy quantization, fetch k x oversample candidates and re-rank them by exact float32
   * inner product (a number >= 1; candidates = ceil(k x oversample); 1 = no re-rank). Default 2:
   * recall@100 0.89 -> 0.95-0.98 on clustered 10k x 384 (ef 256-384). Ignored for 'f32'.
   */
  readonly oversample?: number;
}

export const ANN_DEFAULTS = { connectivity: 16, expansionAdd: 128, expansionSearch: 128, quantization: 'i8', oversample: 2 } as const;

/** Per-call options of an approximate search. */
export interface ApproxSearchOptions {
  /** One entry per query (undefined = none): corpus rows that must not be returned for that query (e.g. its positives). */
  readonly exclude?: readonly (ReadonlySet<number> | undefined)[];
}

/**
 * What the dense miner needs from any approximate index (HNSW here, IVF in ivf.ts): top-k by inner
 * product in the `denseTopK` layout, optional per-query exclusions, and a close().
 */
export interface ApproxDenseIndex {
  readonly kind: 'hnsw' | 'ivf';
  readonly size: number;
  readonly dim: number;
  search(queries: Float32Array, k: number, opts?: ApproxSearchOptions): DenseTopKResult | Promise<DenseTopKResult>;
  close(): Promise<void>;
}

export interface AnnIndex extends ApproxDenseIndex {
  readonly kind: 'hnsw';
  readonly size: number;
  readonly dim: number;
  readonly expansionSearch: number;
  /** Candidates fetched per query = ceil(k x oversample), re-ranked exactly (1 for 'f32'). */
  readonly oversample: number;
  /** Synchronous. With `exclude`, fetches k + (largest exclusion set) and drops the excluded rows. */
  search(queries: Float32Array, k: number, opts?: ApproxSearchOptions): DenseTopKResult;
  /**
   * The same graph searched with another expansionSearch (usearch fixes it per index object: the
   * graph goes through a temporary file, no rebuild), optionally with another oversample (same
   * graph, no copy). For tuning recall against speed.
   */
  withExpansionSearch(ef: number, oversample?: number): AnnIndex;
}

/** A copy when the view does not start at its buffer's first byte or the buffer is shared. */
const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.buffer instanceof ArrayBuffer && a.byteLength === a.buffer.byteLength ? a : a.slice());

export async function buildAnn(corpus: Float32Array, dim: number, opts: AnnOptions = {}): Promise<AnnIndex> {
  if (!Number.isInteger(dim) || dim < 1 || corpus.length % dim !== 0) throw usageError('bad_dense_shape', `buildAnn: corpus length ${corpus.length} is not a multiple of dim ${dim}.`);
  const connectivity = opts.connectivity ?? ANN_DEFAULTS.connectivity;
  const expansionAdd = opts.expansionAdd ?? ANN_DEFAULTS.expansionAdd;
  const expansionSearch = opts.expansionSearch ?? ANN_DEFAULTS.expansionSearch;
  const threads = opts.threads ?? availableParallelism();
  const quantization = opts.quantization ?? ANN_DEFAULTS.quantization;
  const oversample = quantization === 'f32' ? 1 : opts.oversample ?? ANN_DEFAULTS.oversample;
  if (!['f32', 'f16', 'i8'].includes(quantization)) throw usageError('bad_ann_options', `buildAnn: quantization must be 'f32', 'f16' or 'i8' (got ${String(quantization)}).`);
  for (const [name, v] of [['connectivity', connectivity], ['expansionAdd', expansionAdd], ['expansionSearch', expansionSearch], ['threads', threads]] as const) {
    if (!Number.isInteger(v) || v < 1) throw usageError('bad_ann_options', `buildAnn: ${name} must be a positive integer (got ${v}).`);
  }
  checkOversample('buildAnn', oversample);
  const { Index, MetricKind, ScalarKind } = await import('usearch');
  const n = corpus.length / dim;
  const config = (ef: number) => ({
    dimensions: dim, metric: MetricKind.IP, quantization: quantization === 'i8' ? ScalarKind.I8 : quantization === 'f16' ? ScalarKind.F16 : ScalarKind.F32,
    connectivity, expansion_add: expansionAdd, expansion_search: ef, multi: false,
  });
  const index = new Index(config(expansionSearch));
  const vectors = own(corpus);
  if (n > 0) {
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(i);
    index.add(keys, vectors, threads);
  }
  const wrap = (graph: InstanceType<typeof Index>, graphEf: number, oversample: number): AnnIndex => {
    const searchRaw = (queries: Float32Array, k: number): DenseTopKResult => {
      const nq = queries.length / dim;
      const ids = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      if (nq === 0 || k === 0 || n === 0) return { ids, scores, k };
      const kk = Math.min(n, Math.ceil(k * oversample));
      // Several queries come back as BatchMatches (with counts), a single one as Matches (keys = its hits).
      const m = graph.search(own(queries), kk, threads) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
      const counts = m.counts;
      const top = new TopK(k);
      for (let q = 0; q < nq; q++) {
        const c = Math.min(kk, counts === undefined ? m.keys.length : Number(counts[q]!));
        if (oversample === 1) {
          for (let j = 0; j < Math.min(c, k); j++) {
            ids[q * k + j] = Number(m.keys[q * kk + j]!);
            scores[q * k + j] = 1 - m.distances[q * kk + j]!;
          }
          continue;
        }
        top.reset();
        const qo = q * dim;
        for (let j = 0; j < c; j++) {
          const d = Number(m.keys[q * kk + j]!);
          const o = d * dim;
          let s = 0;
          for (let x = 0; x < dim; x++) s += queries[qo + x]! * vectors[o + x]!;
          top.push(s, d);
        }
        const r = top.result();
        ids.set(r.ids, q * k);
        scores.set(r.scores, q * k);
      }
      return { ids, scores, k };
    };
    return {
    size: n,
    dim,
    expansionSearch: graphEf,
    oversample,
    kind: 'hnsw',
    close: () => Promise.resolve(),
    search(queries: Float32Array, k: number, sopts: ApproxSearchOptions = {}): DenseTopKResult {
      if (queries.length % dim !== 0) throw usageError('bad_dense_shape', `AnnIndex.search: queries length ${queries.length} is not a multiple of dim ${dim}; queries must have the corpus' dimension.`);
      if (!Number.isInteger(k) || k < 0) throw usageError('bad_k', `AnnIndex.search: k must be a non-negative integer (got ${k}).`);
      const ex = sopts.exclude;
      if (ex === undefined) return searchRaw(queries, k);
      const nq = queries.length / dim;
      if (ex.length !== nq) throw usageError('bad_exclude', `AnnIndex.search: exclude has ${ex.length} entries for ${nq} queries (give one per query, undefined for none).`);
      let extra = 0;
      for (const e of ex) extra = Math.max(extra, e?.size ?? 0);
      const wide = searchRaw(queries, k + extra);
      const kw = k + extra;
      const ids = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      for (let q = 0; q < nq; q++) {
        const e = ex[q];
        let o = 0;
        for (let j = 0; j < kw && o < k; j++) {
          const d = wide.ids[q * kw + j]!;
          if (d < 0 || e?.has(d)) continue;
          ids[q * k + o] = d;
          scores[q * k + o++] = wide.scores[q * kw + j]!;
        }
      }
      return { ids, scores, k };
    },
    withExpansionSearch(ef: number, nextOversample = oversample): AnnIndex {
      if (!Number.isInteger(ef) || ef < 1) throw usageError('bad_ann_options', `withExpansionSearch: ef must be a positive integer (got ${ef}).`);
      const os = quantization === 'f32' ? 1 : nextOversample;
      checkOversample('withExpansionSearch', os);
      if (ef === graphEf) return wrap(graph, ef, os);
      const file = join(tmpdir(), `clickforge-ann-${process.pid}-${randomBytes(6).toString('hex')}.usearch`);
      try {
        graph.save(file);
        const next = new Index(config(ef));
        next.load(file);
        return wrap(next, ef, os);
      } finally {
        rmSync(file, { force: true });
      }
    },
    };
  };
  return wrap(index, expansionSearch, oversample);
}

function checkOversample(fn: string, v: number): void {
  if (!Number.isFinite(v) || v < 1) throw usageError('bad_ann_options', `${fn}: oversample must be a number >= 1 (got ${v}); 1 turns the exact re-rank off.`);
}

/**
 * Mean recall@k of an approximate result against the exact one: per query, the share of the exact
 * top-k (its non-padding entries) that the approximate top-k also returned. Queries whose exact list
 * is empty are skipped. Both results must cover the same queries.
 */
export function annRecall(approx: DenseTopKResult, exact: DenseTopKResult, k = Math.min(approx.k, exact.k)): number {
  if (k > approx.k || k > exact.k) throw usageError('bad_k', `annRecall: k=${k} is larger than a result's k (${approx.k}, ${exact.k}).`);
  const nq = exact.ids.length / exact.k;
  if (approx.ids.length / approx.k !== nq) throw usageError('bad_recall_input', `annRecall: ${approx.ids.length / approx.k} approximate vs ${nq} exact queries: give results for the same queries.`);
  let sum = 0, counted = 0;
  const seen = new Set<number>();
  for (let q = 0; q < nq; q++) {
    seen.clear();
    for (let j = 0; j < k; j++) {
      const d = approx.ids[q * approx.k + j]!;
      if (d >= 0) seen.add(d);
    }
    let hit = 0, tot = 0;
    for (let j = 0; j < k; j++) {
      const d = exact.ids[q * exact.k + j]!;
      if (d < 0) continue;
      tot++;
      if (seen.has(d)) hit++;
    }
    if (tot === 0) continue;
    sum += hit / tot;
    counted++;
  }
  return counted === 0 ? 1 : sum / counted;
}

export type ApproxDenseOptions =
  | ({ readonly method: 'ivf' } & IvfOptions)
  | ({ readonly method: 'hnsw' } & AnnOptions);

/**
 * One entry point for the dense miner: `{ method: 'ivf', ...IvfOptions }` (default choice: >= 5x
 * exact at recall@100 >= 0.95 on embedding-like data, docs/retrieval.md) or `{ method: 'hnsw',
 * ...AnnOptions }`. Close the index when done (IVF holds worker threads).
 */
export async function buildApproxDense(corpus: Float32Array, dim: number, opts: ApproxDenseOptions): Promise<ApproxDenseIndex> {
  if (opts.method === 'hnsw') return buildAnn(corpus, dim, opts);
  if (opts.method === 'ivf') return (await import('./ivf.js')).buildIvf(corpus, dim, opts);
  throw usageError('bad_ann_options', `buildApproxDense: method must be 'ivf' or 'hnsw' (got ${String((opts as { method?: unknown }).method)}).`);
}
