import { TopK } from './topk.js';

/**
 * Exact top-k BM25 with MaxScore-style pruning, term at a time.
 *
 * Query terms go in descending order of their largest impact. After each term, the k-th best
 * partial score is a lower bound of the final k-th score; once the largest impacts of the terms
 * still to go add up to less than it, no document outside the candidates can reach the top k, so
 * those (usually long, low-idf) postings are never scanned. Candidates whose partial score plus
 * that bound stays under the k-th are dropped; the rest are rescored exactly: the impacts found by
 * binary search in each term's postings and summed in query order in float32, the same additions
 * the exhaustive search makes, so scores and ties are identical bit for bit. The bounds carry a
 * margin of 1e-5 (relative) for float32 rounding, and a tie with the k-th score is kept.
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
 * Top-k of the query terms `qTerms` (term ids in query order, repeats counted), or undefined when
 * pruning would not skip any postings (the caller then scores exhaustively).
 */
export function searchPruned(ix: PruneIndex, qTerms: readonly number[], k: number, exclude: ReadonlySet<number> | undefined): { ids: Int32Array; scores: Float32Array } | undefined {
  const m = qTerms.length;
  if (m < 2 || k <= 0) return undefined;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => ix.maxImpact[qTerms[b]!]! - ix.maxImpact[qTerms[a]!]! || a - b);
  const rest = new Float64Array(m + 1);
  for (let j = m - 1; j >= 0; j--) rest[j] = rest[j + 1]! + ix.maxImpact[qTerms[order[j]!]!]!;
  const { acc, touched, start, postDoc, postImpact } = ix;
  let nt = 0;
  let cut = -1;
  let theta = -Infinity;
  for (let j = 0; j < m; j++) {
    if (j > 0) {
      theta = kthPartial(ix, nt, k, exclude) * (1 - MARGIN);
      if (rest[j]! * (1 + MARGIN) < theta) {
        cut = j;
        break;
      }
    }
    const t = qTerms[order[j]!]!;
    for (let p = start[t]!, e = start[t + 1]!; p < e; p++) {
      const d = postDoc[p]!;
      if (acc[d] === 0) touched[nt++] = d;
      acc[d]! += postImpact[p]!;
    }
  }
  if (cut < 0) {
    for (let i = 0; i < nt; i++) acc[touched[i]!] = 0;
    return undefined;
  }
  const bound = rest[cut]! * (1 + MARGIN);
  const top = new TopK(Math.min(k, nt));
  for (let i = 0; i < nt; i++) {
    const d = touched[i]!;
    const partial = acc[d]!;
    acc[d] = 0;
    if ((exclude !== undefined && exclude.has(d)) || (partial + bound) * (1 + MARGIN) < theta) continue;
    let s = 0;
    for (let q = 0; q < m; q++) {
      const imp = impactOf(ix, qTerms[q]!, d);
      if (imp !== 0) s = Math.fround(s + imp);
    }
    if (s >= top.threshold()) top.push(s, d);
  }
  return top.result();
}
