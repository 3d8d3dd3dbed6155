import { describe, expect, it } from 'vitest';
import { cellsByQuery, clickCountsFromPages } from '../../../src/stages/bias/counts.js';
import { newtonCurve, queryCurvature } from '../../../src/stages/bias/curvature.js';
import { fitPbm, informativeCells } from '../../../src/stages/bias/pbm.js';
import { syntheticPages } from './synthetic.js';

// 4k pages over 40 queries; the curve-fit cells of the two-step fit (pairs at >= 2 ranks with >= 5 impressions)
const counts = clickCountsFromPages({ train: syntheticPages({ seed: 11, pages: 4000 }).pages });
const R = 10;
const nPairs = counts.pairQuery.length;
const nQ = counts.queries.length;
const cells = informativeCells(counts.train, nPairs, R, { minImpressions: 5, minRanks: 2 }).cells;
const ml = { init: 0.5, priorWeight: 0, tolerance: 0 };
const full = fitPbm(cells, nPairs, R, { ...ml, iterations: 1000, curveTolerance: 1e-5 });
const relative = (e: ArrayLike<number>) => Array.from(e, (v) => v / (e[0] as number));
const maxDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, r) => Math.abs(v - (b[r] as number))));

/** Query weights of a replicate: query q drawn w(q) times. */
function weights(w: (q: number) => number): Float64Array {
  return Float64Array.from({ length: nQ }, (_, q) => w(q));
}
const pairWeightOf = (qw: Float64Array) => Float64Array.from(counts.pairQuery, (q) => qw[q] as number);

describe('bootstrap replicates with query weights', () => {
  it('fitting with per-pair weights is fitting the weighted copies of the cells, number for number', () => {
    const qw = weights((q) => q % 3);
    const pw = pairWeightOf(qw);
    const byQuery = cellsByQuery(cells, counts.pairQuery, nQ);
    const idx = byQuery.flatMap((is, q) => ((qw[q] as number) > 0 ? Array.from(is) : []));
    const copy = {
      length: idx.length, pages: cells.pages,
      pair: Int32Array.from(idx, (i) => cells.pair[i] as number),
      rank: Int32Array.from(idx, (i) => cells.rank[i] as number),
      impressions: Float64Array.from(idx, (i) => (cells.impressions[i] as number) * (pw[cells.pair[i] as number] as number)),
      clicks: Float64Array.from(idx, (i) => (cells.clicks[i] as number) * (pw[cells.pair[i] as number] as number)),
    };
    const inOrder = { ...cells, ...cellsOrdered(cells, byQuery) };
    const a = fitPbm(inOrder, nPairs, R, { ...ml, iterations: 200, curveTolerance: 1e-4, warmStart: full, pairWeight: pw });
    const b = fitPbm(copy, nPairs, R, { ...ml, iterations: 200, curveTolerance: 1e-4, warmStart: full });
    expect(Array.from(a.examination)).toEqual(Array.from(b.examination));
    expect(a.iterations).toBe(b.iterations);
  });

  it('the Newton step of the weighted profile log-likelihood lands near the replicate optimum', () => {
    const K = queryCurvature(cells, counts.pairQuery, nQ, full.examination, full.attractiveness);
    const ones = weights(() => 1);
    const centre = newtonCurve(K, ones, full.examination)!;
    // the same weight on every query changes nothing
    const twice = newtonCurve(K, weights(() => 2), full.examination)!;
    expect(maxDiff(Array.from(twice), Array.from(centre))).toBeLessThan(1e-12);
    for (const qw of [weights((q) => (q % 4 === 0 ? 3 : q % 4 === 1 ? 0 : 1)), weights((q) => (q < 20 ? 2 : 0))]) {
      const step = newtonCurve(K, qw, full.examination)!;
      const newton = relative(full.examination).map((v, r) => v + (step[r] as number) - (centre[r] as number));
      const optimum = relative(fitPbm(cells, nPairs, R, { ...ml, iterations: 200_000, curveTolerance: 1e-9, warmStart: full, pairWeight: pairWeightOf(qw) }).examination);
      const moved = maxDiff(relative(full.examination), optimum);
      expect(moved).toBeGreaterThan(0.005);
      expect(maxDiff(newton, optimum)).toBeLessThan(moved / 4);
    }
  });
});

/** The cells query by query, in cell order within a query (the order bootstrap replicates fit). */
function cellsOrdered(c: typeof cells, byQuery: readonly Int32Array[]) {
  const idx = byQuery.flatMap((is) => Array.from(is));
  return {
    pair: Int32Array.from(idx, (i) => c.pair[i] as number),
    rank: Int32Array.from(idx, (i) => c.rank[i] as number),
    impressions: Float64Array.from(idx, (i) => c.impressions[i] as number),
    clicks: Float64Array.from(idx, (i) => c.clicks[i] as number),
  };
}
