import { describe, expect, it } from 'vitest';
import type { ResultPages } from '../../../src/ports/index.js';
import { clickCountsFromPages } from '../../../src/stages/bias/counts.js';
import { clickedShareOf, identificationOptions, identifyCurve } from '../../../src/stages/bias/identification.js';

const O = identificationOptions.parse({});
const healthy = {
  estimator: 'pbm-em',
  clicked: { impressions: 307956, clicked: 33697 },
  curveFit: { pairs: 10316 },
  ci: { units: 1027, lower: [1, 0.56, 0.39], upper: [1, 0.59, 0.42] },
  crossCheck: { maxAbsDiff: 0.0134 },
};

describe('identifyCurve', () => {
  it('identifies the demo world\'s curve (its measures) and gives no reason', () => {
    const id = identifyCurve(healthy, O);
    expect(id).toMatchObject({ identified: true, reasons: [], clickOnly: false });
    expect(id.measures).toMatchObject({ curvePairs: 10316, queries: 1027, crossCheckDiff: 0.0134 });
    expect(id.measures.maxIntervalWidth).toBeCloseTo(0.03, 10);
  });

  it('does not identify the TREC Session 2014 curve, one reason per failed check with its numbers', () => {
    const id = identifyCurve({ ...healthy, clicked: { impressions: 35960, clicked: 1610 }, curveFit: { pairs: 19 }, ci: { units: 7, lower: [1, 0, 0.72], upper: [1, 1.33, 2] }, crossCheck: { maxAbsDiff: 0.536 } }, O);
    expect(id.identified).toBe(false);
    expect(id.clickOnly).toBe(false);
    expect(id.reasons).toEqual([
      'the curve was fitted on 19 (query, document) pairs shown at several ranks (< minCurvePairs 100)',
      'its interval comes from 7 queries (< minQueries 10)',
      'its 95% interval is 1.33 wide at some rank (> maxIntervalWidth 0.5)',
      'intervention harvesting differs from pbm-em by 0.536 at some rank (> maxCrossCheckDiff 0.1)',
    ]);
  });

  it('identifies the Yandex sample\'s curve: 20 queries over many pages, close to intervention harvesting', () => {
    const id = identifyCurve({ ...healthy, clicked: { impressions: 564770, clicked: 73946 }, curveFit: { pairs: 633 }, ci: { units: 20, lower: [1, 0.658, 0.508], upper: [1, 0.782, 0.637] }, crossCheck: { maxAbsDiff: 0.0105 } }, O);
    expect(id.reasons).toEqual([]);
  });

  it('flags a click-only log whatever the other checks say, and applies no check it has no measure for', () => {
    const id = identifyCurve({ estimator: 'intervention', clicked: { impressions: 200, clicked: 190 }, curveFit: null, ci: null, crossCheck: null }, O);
    expect(id).toMatchObject({ identified: false, clickOnly: true, measures: { clickedShare: 0.95, curvePairs: null, queries: null, maxIntervalWidth: null, crossCheckDiff: null } });
    expect(id.reasons).toEqual([expect.stringMatching(/^95\.0% of 200 impressions were clicked \(>= 90%\): impressions seem recorded only for clicked results/)]);
    expect(identifyCurve({ estimator: 'randomized', clicked: { impressions: 0, clicked: 0 }, curveFit: null, ci: null, crossCheck: null }, O).identified).toBe(true);
  });

  it('thresholds are options: each check moves with its own', () => {
    expect(identifyCurve(healthy, identificationOptions.parse({ minCurvePairs: 20000 })).reasons).toEqual([expect.stringMatching(/minCurvePairs 20000/)]);
    expect(identifyCurve(healthy, identificationOptions.parse({ maxCrossCheckDiff: 0.01 })).reasons).toEqual([expect.stringMatching(/maxCrossCheckDiff 0.01/)]);
    expect(identifyCurve(healthy, identificationOptions.parse({ maxIntervalWidth: 0.02 })).reasons).toEqual([expect.stringMatching(/maxIntervalWidth 0.02/)]);
    expect(identifyCurve(healthy, identificationOptions.parse({ minQueries: 2000 })).reasons).toEqual([expect.stringMatching(/minQueries 2000/)]);
    expect(identifyCurve(healthy, identificationOptions.parse({ maxClickedShare: 0.1 })).clickOnly).toBe(true);
  });

  it('counts clicked impressions over train and holdout cells', () => {
    // 4 pages of 2 results; every shown result clicked on pages 0-2, none on page 3
    const pages: ResultPages = { nPages: 4, nRanks: 2, query: Int32Array.from([0, 0, 0, 0]), docs: Int32Array.from([0, 1, 1, 0, 0, 1, 0, 1]), clicks: Uint32Array.from([3, 3, 3, 0]), queries: ['q'], docIds: ['a', 'b'] };
    const counts = clickCountsFromPages({ pages, holdoutShare: 0.5, seed: 1 });
    expect(clickedShareOf(counts)).toEqual({ impressions: 8, clicked: 6 });
  });
});
