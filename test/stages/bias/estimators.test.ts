import { describe, expect, it } from 'vitest';
import { clickCountsFromPages } from '../../../src/stages/bias/counts.js';
import { estimatePropensities } from '../../../src/stages/bias/estimate.js';
import { interventionHarvest } from '../../../src/stages/bias/intervention.js';
import { biasOptions } from '../../../src/stages/bias/options.js';
import { fitPbm } from '../../../src/stages/bias/pbm.js';
import { randomizedCtr } from '../../../src/stages/bias/randomized.js';
import { TRUE_EXAM, relativeOf, syntheticPages } from './synthetic.js';

const truth = relativeOf(TRUE_EXAM);
// Built once per file: 30k pages from a PBM with known examination.
const logged = syntheticPages({ seed: 7, pages: 30_000 });
const counts = clickCountsFromPages({ pages: logged.pages, holdoutShare: 0.1, seed: 1 });
const nPairs = counts.pairQuery.length;

function expectClose(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  for (let r = 0; r < want.length; r++) expect(Math.abs((got[r] as number) - (want[r] as number)), `rank ${r + 1}: ${got[r]} vs ${want[r]}`).toBeLessThan(tol);
}

describe('PBM EM', () => {
  it('recovers the examination curve within 0.05 per rank', () => {
    const m = fitPbm(counts.train, nPairs, 10, { iterations: 200, init: 0.5, priorWeight: 2, tolerance: 0 });
    expectClose(relativeOf(m.examination), truth, 0.05);
  });

  it('recovers attractiveness up to the scale of the curve', () => {
    const m = fitPbm(counts.train, nPairs, 10, { iterations: 200, init: 0.5, priorWeight: 2, tolerance: 0 });
    const scale = (m.examination[0] as number) / (TRUE_EXAM[0] as number);
    let err = 0;
    for (let p = 0; p < nPairs; p++) {
      const q = Number(counts.queries[counts.pairQuery[p] as number]!.slice(1));
      const d = Number(counts.docIds[counts.pairDoc[p] as number]!.split('-d')[1]);
      err += Math.abs((m.attractiveness[p] as number) * scale - logged.attractiveness[q]![d]!);
    }
    expect(err / nPairs).toBeLessThan(0.08);
  });

  it('stops early at the tolerance and reports it', () => {
    const m = fitPbm(counts.train, nPairs, 10, { iterations: 500, init: 0.5, priorWeight: 2, tolerance: 1e-4 });
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThan(500);
  });

  it('cell-level and page-level evaluation agree (PyClick definitions, full pages)', () => {
    const m = fitPbm(counts.train, nPairs, 10, { iterations: 50, init: 0.5, priorWeight: 2, tolerance: 0 });
    const held = syntheticPages({ seed: 8, pages: 2000 });
    const hc = clickCountsFromPages({ train: held.pages });
    const lookup = new Map<string, number>();
    for (let p = 0; p < nPairs; p++) lookup.set(`${counts.queries[counts.pairQuery[p]!]}|${counts.docIds[counts.pairDoc[p]!]}`, p);
    const byPages = m.evaluatePages(held.pages, (q, d) => lookup.get(`${held.pages.queries[q]}|${held.pages.docIds[d]}`) ?? -1);
    const remap = new Int32Array(hc.pairQuery.length);
    for (let p = 0; p < remap.length; p++) remap[p] = lookup.get(`${hc.queries[hc.pairQuery[p]!]}|${hc.docIds[hc.pairDoc[p]!]}`) ?? -1;
    const byCells = m.evaluate({ ...hc.train, pair: hc.train.pair.map((p) => remap[p]!) });
    expect(byCells.perplexity).toBeCloseTo(byPages.perplexity, 10);
    expect(byCells.logLikelihood).toBeCloseTo(byPages.logLikelihood, 10);
    expect(byPages.perplexity).toBeGreaterThan(1);
  });

  it('gives an unseen pair the init attractiveness', () => {
    const m = fitPbm(counts.train, nPairs, 10, { iterations: 5, init: 0.3, priorWeight: 2, tolerance: 0 });
    const probs = m.predictClickProbs([-1, nPairs + 5]);
    expect(probs[0]).toBeCloseTo((m.examination[0] as number) * 0.3, 12);
    expect(probs[1]).toBeCloseTo((m.examination[1] as number) * 0.3, 12);
  });
});

describe('intervention harvesting', () => {
  it('recovers relative examination from documents seen at several ranks', () => {
    const r = interventionHarvest(counts.train, nPairs, 10, { minClicks: 1 });
    expect(r.harvestedPairs).toBeGreaterThan(100);
    expectClose(r.relative, truth, 0.05);
  });

  it('marks ranks that share no document with rank 1 as unknown', () => {
    // A fixed order: no document ever moves, so nothing is harvested.
    const fixed = syntheticPages({ seed: 3, pages: 500 });
    for (let i = 0; i < fixed.pages.nPages; i++) for (let r = 0; r < 10; r++) fixed.pages.docs[i * 10 + r] = fixed.pages.query[i]! * 14 + r;
    const c = clickCountsFromPages({ train: fixed.pages });
    const r = interventionHarvest(c.train, c.pairQuery.length, 10, { minClicks: 1 });
    expect(r.relative[0]).toBe(1);
    expect(Number.isNaN(r.relative[5])).toBe(true);
    expect(r.notes.join(' ')).toMatch(/share no document with rank 1/);
  });
});

describe('randomized', () => {
  it('CTR per rank on shuffled pages estimates relative examination', () => {
    const shuffled = syntheticPages({ seed: 11, pages: 40_000, shuffle: 1 });
    const c = clickCountsFromPages({ train: shuffled.pages });
    const r = randomizedCtr(c.train, 10);
    expectClose(r.relative, truth, 0.05);
  });

  it('is biased on unshuffled pages (the test can fail)', () => {
    const r = randomizedCtr(counts.train, 10);
    const worst = Math.max(...truth.map((t, k) => Math.abs((r.relative[k] as number) - t)));
    expect(worst).toBeGreaterThan(0.05);
  });
});

describe('estimatePropensities', () => {
  const shuffled = syntheticPages({ seed: 12, pages: 3000, shuffle: 1 });
  const withRand = clickCountsFromPages({ pages: logged.pages, holdoutShare: 0.1, seed: 1, randomized: shuffled.pages });

  it('auto picks randomized when enough randomised pages exist, else pbm-em', () => {
    const a = estimatePropensities(withRand, biasOptions.parse({ ciSamples: 0 }));
    expect(a.estimator).toBe('randomized');
    expect(a.reason).toMatch(/3000 randomised pages/);
    const b = estimatePropensities(counts, biasOptions.parse({ ciSamples: 0 }));
    expect(b.estimator).toBe('pbm-em');
    expect(b.relative[0]).toBe(1);
    expect(b.raw[0]).toBeLessThan(1);
  });

  it('returns a seeded query-bootstrap interval around the estimate, and held-out metrics', () => {
    const o = biasOptions.parse({ estimator: 'pbm-em', ciSamples: 40, iterations: 30 });
    const a = estimatePropensities(counts, o);
    const b = estimatePropensities(counts, o);
    expect(a.ci).not.toBeNull();
    expect(a.ci!.lower).toEqual(b.ci!.lower);
    expect(a.ci!.units).toBe(40);
    for (let r = 1; r < 10; r++) {
      expect(a.ci!.lower[r]!).toBeLessThanOrEqual(a.relative[r]! + 1e-9);
      expect(a.ci!.upper[r]!).toBeGreaterThanOrEqual(a.relative[r]! - 1e-9);
      expect(a.ci!.upper[r]! - a.ci!.lower[r]!).toBeLessThan(0.2);
    }
    expect(a.heldOut).not.toBeNull();
    expect(a.heldOut!.pages).toBe(counts.holdout.pages);
    expect(a.heldOut!.perplexity).toBeGreaterThan(1);
    const c = estimatePropensities(counts, { ...o, seed: 99 });
    expect(c.ci!.lower).not.toEqual(a.ci!.lower);
  });

  it('intervention and randomized estimators get a held-out PBM with their curve fixed', () => {
    const i = estimatePropensities(withRand, biasOptions.parse({ estimator: 'intervention', ciSamples: 0 }));
    expect(i.estimator).toBe('intervention');
    expect(i.heldOut!.perplexity).toBeGreaterThan(1);
    expect(i.heldOut!.perplexity).toBeLessThan(2);
    const probs = i.predictClickProbs('q0', ['q0-d0', 'nope']);
    expect(probs).toHaveLength(2);
    expect(probs[1]).toBeCloseTo(i.model.examination[1]! * 0.5, 12);
  });

  it('says how to fix a missing randomized fold', () => {
    expect(() => estimatePropensities(counts, biasOptions.parse({ estimator: 'randomized' }))).toThrow(/randomizedWhere/);
  });
});
