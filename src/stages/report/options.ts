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
      .describe('A negative is hard when its score is at least this fraction of the weakest positive\'s score of its query (the hardness of docs/stages/negatives.md). 0.5: on the default simulated world random documents have median 0 and mean 0.04-0.05, BM25 and behavioural negatives a median of 0.9-1.0. Applied when the build runs.'),
    minStrongShare: share(0.5)
      .describe('Fail when fewer than this share of the positives carries a satisfaction signal (conversion, long dwell, successful last click) rather than a click alone. 0.5: the default simulated world has 85-88%.'),
    minPrecisionGain: z.number().min(-1).max(1).default(0.02)
      .describe('With labels: fail when the positives are not at least this much more often relevant than every clicked pair (the raw clicks). 0.02 (two points): the demo measures 9-13 points against the simulator\'s truth; a gain under two points does not pay for the clicks discarded.'),
  }).prefault({}).describe('Question 1: are positives useful, or merely clicked?'),
  negatives: z.object({
    hardAt: z.number().min(0).default(0.5)
      .describe('A negative is hard when its score is at least this fraction of the weakest positive\'s score of its query (the hardness of docs/stages/negatives.md). 0.5: random documents score 0.03-0.05 on the default world, BM25 and behavioural negatives about 1.'),
    maxShortShare: share(0.5)
      .describe('Fail when more than this share of the records has no hard negative (warn above half of it). 0.5: then most batches learn only from in-batch and random negatives. Measured on the default simulated world: 32-38% (a warning: the same-field filter removes many mined candidates), 0.4% with that filter off, 80-91% with random negatives only.'),
  }).prefault({}).describe('Question 2: are negatives hard enough?'),
  falseNegatives: z.object({
    maxRate: share(0.05)
      .describe('With labels: fail when more than this share of the exported negatives is labelled relevant (warn above half of it). 0.05: a false negative pushes a relevant document away; the demo\'s exported negatives are 0.1-0.4% relevant against the simulator\'s truth.'),
  }).prefault({}).describe('Question 3: were likely false negatives filtered?'),
  balance: z.object({
    maxTopQueryShare: share(0.1)
      .describe('Fail when the top 1% of queries (by traffic) hold more than this share of the training positives (warn above half of it). 0.1, ten times their share: the default simulated world has 3.1-3.6%, a world with Zipf exponent 3 and the balance caps off 9.8%. Each query is one record, so only many positives per head query can push it up.'),
    maxGini: share(0.7)
      .describe('Warn when the Gini coefficient of document popularity among the training positives is above this. 0.7: the default simulated world has 0.32-0.39; above 0.7 a few documents answer most queries and the model learns to return them.'),
  }).prefault({}).describe('Question 4: are head and tail balanced?'),
  leakage: z.object({
    maxCrossingShare: share(0.2)
      .describe('Fail when more than this share of the in-session reformulations that touch dev or test has its two queries on different sides of the split. 0.2: a family split of a 3,000-session simulated world has 7.8% (merges refused by maxFamilySize), a split by query (family rules off) 93.6%.'),
    maxNearDuplicateShare: share(0.2)
      .describe('Warn when more than this share of the test queries has a near-duplicate training query of another family. 0.2: templated queries are often lexically close across intents (9.5% on a family split of a 3,000-session simulated world, 14.3% on a split by query), so this only warns.'),
  }).prefault({}).describe('Question 5: are the splits leakage-safe?'),
  freshness: z.object({
    maxAgeDays: z.number().positive().default(365)
      .describe('Evidence (kept clicks) older than this many days before the newest page of the log counts as stale. 365: a year of help-desk content and ranking changes; set it to your product\'s release cycle.'),
    productChange: z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'must be an ISO 8601 date such as "2024-06-01"' }).nullable().default(null)
      .describe('ISO date of a change that makes older behaviour unrepresentative (a new ranker, a redesign): evidence before it counts as stale too. null: none.'),
    maxStaleShare: share(0.5)
      .describe('Fail when more than this share of the evidence is stale (warn above half of it). 0.5: then most of what the model learns describes a search that no longer exists. A one-year simulated log has 0.4-0.5%, a six-year one 80.5%.'),
    maxDrift: z.number().min(0).default(0.1)
      .describe('Warn when the query distribution of the newest third of the log differs from the oldest third by more than this (Jensen-Shannon divergence in bits, beyond what two random thirds differ by). 0.1: the stationary default simulated world measures 0.000-0.007.'),
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
