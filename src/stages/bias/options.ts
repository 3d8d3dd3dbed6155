import { z } from 'zod';
import { identificationOptions } from './identification.js';

/** Options of position-bias estimation. See docs/stages/bias.md. */
export const biasOptions = z.object({
  estimator: z.enum(['pbm-em', 'intervention', 'randomized', 'auto']).default('auto')
    .describe("Which estimator runs. 'auto' uses 'randomized' when at least minRandomizedPages randomised pages exist (a real intervention is the least model-dependent evidence), else 'pbm-em' (the estimator checked against PyClick on the Yandex sample)."),
  maxRank: z.number().int().min(1).max(32).default(10)
    .describe('Ranks 1..maxRank are modelled; deeper impressions are counted as dropped (rank_beyond_max). 10 = one result page, the PyClick default.'),
  pbmFit: z.enum(['two-step', 'pyclick']).default('two-step')
    .describe("How pbm-em fits: 'two-step' fits the curve by maximum likelihood on informative pairs, then each pair's attractiveness; 'pyclick' is PyClick's one EM over all cells. two-step because PyClick's prior pulls its curve far below the truth at deep ranks (docs/design/bias-two-step-fit.md)."),
  curveMinImpressions: z.number().nonnegative().default(5)
    .describe("two-step: a pair enters the curve fit with at least this many impressions (ranks 1..maxRank). 5 gave the smallest worst error per rank on the simulated worlds: fewer lets rarely seen pairs push deep examination up, more leaves too few pairs (docs/design/bias-two-step-fit.md)."),
  curveMinRanks: z.number().int().min(1).default(2)
    .describe('two-step: a pair enters the curve fit when it was shown at least at this many distinct ranks: a pair seen at one rank fits any examination value, so it carries no information about position.'),
  curvePriorWeight: z.number().nonnegative().default(0)
    .describe("two-step: pseudo-impressions of the attractiveness prior during the curve fit. 0 (maximum likelihood) because any fixed prior mean is wrong for deep results and the curve error grows with its weight (docs/design/bias-two-step-fit.md)."),
  curveIterations: z.number().int().min(1).default(1000)
    .describe('two-step: maximum EM iterations of the curve fit. 1000 leaves room: the relative curve settles in a few hundred (raw parameters drift much longer: the scale is not identified).'),
  curveTolerance: z.number().nonnegative().default(1e-5)
    .describe('two-step: stop the curve fit when no rank of the relative curve moves more than this in one iteration (converged = true in the result).'),
  iterations: z.number().int().min(1).default(50)
    .describe("EM iterations: of the whole fit ('pyclick') or of the attractiveness step with the curve fixed ('two-step'). 50 is the reference PyClick run (docs/design/bias-pyclick-reference.md)."),
  init: z.number().gt(0).lt(1).default(0.5)
    .describe('Starting value of every parameter and the prior mean: an unseen (query, document) pair gets this attractiveness. 0.5 as in PyClick.'),
  priorWeight: z.number().nonnegative().default(2)
    .describe('Pseudo-impressions of the prior added to every M-step (numerator init*priorWeight, denominator priorWeight). 2 with init 0.5 is exactly PyClick (numerator 1, denominator 2); it keeps rarely seen pairs away from 0 and 1.'),
  tolerance: z.number().nonnegative().default(0)
    .describe('Stop EM early when no parameter moves more than this in one iteration. 0 = always run all iterations (as PyClick).'),
  holdoutShare: z.number().min(0).lt(1).default(0.1)
    .describe('Share of result pages held out (seeded hash of the page id) to measure perplexity and log-likelihood. 10%: enough pages for a stable perplexity, little lost for fitting.'),
  ciSamples: z.number().int().nonnegative().default(200)
    .describe('Bootstrap replicates for the confidence interval of the curve (0 = no interval). Resampling unit is the query (cluster bootstrap): pages of one query share documents and are not independent. 200 gives stable 95% percentile bounds; each replicate costs one fit.'),
  ciStart: z.enum(['newton', 'fit']).default('newton')
    .describe("two-step: where a bootstrap replicate's curve fit starts: 'newton', a Newton step of its profile log-likelihood from the full fit, or 'fit', the full fit; both run to ciCurveTolerance. newton because replicates then need about a fifth of the EM iterations (docs/design/bias-bootstrap.md)."),
  ciCurveTolerance: z.number().nonnegative().default(1e-4)
    .describe("two-step: curveTolerance of the bootstrap replicates (they start from the full fit or a Newton step from it, ciStart). 1e-4 gives the bounds of 1e-5 in less time (docs/design/bias-pyclick-reference.md)."),
  ciIterations: z.number().int().min(1).default(1000)
    .describe("two-step: maximum EM iterations of one bootstrap replicate's curve fit; the result counts the replicates that hit it (ci.fits). 1000 bounds the worst case without narrowing the interval: lower caps stop replicates near the full fit (docs/design/bias-two-step-fit.md)."),
  ciLevel: z.number().gt(0).lt(1).default(0.95).describe('Coverage of the confidence interval.'),
  minRandomizedPages: z.number().int().nonnegative().default(1000)
    .describe("'auto' picks the randomized estimator from this many randomised pages on. With 1000 pages and a rank-1 CTR around 0.3 the per-rank CTR has a standard error near 0.015."),
  crossCheck: z.boolean().default(true)
    .describe('Also run intervention harvesting next to pbm-em and report the largest per-rank difference (crossCheck in the result, a note when it exceeds 0.05). One pass over the cells: cheap.'),
  minHarvestClicks: z.number().nonnegative().default(1)
    .describe('Intervention harvesting: a rank pair is used only when both sides have at least this many (weighted) clicks; the log ratio is undefined at 0 and very noisy below ~1.'),
  identification: identificationOptions.prefault({})
    .describe('When the curve counts as identified by the log (result `identification`): each threshold is one check on what this stage measured. `grading.rule: auto` grades by debiased relevance only from an identified curve.'),
  seed: z.number().int().default(42).describe('Seed for the holdout split and the bootstrap.'),
});

export type BiasOptions = z.infer<typeof biasOptions>;
export type BiasOptionsInput = z.input<typeof biasOptions>;
