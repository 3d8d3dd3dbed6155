import { availableParallelism } from 'node:os';
import { usageError } from '../errors.js';
import type { DenseTopKResult } from './dense.js';

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
   * Candidate list while searching (ef); keep it >= k. Default 256: recall@100 0.95-0.97 on
   * clustered unit vectors (5k-20k x 384, M 16), where 128 gave 0.89. Isotropic random vectors
   * need far more (docs/retrieval.md): measure with annRecall on your own data.
   */
  readonly expansionSearch?: number;
  /** Threads for add and search. Default os.availableParallelism(). */
  readonly threads?: number;
}

export const ANN_DEFAULTS = { connectivity: 16, expansionAdd: 128, expansionSearch: 256 } as const;

export interface AnnIndex {
  readonly size: number;
  readonly dim: number;
  search(queries: Float32Array, k: number): DenseTopKResult;
}

/** A copy when the view does not start at its buffer's first byte or the buffer is shared. */
const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.buffer instanceof ArrayBuffer && a.byteLength === a.buffer.byteLength ? a : a.slice());

export async function buildAnn(corpus: Float32Array, dim: number, opts: AnnOptions = {}): Promise<AnnIndex> {
  if (!Number.isInteger(dim) || dim < 1 || corpus.length % dim !== 0) throw usageError('bad_dense_shape', `buildAnn: corpus length ${corpus.length} is not a multiple of dim ${dim}.`);
  const connectivity = opts.connectivity ?? ANN_DEFAULTS.connectivity;
  const expansionAdd = opts.expansionAdd ?? ANN_DEFAULTS.expansionAdd;
  const expansionSearch = opts.expansionSearch ?? ANN_DEFAULTS.expansionSearch;
  const threads = opts.threads ?? availableParallelism();
  for (const [name, v] of [['connectivity', connectivity], ['expansionAdd', expansionAdd], ['expansionSearch', expansionSearch], ['threads', threads]] as const) {
    if (!Number.isInteger(v) || v < 1) throw usageError('bad_ann_options', `buildAnn: ${name} must be a positive integer (got ${v}).`);
  }
  const { Index, MetricKind, ScalarKind } = await import('usearch');
  const n = corpus.length / dim;
  const index = new Index({
    dimensions: dim, metric: MetricKind.IP, quantization: ScalarKind.F32,
    connectivity, expansion_add: expansionAdd, expansion_search: expansionSearch, multi: false,
  });
  if (n > 0) {
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(i);
    index.add(keys, own(corpus), threads);
  }
  return {
    size: n,
    dim,
    search(queries: Float32Array, k: number): DenseTopKResult {
      if (queries.length % dim !== 0) throw usageError('bad_dense_shape', `AnnIndex.search: queries length ${queries.length} is not a multiple of dim ${dim}.`);
      if (!Number.isInteger(k) || k < 0) throw usageError('bad_k', `AnnIndex.search: k must be a non-negative integer (got ${k}).`);
      const nq = queries.length / dim;
      const ids = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      if (nq === 0 || k === 0 || n === 0) return { ids, scores, k };
      // Several queries come back as BatchMatches (with counts), a single one as Matches (keys = its hits).
      const m = index.search(own(queries), k, threads) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
      const counts = m.counts;
      for (let q = 0; q < nq; q++) {
        const c = counts === undefined ? m.keys.length : Number(counts[q]!);
        for (let j = 0; j < Math.min(c, k); j++) {
          ids[q * k + j] = Number(m.keys[q * k + j]!);
          scores[q * k + j] = 1 - m.distances[q * k + j]!;
        }
      }
      return { ids, scores, k };
    },
  };
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
