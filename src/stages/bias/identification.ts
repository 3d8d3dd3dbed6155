/**
 * Is the examination curve identified by this log, or only fitted to it? The checks read what the
 * bias stage already measured: the share of impressions that were clicked (a log that records
 * impressions only for clicked results has no skipped result to learn examination from), the pairs
 * the two-step curve fit saw, the queries behind the bootstrap interval, the width of that interval,
 * and the distance to intervention harvesting. A check whose measure is absent (no bootstrap, no
 * cross-check, an estimator without a curve fit) is not applied. Held-out perplexity is not used:
 * attractiveness absorbs a wrong curve, so a PBM fits held-out pages about as well with it.
 *
 * ## Input
 * The counts' impressions and clicks (`clickedShareOf`), a `PropensityResult`'s `estimator`,
 * `curveFit`, `ci` and `crossCheck`, and `identificationOptions`.
 * ## Output
 * `CurveIdentification`: identified or not, one reason per failed check, every measure and threshold.
 * ## Example
 * ```ts
 * const id = identifyCurve({ ...res, clicked: clickedShareOf(counts) }, identificationOptions.parse({}));
 * if (!id.identified) console.log(id.reasons.join('; '));
 * ```
 */
import { z } from 'zod';
import type { CellCounts, ClickCounts } from './counts.js';

export const identificationOptions = z.object({
  maxClickedShare: z.number().min(0).max(1).default(0.9)
    .describe('The curve is not identified when at least this share of impressions was clicked: the log then records only clicked results, so no result was seen and skipped. 0.9 because logged pages have few impressions clicked, with room for short navigational pages (docs/design/curve-identification.md).'),
  minCurvePairs: z.number().int().nonnegative().default(100)
    .describe('pbm-em two-step: the curve is not identified when it was fitted on fewer (query, document) pairs (curveFit.pairs), each one comparison of ranks. 100 is far below what the simulated worlds fit on and far above TREC Session 2014 (docs/design/curve-identification.md).'),
  minQueries: z.number().int().nonnegative().default(10)
    .describe('The curve is not identified when its bootstrap interval comes from fewer queries (ci.units), too few clusters to say how far the curve can move. 10: the Yandex sample passes with a trustworthy curve, TREC Session 2014 does not (docs/design/curve-identification.md).'),
  maxIntervalWidth: z.number().positive().default(0.5)
    .describe('The curve is not identified when the 95% interval is wider than this at some rank (relative to rank 1). 0.5 because at deep-rank values such a width leaves inverse-propensity weights uncertain by a factor of two (docs/design/curve-identification.md).'),
  maxCrossCheckDiff: z.number().nonnegative().default(0.1)
    .describe('pbm-em: the curve is not identified when intervention harvesting differs from it by more than this at some rank (crossCheck.maxAbsDiff). 0.1 is twice the difference at which the bias stage adds a note (docs/design/curve-identification.md).'),
});
export type IdentificationOptions = z.infer<typeof identificationOptions>;

export interface ClickedShare {
  readonly impressions: number;
  readonly clicked: number;
}

export interface CurveIdentification {
  readonly identified: boolean;
  /** One sentence per failed check, with its measure and threshold; empty when identified. */
  readonly reasons: readonly string[];
  /** The measures the checks read (null: not measured, the check is not applied). */
  readonly measures: {
    readonly impressions: number;
    readonly clickedShare: number | null;
    readonly curvePairs: number | null;
    readonly queries: number | null;
    readonly maxIntervalWidth: number | null;
    readonly crossCheckDiff: number | null;
  };
  /** True when the failed checks include the click-only one: the curve is then no estimate at all. */
  readonly clickOnly: boolean;
  readonly thresholds: IdentificationOptions;
}

/** Impressions and clicked impressions over the train and holdout cells (a page's result counts once however often it was clicked). */
export function clickedShareOf(counts: ClickCounts): ClickedShare {
  let impressions = 0, clicked = 0;
  const add = (c: CellCounts) => {
    for (let i = 0; i < c.length; i++) {
      impressions += c.impressions[i] as number;
      clicked += c.clicks[i] as number;
    }
  };
  add(counts.train);
  add(counts.holdout);
  return { impressions, clicked };
}

interface CurveEvidence {
  readonly estimator: string;
  readonly clicked: ClickedShare;
  readonly curveFit: { readonly pairs: number } | null;
  readonly ci: { readonly units: number; readonly lower: readonly number[]; readonly upper: readonly number[] } | null;
  readonly crossCheck: { readonly maxAbsDiff: number } | null;
}

/** Which identification checks fail (see the module doc); pure. */
export function identifyCurve(r: CurveEvidence, o: IdentificationOptions): CurveIdentification {
  const reasons: string[] = [];
  const { impressions, clicked } = r.clicked;
  const clickedShare = impressions > 0 ? clicked / impressions : null;
  const clickOnly = clickedShare !== null && clickedShare >= o.maxClickedShare;
  if (clickOnly) reasons.push(`${(100 * clickedShare).toFixed(1)}% of ${Math.round(impressions)} impressions were clicked (>= ${100 * o.maxClickedShare}%): impressions seem recorded only for clicked results, so the curve is not an estimate of examination`);
  const curvePairs = r.curveFit ? r.curveFit.pairs : null;
  if (curvePairs !== null && curvePairs < o.minCurvePairs) reasons.push(`the curve was fitted on ${curvePairs} (query, document) pairs shown at several ranks (< minCurvePairs ${o.minCurvePairs})`);
  const queries = r.ci ? r.ci.units : null;
  if (queries !== null && queries < o.minQueries) reasons.push(`its interval comes from ${queries} queries (< minQueries ${o.minQueries})`);
  let width: number | null = null;
  if (r.ci) {
    for (let k = 1; k < r.ci.lower.length; k++) {
      const w = (r.ci.upper[k] as number) - (r.ci.lower[k] as number);
      if (Number.isFinite(w) && (width === null || w > width)) width = w;
    }
  }
  if (width !== null && width > o.maxIntervalWidth) reasons.push(`its 95% interval is ${width.toFixed(2)} wide at some rank (> maxIntervalWidth ${o.maxIntervalWidth})`);
  const crossCheckDiff = r.crossCheck ? r.crossCheck.maxAbsDiff : null;
  if (crossCheckDiff !== null && crossCheckDiff > o.maxCrossCheckDiff) reasons.push(`intervention harvesting differs from ${r.estimator} by ${crossCheckDiff.toFixed(3)} at some rank (> maxCrossCheckDiff ${o.maxCrossCheckDiff})`);
  return {
    identified: reasons.length === 0,
    reasons,
    measures: { impressions, clickedShare, curvePairs, queries, maxIntervalWidth: width, crossCheckDiff },
    clickOnly,
    thresholds: o,
  };
}
