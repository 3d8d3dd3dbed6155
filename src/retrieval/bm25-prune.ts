import { TopK } from './topk.js';

/**
 * Exact top-k BM25, term at a time, with MaxScore-style pruning.
 *
 * A query's terms are summed in one canonical order: largest impact first, then term id (so a
 * score does not depend on word order, and the serial and parallel searches add the same floats
 * in the same order). After each term, the k-th best partial score is a lower bound of the final
 * k-th score; once the largest impacts of the terms still to go add up to less than it, no
 * document outside the candidates can reach the top k, so those (long, low-idf) postings are not
 * scanned. Candidates whose partial score plus that bound stays under the k-th are dropped; the
 * rest get the remaining terms' impacts by binary search, added in the same order, so scores and
 * ties equal the exhaustive search's bit for bit. Bounds carry a 1e-5 relative margin for float32
 * rounding, and a tie with the k-th score is kept.
 */
export interface PruneIndex {
  readonly start: Int32Array;
  readonly postDoc: Int32Array;
  readonly postImpact: Float32Array;
  /** The largest impact in each term's postings. */
  readonly maxImpact: Float32Array;
  /** Scratch: one float a document, all zero between queries. */
  readonly acc: Float32Array;
  /** Scratch: one int a document. */
  readonly touched: Int32Array;
}

const MARGIN = 1e-5;

/** Sorts term ids (repeats kept) into the canonical summation order, in place. */
export function canonicalTermOrder(terms: number[] | Int32Array, maxImpact: Float32Array): void {
  terms.sort((a, b) => maxImpact[b]! - maxImpact[a]! || a - b);
}

/** Impact of document d in term t's postings, or 0 when d does not contain t. */
function impactOf(ix: PruneIndex, t: number, d: number): number {
  let lo = ix.start[t]!, hi = ix.start[t + 1]! - 1;
  const pd = ix.postDoc;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    const v = pd[m]!;
    if (v < d) lo = m + 1;
    else if (v > d) hi = m - 1;
    else return ix.postImpact[m]!;
  }
  return 0;
}

/** The k-th best partial score among the nt touched documents (excluded ones left out), or -Infinity. */
function kthPartial(ix: PruneIndex, nt: number, k: number, exclude: ReadonlySet<number> | undefined): number {
  const top = new TopK(k);
  for (let i = 0; i < nt; i++) {
    const d = ix.touched[i]!;
    if (exclude !== undefined && exclude.has(d)) continue;
    const s = ix.acc[d]!;
    if (s >= top.threshold()) top.push(s, d);
  }
  return top.threshold();
}

/**
 * Top-k for `terms`, term ids in canonical order (canonicalTermOrder). `prune` false scans every
 * posting (the reference the pruned search must equal). `stats.scanned` adds the postings read.
 */
export function searchTerms(ix: PruneIndex, terms: readonly number[], k: number, exclude: ReadonlySet<number> | undefined, prune = true, stats?: { scanned: number }): { ids: Int32Array; scores: Float32Array } {
  const m = terms.length;
  const { acc, touched, start, postDoc, postImpact, maxImpact } = ix;
  // rest[j]: largest possible sum over terms j..m-1; left[j]: their postings.
  const rest = new Float64Array(m + 1);
  const left = new Float64Array(m + 1);
  for (let j = m - 1; j >= 0; j--) {
    const t = terms[j]!;
    rest[j] = rest[j + 1]! + maxImpact[t]!;
    left[j] = left[j + 1]! + start[t + 1]! - start[t]!;
  }
  let nt = 0;
  let cut = m;
  let theta = -Infinity;
  for (let j = 0; j < m; j++) {
    // Finding the k-th partial costs a pass over the candidates: worth it when more postings remain.
    // No partial exceeds rest[0] - rest[j], so the k-th cannot beat rest[j] before that.
    if (prune && j > 0 && k > 0 && left[j]! > nt && rest[j]! < rest[0]! - rest[j]!) {
      theta = kthPartial(ix, nt, k, exclude) * (1 - MARGIN);
      if (rest[j]! * (1 + MARGIN) < theta) {
        cut = j;
        break;
      }
    }
    const t = terms[j]!;
    if (stats !== undefined) stats.scanned += start[t + 1]! - start[t]!;
    for (let p = start[t]!, e = start[t + 1]!; p < e; p++) {
      const d = postDoc[p]!;
      if (acc[d] === 0) touched[nt++] = d;
      acc[d]! += postImpact[p]!;
    }
  }
  const bound = rest[cut]! * (1 + MARGIN);
  const top = new TopK(Math.max(0, Math.min(k, nt)));
  for (let i = 0; i < nt; i++) {
    const d = touched[i]!;
    let s = acc[d]!;
    acc[d] = 0;
    if (exclude !== undefined && exclude.has(d)) continue;
    if (cut < m) {
      if ((s + bound) * (1 + MARGIN) < theta) continue;
      for (let q = cut; q < m; q++) {
        const imp = impactOf(ix, terms[q]!, d);
        if (imp !== 0) s = Math.fround(s + imp);
      }
    }
    if (s >= top.threshold()) top.push(s, d);
  }
  return top.result();
}

/**
 * The score of every document holding one of `terms` (canonical order), unranked: each posting
 * added in the same order as the full scan of `searchTerms`, so every score is its float32 sum;
 * `max` is the largest (0 without a match).
 */
export function scoreTerms(ix: PruneIndex, terms: readonly number[]): { ids: Int32Array; scores: Float32Array; max: number } {
  const { acc, touched, start, postDoc, postImpact } = ix;
  let nt = 0;
  for (const t of terms) {
    for (let p = start[t]!, e = start[t + 1]!; p < e; p++) {
      const d = postDoc[p]!;
      if (acc[d] === 0) touched[nt++] = d;
      acc[d]! += postImpact[p]!;
    }
  }
  const ids = touched.slice(0, nt);
  const scores = new Float32Array(nt);
  let max = 0;
  for (let i = 0; i < nt; i++) {
    const d = ids[i]!;
    const s = acc[d]!;
    acc[d] = 0;
    scores[i] = s;
    if (s > max) max = s;
  }
  return { ids, scores, max };
}
