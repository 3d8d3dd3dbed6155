import { z } from 'zod';

const share = (def: number) => z.number().min(0).max(1).default(def);

/**
 * Options of the quality report (applied when report.html / report.md are rendered, so `clickforge report OUT --set report.…` re-judges a build; `negatives.hardAt` and `examples` act when the build runs): the thresholds of the six-question checklist and how much of
 * the dataset report.html embeds. See docs/report.md. They change report.md / report.html /
 * report.json's checklist only, never a dataset file.
 */
export const reportOptions = z.object({
  positives: z.object({
    maxSingleClickShare: share(0.6)
      .describe('Warn when more than this share of the positives rests on a single click. 0.6: one click is one user\'s choice; on the default simulated world 38-45% of the positives have one click, a log whose positives are mostly single clicks has little repeated evidence.'),
    minStrongShare: share(0.5)
      .describe('Fail when fewer than this share of the positives carries a satisfaction signal (conversion, long dwell, successful last click) rather than a click alone. 0.5: on the default world 95% do; a dataset of raw clicks has about as many positives without one as with one.'),
    minPrecisionGain: z.number().min(-1).max(1).default(0.02)
      .describe('With labels: fail when the positives are not at least this much more often relevant than every clicked pair (the raw clicks). 0.02 (two points): the default world gains 9-13 points; a gain under two points does not pay for the clicks discarded.'),
  }).prefault({}).describe('Question 1: are positives useful, or merely clicked?'),
  negatives: z.object({
    hardAt: z.number().min(0).default(0.5)
      .describe('A negative is hard when its score is at least this fraction of the weakest positive\'s score of its query (the hardness of docs/stages/negatives.md). 0.5: random documents score 0.03-0.05 on the default world, BM25 and behavioural negatives about 1.'),
    maxShortShare: share(0.5)
      .describe('Fail when more than this share of the records has no hard negative (warn above half of it). 0.5: then most batches learn only from in-batch and random negatives, which a model separates already.'),
  }).prefault({}).describe('Question 2: are negatives hard enough?'),
  falseNegatives: z.object({
    maxRate: share(0.05)
      .describe('With labels: fail when more than this share of the exported negatives is labelled relevant (warn above half of it). 0.05: a false negative pushes a relevant document away; the default world\'s filtered negatives are 0.1-0.4% relevant, a broad-topic world\'s unfiltered ones about 10%.'),
  }).prefault({}).describe('Question 3: were likely false negatives filtered?'),
  balance: z.object({
    maxTopQueryShare: share(0.25)
      .describe('Fail when the top 1% of queries (by traffic) hold more than this share of the training records (warn above half of it). 0.25: on the default world they hold 5-8%; above a quarter the model mostly learns a handful of queries.'),
    maxGini: share(0.7)
      .describe('Warn when the Gini coefficient of document popularity among the positives is above this. 0.7: the default world is at 0.35-0.4; above 0.7 a few documents answer most queries and the model learns to return them.'),
  }).prefault({}).describe('Question 4: are head and tail balanced?'),
  leakage: z.object({
    maxSharedPositiveShare: share(0.3)
      .describe('Fail when more than this share of the test queries has a positive document that is also a training positive. 0.3: a family split of the default world stays under MEASURED; a split by query (families off) puts most intents on both sides.'),
    maxNearDuplicateShare: share(0.05)
      .describe('Warn when more than this share of the test queries has a near-duplicate training query of another family. 0.05: a few such pairs are natural (short queries share trigrams); more inflate the test score.'),
  }).prefault({}).describe('Question 5: are the splits leakage-safe?'),
  freshness: z.object({
    maxAgeDays: z.number().positive().default(365)
      .describe('Evidence (kept clicks) older than this many days before the newest page of the log counts as stale. 365: a year of help-desk content and ranking changes; set it to your product\'s release cycle.'),
    productChange: z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'must be an ISO 8601 date such as "2024-06-01"' }).nullable().default(null)
      .describe('ISO date of a change that makes older behaviour unrepresentative (a new ranker, a redesign): evidence before it counts as stale too. null: none.'),
    maxStaleShare: share(0.5)
      .describe('Fail when more than this share of the evidence is stale (warn above half of it). 0.5: then most of what the model learns describes a search that no longer exists.'),
    maxDrift: z.number().min(0).default(0.1)
      .describe('Warn when the query distribution of the newest third of the log differs from the oldest third by more than this (Jensen-Shannon divergence in bits, beyond what two random thirds differ by). 0.1: the stationary default world stays under 0.02.'),
  }).prefault({}).describe('Question 6: does the dataset reflect live behaviour?'),
  examples: z.object({
    maxQueries: z.number().int().min(0).default(2000)
      .describe('Queries embedded in report.html\'s example browser (a seeded sample when the dataset has more; the page says so). 2,000 keep the page under a few MB on any log.'),
    maxRemovedPerQuery: z.number().int().min(0).default(10)
      .describe('Removed candidates kept per embedded query (the first ones, in filter order).'),
  }).prefault({}).describe('The example browser of report.html.'),
});

export type ReportOptions = z.infer<typeof reportOptions>;
export type ReportOptionsInput = z.input<typeof reportOptions>;
