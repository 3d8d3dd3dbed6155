import { createRng } from '../../../src/util/rng.js';
import type { ResultPages } from '../../../src/ports/index.js';

export const TRUE_EXAM = [0.95, 0.72, 0.58, 0.47, 0.4, 0.34, 0.3, 0.26, 0.23, 0.21];

/**
 * Pages drawn from a position-based model with known examination `TRUE_EXAM` and per-document
 * attractiveness. `shuffle` is the share of pages whose order is a uniform random permutation;
 * the others show the query's base order (by attractiveness) with a few random adjacent swaps (as a ranker that
 * changes a little over time), so documents appear at several ranks.
 */
export function syntheticPages(opts: { seed: number; pages: number; queries?: number; docsPerQuery?: number; shuffle?: number; swaps?: number; exam?: readonly number[] }): { pages: ResultPages; attractiveness: number[][] } {
  const rng = createRng(opts.seed);
  const nQ = opts.queries ?? 40;
  const nD = opts.docsPerQuery ?? 14;
  const exam = opts.exam ?? TRUE_EXAM;
  const R = exam.length;
  const attractiveness = Array.from({ length: nQ }, () => Array.from({ length: nD }, () => 0.1 + 0.8 * rng.next()));
  // The logging ranker is good: its base order sorts documents by attractiveness, so raw CTR by rank confounds relevance with position.
  const baseOrder = attractiveness.map((as) => as.map((_, d) => d).sort((x, y) => (as[y] as number) - (as[x] as number)));
  const queries = Array.from({ length: nQ }, (_, q) => `q${q}`);
  const docIds: string[] = [];
  for (let q = 0; q < nQ; q++) for (let d = 0; d < nD; d++) docIds.push(`q${q}-d${d}`);
  const query = new Int32Array(opts.pages);
  const docs = new Int32Array(opts.pages * R);
  const clicks = new Uint32Array(opts.pages);
  const order = Array.from({ length: nD }, (_, i) => i);
  for (let i = 0; i < opts.pages; i++) {
    const q = rng.int(nQ);
    query[i] = q;
    const base = baseOrder[q] as number[];
    for (let k = 0; k < nD; k++) order[k] = base[k] as number;
    if (rng.next() < (opts.shuffle ?? 0)) {
      for (let k = nD - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        [order[k], order[j]] = [order[j] as number, order[k] as number];
      }
    } else {
      for (let s = 0; s < (opts.swaps ?? 10); s++) {
        const k = rng.int(nD - 1);
        [order[k], order[k + 1]] = [order[k + 1] as number, order[k] as number];
      }
    }
    let mask = 0;
    for (let r = 0; r < R; r++) {
      const d = order[r] as number;
      docs[i * R + r] = q * nD + d;
      if (rng.next() < (exam[r] as number) * (attractiveness[q]![d] as number)) mask |= 1 << r;
    }
    clicks[i] = mask >>> 0;
  }
  return { pages: { nPages: opts.pages, nRanks: R, query, docs, clicks, queries, docIds }, attractiveness };
}

export const relativeOf = (xs: ArrayLike<number>): number[] => Array.from(xs, (v) => v / (xs[0] as number));
