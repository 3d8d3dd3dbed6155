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
      .describe('Warn when more than this share of the positives rests on a single click. 0.6: the 20,000-session demo world has 53%, shorter logs more (docs/design/report-thresholds.md).'),
    minStrongShare: share(0.5)
      .describe('Fail when fewer than this share of the positives carries a satisfaction signal (conversion, long dwell, successful last click). 0.5: the default simulated world has 84-88%.'),
    minPrecisionGain: z.number().min(-1).max(1).default(0.02)
      .describe('With labels: fail when the positives are not this much more often relevant than all clicked pairs (raw clicks). 0.02: the demo gains 9-13 points; under two points the discarded clicks were not worth discarding.'),
  }).prefault({}).describe('Question 1: are positives useful, or merely clicked?'),
  negatives: z.object({
    hardAt: z.number().min(0).default(0.5)
      .describe('A negative is hard when it scores at least this fraction of its query\'s weakest positive (applied when the build runs). 0.5: random documents score 0.04-0.05 on average, BM25 and behavioural negatives about 1.'),
    maxShortShare: share(0.5)
      .describe('Fail when more than this share of the records has no hard negative (warn above half of it). 0.5: then most rows teach only what random negatives teach (measured shares: docs/design/report-thresholds.md).'),
  }).prefault({}).describe('Question 2: are negatives hard enough?'),
  falseNegatives: z.object({
    maxRate: share(0.05)
      .describe('With labels: fail when more than this share of the exported negatives is labelled relevant (warn above half of it). 0.05: the demo\'s negatives are 0.1-0.4% relevant; at 5% one row in five of four negatives pushes a relevant document away.'),
  }).prefault({}).describe('Question 3: were likely false negatives filtered?'),
  balance: z.object({
    maxTopQueryShare: share(0.1)
      .describe('Fail when the top 1% of queries by traffic hold more than this share of the training positives (warn above half of it). 0.1, ten times their share: the default simulated world has 3.1-3.6%.'),
    maxGini: share(0.7)
      .describe('Warn when the Gini coefficient of document popularity among the training positives is above this. 0.7: the default simulated world has 0.32-0.40; far above it a few documents answer most queries.'),
  }).prefault({}).describe('Question 4: are head and tail balanced?'),
  leakage: z.object({
    maxCrossingShare: share(0.2)
      .describe('Fail when more than this share of the in-session reformulations touching dev or test has its two queries on different sides of the split. 0.2: a family split measures 8%, a split by query 94%.'),
    maxNearDuplicateShare: share(0.2)
      .describe('Warn when more than this share of the test queries has a near-duplicate training query of another family. 0.2: templated queries are often close across intents (10-14% on either kind of split), so it only warns.'),
  }).prefault({}).describe('Question 5: are the splits leakage-safe?'),
  freshness: z.object({
    maxAgeDays: z.number().positive().default(365)
      .describe('Evidence (kept clicks) older than this many days before the newest page of the log is stale. 365: a year of content and ranking changes; set your release cycle.'),
    productChange: z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'must be an ISO 8601 date such as "2024-06-01"' }).nullable().default(null)
      .describe('ISO date of a change (new ranker, redesign) before which evidence is stale too. null: none.'),
    maxStaleShare: share(0.5)
      .describe('Fail when more than this share of the evidence is stale (warn above half of it). 0.5: then most of what the model learns describes a search that no longer exists.'),
    maxDrift: z.number().min(0).default(0.1)
      .describe('Warn when the newest third of the log\'s query distribution differs from the oldest third by more than this (Jensen-Shannon bits beyond two random thirds). 0.1: the stationary default world measures 0.000-0.007.'),
  }).prefault({}).describe('Question 6: does the dataset reflect live behaviour?'),
  examples: z.object({
    maxQueries: z.number().int().min(0).default(2000)
      .describe('Queries embedded in report.html\'s example browser (a seeded sample beyond it, which the page states). 2,000 keep the page at a few MB on any log (2.6 MB on the demo world).'),
    maxRemovedPerQuery: z.number().int().min(0).default(10)
      .describe('Removed candidates kept per embedded query, in filter order. 10 show each filter at work without doubling the page.'),
  }).prefault({}).describe('The example browser of report.html.'),
});

export type ReportOptions = z.infer<typeof reportOptions>;
export type ReportOptionsInput = z.input<typeof reportOptions>;
