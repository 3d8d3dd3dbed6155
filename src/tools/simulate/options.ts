import { z } from 'zod';

const isoDate = (def: string, what: string) =>
  z.string().default(def)
    .refine((s) => Number.isFinite(Date.parse(s)), { message: `${what} must be an ISO 8601 date such as "2024-01-31" or "2024-01-31T12:00:00Z"` })
    .describe(`${what} (ISO 8601, UTC).`);

/**
 * Options of the simulator. Every number is a knob of the simulated world or of the simulated
 * users; defaults are chosen so that the log looks like a mid-size enterprise help-desk search
 * (CTR@1 around 0.3-0.4, a third of sessions reformulate, dwell distributions that overlap).
 */
export const simulateOptions = z.object({
  seed: z.number().int().default(42).describe('Seed for every random choice. Same options + seed = byte-identical files.'),
  sessions: z.number().int().positive().default(5000)
    .describe('Number of search sessions to simulate. Result pages come out at about 1.3-1.6 per session with the default behaviour.'),
  users: z.number().int().positive().optional()
    .describe('Size of the user pool (default: sessions / 3, so many users have several sessions). Users are drawn with a skew: a few heavy users, a long tail.'),
  start: isoDate('2024-01-01', 'First day of the simulated log'),
  end: isoDate('2024-12-31', 'Last day of the simulated log'),
  format: z.array(z.enum(['serps', 'events'])).default(['serps'])
    .describe('Which log files to write: serps.jsonl (one result page per line) and/or events.jsonl (flat events).'),
  dwell: z.enum(['given', 'timestamps']).default('given')
    .describe('"given": clicks carry dwell_ms. "timestamps": dwell_ms is omitted; the time to the user\'s next event tells it (the last click of a session then has unknown dwell, as in real logs).'),
  truthClicks: z.boolean().default(false)
    .describe('Also write truth/clicks.jsonl: per click the hidden satisfaction, pogo flag and grade. For calibrating signals; large on big logs.'),
  logging: z.enum(['full', 'clicked-only']).default('full')
    .describe('"full" logs every shown result of a page; "clicked-only" logs only the clicked results, as click-only logs do (the full pages go to truth/shown.jsonl). full by default because position bias, skip-above evidence and exposure without clicks need the unclicked impressions.'),
  testShare: z.number().min(0).max(1).default(0.2)
    .describe('Share of query families (intents) in the test split, chosen by a hash of the family id (stable across seeds).'),

  presentation: z.object({
    write: z.boolean().default(true)
      .describe('Write presentation features: SERP records get `presentation` (aligned with results), impression events a `presentation` object. Attractive (eye-catching) documents carry `badge: "quick fix"`, so the report shows their click-through lift at equal rank (presentation bias).'),
    thumbnailShare: z.number().min(0).max(1).default(0.3)
      .describe('Share of documents shown with a thumbnail (chosen by a hash of the doc id, independent of relevance; the simulated users ignore it, so its lift should come out near 1: a control for the badge).'),
  }).prefault({}),

  world: z.object({
    intents: z.number().int().positive().default(400)
      .describe('Help-desk world: number of intents (system x problem x platform), up to 2,592. Each intent gets 1-3 genuinely relevant documents and 7 query variants.'),
    faqShare: z.number().min(0).max(1).default(0.8).describe('Share of intents with a FAQ document (grade 2) besides the guide (grade 3).'),
    runbookShare: z.number().min(0).max(1).default(0.6).describe('Share of intents with an expert runbook (grade 2).'),
    nearDuplicateShare: z.number().min(0).max(1).default(0.15)
      .describe('Share of FAQ documents that have a near-duplicate copy (same grade) under another id: false-negative filters must cope with them.'),
    attractiveShare: z.number().min(0).max(1).default(0.1)
      .describe('Share of documents with an eye-catching title ("Quick fix: ..."), clicked more often regardless of relevance (presentation bias).'),
    publishYears: z.number().positive().default(2).describe('Documents are published over this many years before the end of the log.'),
    extraArticles: z.number().int().min(0).default(0)
      .describe('Help-desk world: extra articles per intent (threads, known-issue and release notes), each grade 2 or 1, for a broad-topic, TREC-like world with many relevant documents per query. 0 by default: a help desk has few articles per problem, and extras make mined negatives far more often relevant.'),
    collectionVariants: z.number().int().min(0).default(0)
      .describe('Real-collection worlds: extra query variants per query made by dropping one content word (style "keyword"). 0 = queries exactly as given.'),
  }).prefault({}),

  ranker: z.object({
    topK: z.number().int().positive().default(10).describe('Results per page.'),
    candidates: z.number().int().positive().default(30)
      .describe('Lexical candidates per query (token overlap weighted by IDF) before re-scoring; judged-relevant documents are always candidates (the production ranker has other features).'),
    popularityWeight: z.number().min(0).default(0.15).describe('Weight of the document popularity prior (0..1 scale) in the ranking score.'),
    relevanceWeight: z.number().min(0).default(0.25)
      .describe('Weight of the true grade/3 in the ranking score: the production ranker is better than lexical matching, but far from perfect.'),
    noise: z.number().min(0).default(0.15).describe('Standard deviation of the per-page Gaussian noise added to every score (A/B tests, freshness, caching).'),
    lookalikeRate: z.number().min(0).max(1).default(0.2)
      .describe('Probability that a page promotes a lexical lookalike (same system, other problem) into the top 3: the ranker mistake that makes hard negatives and false positives.'),
    shuffleRate: z.number().min(0).max(1).default(0)
      .describe('Share of pages whose top-k is shown in random order (a RandTop-k intervention; useful to test position-bias estimation).'),
  }).prefault({}),

  clicks: z.object({
    model: z.enum(['pbm', 'cascade', 'dbn']).default('pbm')
      .describe('Click model: "pbm" clicks when examined(rank) and attracted, per rank; "cascade" stops at the first click (Craswell et al. 2008); "dbn" stops when satisfied, else goes on with probability `continuation` (Chapelle and Zhang 2009). pbm by default: its examination curve is exact truth.'),
    examinationExponent: z.number().min(0).default(0.8)
      .describe('PBM examination probability at rank r is 1 / r^exponent (0.8 gives 1, 0.57, 0.42 ... 0.16 at rank 10, close to eye-tracking and intervention estimates, Joachims et al. 2017).'),
    continuation: z.number().min(0).max(1).default(0.85).describe('DBN: probability to look at the next result when not satisfied.'),
    attractiveness: z.array(z.number().min(0).max(1)).length(4).default([0.06, 0.3, 0.55, 0.75])
      .describe('Probability that an examined result of grade 0,1,2,3 is clicked (before presentation bias and popularity).'),
    presentationBias: z.number().min(0).max(1).default(0.3).describe('Extra click probability of documents with an eye-catching title, whatever their relevance.'),
    popularityBias: z.number().min(0).max(1).default(0.1).describe('Extra click probability of popular documents (times popularity 0..1).'),
    satisfaction: z.array(z.number().min(0).max(1)).length(4).default([0.05, 0.3, 0.6, 0.85])
      .describe('Probability that a click on a result of grade 0,1,2,3 satisfies the user.'),
    conversionRate: z.number().min(0).max(1).default(0.3)
      .describe('Probability that a satisfied click leads to a conversion (ticket_closed, or helpful_vote with a value).'),
  }).prefault({}),

  behaviour: z.object({
    intentZipf: z.number().min(0).default(1.0).describe('Zipf exponent of intent frequency (head/tail). 1.0 is typical of query logs.'),
    variantSkew: z.number().min(0).default(1.0)
      .describe('How strongly users prefer the common phrasing of an intent: style weights are raised to this power (0 = all variants equally likely).'),
    satisfiedMedianSec: z.number().positive().default(75).describe('Median dwell of a satisfied click (lognormal).'),
    satisfiedSigma: z.number().positive().default(0.8).describe('Log-sd of the satisfied dwell.'),
    quickSatisfiedRate: z.number().min(0).max(1).default(0.15)
      .describe('Share of satisfied clicks that leave fast (the answer was in the first line): dwell drawn from the pogo distribution instead.'),
    unsatisfiedMedianSec: z.number().positive().default(30).describe('Median dwell of an unsatisfied click that did not bounce (read, did not help).'),
    unsatisfiedSigma: z.number().positive().default(0.9).describe('Log-sd of the unsatisfied dwell.'),
    pogoRate: z.number().min(0).max(1).default(0.5)
      .describe('Probability that an unsatisfied click is a pogo-stick: a quick return to the result page (short dwell), then another click or a reformulation.'),
    dwellSignal: z.boolean().default(true)
      .describe("false draws every click's dwell from one distribution whatever its satisfaction, the clicks unchanged. true by default because on most logs long dwell goes with satisfaction (Fox et al. 2005); false checks that dwell rules do no harm where it does not (TREC Session 2014)."),
    pogoMedianSec: z.number().positive().default(7).describe('Median dwell of a pogo-stick (and of a quick satisfied click).'),
    pogoSigma: z.number().positive().default(0.6).describe('Log-sd of the pogo dwell.'),
    reformulateRate: z.number().min(0).max(1).default(0.6)
      .describe('Probability that a user who was not satisfied by a page issues another variant of the same intent (else abandons).'),
    topicSwitchRate: z.number().min(0).max(1).default(0.08)
      .describe('Probability that a satisfied user searches a new, unrelated intent in the same session.'),
    maxPagesPerSession: z.number().int().positive().default(6).describe('Cap on result pages per session.'),
    successNoise: z.number().min(0).max(1).default(0.05)
      .describe('Probability that session_success is flipped (it comes from a noisy survey or resolution flag in real logs).'),
  }).prefault({}),
});

export type SimulateOptions = z.infer<typeof simulateOptions>;
export type SimulateOptionsInput = z.input<typeof simulateOptions>;
