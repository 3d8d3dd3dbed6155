import { z } from 'zod';

/** Options of position-bias estimation. See docs/stages/bias.md. */
export const biasOptions = z.object({
  estimator: z.enum(['pbm-em', 'intervention', 'randomized', 'auto']).default('auto')
    .describe("Which estimator runs. 'auto' uses 'randomized' when at least minRandomizedPages randomised pages exist (a real intervention is the least model-dependent evidence), else 'pbm-em' (the estimator checked against PyClick on the Yandex sample)."),
  maxRank: z.number().int().min(1).max(32).default(10)
    .describe('Ranks 1..maxRank are modelled; deeper impressions are counted as dropped (rank_beyond_max). 10 = one result page, the PyClick default.'),
  iterations: z.number().int().min(1).default(50)
    .describe('EM iterations. 50 is the reference PyClick run; on the Yandex sample the curve moves < 1e-3 after ~30.'),
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
  ciLevel: z.number().gt(0).lt(1).default(0.95).describe('Coverage of the confidence interval.'),
  minRandomizedPages: z.number().int().nonnegative().default(1000)
    .describe("'auto' picks the randomized estimator from this many randomised pages on. With 1000 pages and a rank-1 CTR around 0.3 the per-rank CTR has a standard error near 0.015."),
  minHarvestClicks: z.number().nonnegative().default(1)
    .describe('Intervention harvesting: a rank pair is used only when both sides have at least this many (weighted) clicks; the log ratio is undefined at 0 and very noisy below ~1.'),
  seed: z.number().int().default(42).describe('Seed for the holdout split and the bootstrap.'),
});

export type BiasOptions = z.infer<typeof biasOptions>;
export type BiasOptionsInput = z.input<typeof biasOptions>;
