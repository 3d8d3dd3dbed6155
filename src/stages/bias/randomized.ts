import type { CellCounts } from './counts.js';

export interface RandomizedCurveResult {
  /** CTR per rank on randomised pages (examination times the mean attractiveness of the shuffled pool). */
  readonly ctr: Float64Array;
  /** CTR relative to rank 1: the relative examination. NaN where a rank has no impressions. */
  readonly relative: Float64Array;
  readonly impressionsByRank: Float64Array;
}

/**
 * When the order of results was randomised (uniformly over the same pool of documents), every rank
 * sees the same mix of relevance, so CTR at rank r is proportional to examination at rank r
 * (Joachims, Swaminathan, Schnabel, WSDM 2017). No model is fitted.
 */
export function randomizedCtr(cells: CellCounts, nRanks: number): RandomizedCurveResult {
  const n = new Float64Array(nRanks);
  const c = new Float64Array(nRanks);
  for (let i = 0; i < cells.length; i++) {
    const r = cells.rank[i] as number;
    if (r >= nRanks) continue;
    n[r] = (n[r] as number) + (cells.impressions[i] as number);
    c[r] = (c[r] as number) + (cells.clicks[i] as number);
  }
  const ctr = new Float64Array(nRanks);
  for (let r = 0; r < nRanks; r++) ctr[r] = (n[r] as number) > 0 ? (c[r] as number) / (n[r] as number) : Number.NaN;
  const base = ctr[0] as number;
  const relative = ctr.map((v) => (base > 0 ? v / base : Number.NaN));
  return { ctr, relative, impressionsByRank: n };
}
