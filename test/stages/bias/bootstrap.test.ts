import { describe, expect, it } from 'vitest';
import { clickCountsFromPages, type ClickCounts } from '../../../src/stages/bias/counts.js';
import { estimatePropensities } from '../../../src/stages/bias/estimate.js';
import { biasOptions, type BiasOptionsInput } from '../../../src/stages/bias/options.js';
import { syntheticPages } from './synthetic.js';

// Built once per file: 6k pages, 40 queries, documents moved between neighbouring ranks.
const counts = clickCountsFromPages({ train: syntheticPages({ seed: 3, pages: 6000 }).pages });
const run = (o: BiasOptionsInput, c: ClickCounts = counts) => estimatePropensities(c, biasOptions.parse({ ciSamples: 30, crossCheck: false, ...o }));
const width = (ci: { lower: readonly number[]; upper: readonly number[] }) => ci.lower.reduce((s, l, r) => s + (ci.upper[r] as number) - l, 0);

/**
 * The same counts with `k` pairs that carry no information about position put in front of the
 * others (so every original pair index moves by k), owned by new queries, with cells at one rank
 * only (or two ranks but too few impressions) appended after the original cells.
 */
function withUninformativePairs(c: ClickCounts, k: number): ClickCounts {
  const nQ = c.queries.length;
  const pairQuery = new Int32Array(k + c.pairQuery.length);
  const pairDoc = new Int32Array(k + c.pairDoc.length);
  for (let p = 0; p < k; p++) { pairQuery[p] = nQ + (p % 7); pairDoc[p] = p % c.docIds.length; }
  pairQuery.set(c.pairQuery, k);
  pairDoc.set(c.pairDoc, k);
  const t = c.train;
  const extra = k + Math.floor(k / 2);
  const len = t.length + extra;
  const pair = new Int32Array(len);
  const rank = new Int32Array(len);
  const impressions = new Float64Array(len);
  const clicks = new Float64Array(len);
  for (let i = 0; i < t.length; i++) { pair[i] = (t.pair[i] as number) + k; rank[i] = t.rank[i] as number; impressions[i] = t.impressions[i] as number; clicks[i] = t.clicks[i] as number; }
  let j = t.length;
  for (let p = 0; p < k; p++) { pair[j] = p; rank[j] = p % 10; impressions[j] = p % 2 ? 20 : 1; clicks[j] = p % 2 ? p % 5 : 0; j++; }
  for (let p = 0; p < k; p += 2) { pair[j] = p; rank[j] = (p + 1) % 10; impressions[j] = 1; clicks[j] = 1; j++; }
  return {
    ...c,
    queries: [...c.queries, ...Array.from({ length: 7 }, (_, i) => `extra${i}`)],
    pairQuery,
    pairDoc,
    train: { length: len, pair, rank, impressions, clicks, pages: t.pages },
  };
}

describe('position-bias bootstrap', () => {
  const base = run({ seed: 5 });

  it('reports the EM work of the replicates and no capped replicate at the default cap', () => {
    const fits = base.ci!.fits!;
    expect(base.estimator).toBe('pbm-em');
    expect(fits.cap).toBe(1000);
    expect(fits.capped).toBe(0);
    expect(fits.iterations).toBeGreaterThanOrEqual(30);
    expect(fits.maxIterations).toBeGreaterThan(1);
    expect(fits.maxIterations).toBeLessThan(1000);
    expect(base.stats.notes!.some((n) => n.includes('ciIterations'))).toBe(false);
  });

  it('is deterministic for a seed and changes with it', () => {
    const again = run({ seed: 5 });
    expect(again.ci!.lower).toEqual(base.ci!.lower);
    expect(again.ci!.upper).toEqual(base.ci!.upper);
    expect(again.ci!.fits).toEqual(base.ci!.fits);
    const other = run({ seed: 6 });
    expect(other.ci!.upper).not.toEqual(base.ci!.upper);
  });

  it('counts and reports replicates that hit ciIterations, and such an interval is narrower (replicates from the full fit)', () => {
    const fromFit = run({ seed: 5, ciStart: 'fit' });
    const capped = run({ seed: 5, ciStart: 'fit', ciIterations: 1 });
    const fits = capped.ci!.fits!;
    expect(fits).toEqual({ cap: 1, iterations: 30, maxIterations: 1, capped: 30, fromFit: 30 });
    expect(capped.stats.notes!.some((n) => n.includes('30 of 30 replicate curve fits stopped at ciIterations (1)'))).toBe(true);
    // the point estimate does not depend on the replicates' cap
    expect(capped.relative).toEqual(base.relative);
    expect(width(capped.ci!)).toBeLessThan(width(fromFit.ci!) * 0.5);
  });

  it('a cap at the longest replicate changes nothing; one just below it binds once or more and moves the bounds little', () => {
    const longest = base.ci!.fits!.maxIterations;
    const atCap = run({ seed: 5, ciIterations: longest });
    expect(atCap.ci!.fits!.capped).toBe(0);
    expect(atCap.ci!.lower).toEqual(base.ci!.lower);
    expect(atCap.ci!.upper).toEqual(base.ci!.upper);
    const below = run({ seed: 5, ciIterations: longest - 1 });
    expect(below.ci!.fits!.capped).toBeGreaterThanOrEqual(1);
    for (let r = 0; r < 10; r++) {
      expect(Math.abs((below.ci!.lower[r] as number) - (base.ci!.lower[r] as number))).toBeLessThan(0.01);
      expect(Math.abs((below.ci!.upper[r] as number) - (base.ci!.upper[r] as number))).toBeLessThan(0.01);
    }
  });

  it('pairs without position information do not change the curve or its interval (the curve fit renumbers its pairs)', () => {
    const padded = run({ seed: 5 }, withUninformativePairs(counts, 5000));
    expect(padded.curveFit!.pairs).toBe(base.curveFit!.pairs);
    expect(padded.relative).toEqual(base.relative);
    expect(padded.ci!.units).toBe(base.ci!.units);
    expect(padded.ci!.lower).toEqual(base.ci!.lower);
    expect(padded.ci!.upper).toEqual(base.ci!.upper);
    expect(padded.ci!.fits).toEqual(base.ci!.fits);
  });

  it('other estimators have an interval without EM fits or a start', () => {
    const ih = run({ seed: 5, estimator: 'intervention' });
    expect(ih.ci).not.toBeNull();
    expect(ih.ci!.fits).toBeNull();
    expect(ih.ci!.start).toBeNull();
  });

  it('starts replicates at a Newton step by default, and at the full fit with a curve prior', () => {
    expect(base.ci!.start).toBe('newton');
    expect(base.ci!.fits!.fromFit).toBe(0);
    const prior = run({ seed: 5, curvePriorWeight: 0.5 });
    expect(prior.ci!.start).toBe('fit');
  });

  it('the Newton start ends where the full-fit start ends: same replicates, same optimum, fewer EM iterations', () => {
    // tight stopping rule: both starts run each replicate to its optimum
    const tight = { seed: 5, curveTolerance: 1e-8, ciCurveTolerance: 1e-8, ciIterations: 100_000 };
    const newton = run(tight);
    const fromFit = run({ ...tight, ciStart: 'fit' });
    expect(newton.relative).toEqual(fromFit.relative);
    for (let r = 0; r < 10; r++) {
      expect(Math.abs((newton.ci!.lower[r] as number) - (fromFit.ci!.lower[r] as number))).toBeLessThan(2e-3);
      expect(Math.abs((newton.ci!.upper[r] as number) - (fromFit.ci!.upper[r] as number))).toBeLessThan(2e-3);
    }
    // at the default stopping rule each start stops short of the optimum by about as much, and the Newton start takes far fewer iterations
    const loose = run({ seed: 5, ciStart: 'fit' });
    const gap = (ci: { lower: readonly number[]; upper: readonly number[] }) => Math.max(...ci.lower.map((l, r) => Math.max(Math.abs(l - (fromFit.ci!.lower[r] as number)), Math.abs((ci.upper[r] as number) - (fromFit.ci!.upper[r] as number)))));
    expect(gap(base.ci!)).toBeLessThan(0.01);
    expect(gap(loose.ci!)).toBeLessThan(0.01);
    expect(base.ci!.fits!.iterations).toBeLessThan(loose.ci!.fits!.iterations / 2);
  });
});
