import { z } from 'zod';
import { falseNegativeOptions } from '../false-negatives/options.js';
import { minerNames } from './miners.js';

/** The candidate window shared by the ranked miners: skip the top `skipTop`, look at the next `window`, keep `count`. */
const windowOptions = (d: { skipTop: number; skipTopWhy: string; window: number; count: number; sampling: 'top' | 'random' }) =>
  z.object({
    skipTop: z.number().int().nonnegative().default(d.skipTop)
      .describe(`Ranks to skip at the top of the miner's list (positives already excluded), as sentence-transformers' range_min. ${d.skipTopWhy}`),
    window: z.number().int().positive().default(d.window)
      .describe('How many ranks after the skipped ones to consider.'),
    count: z.number().int().positive().default(d.count)
      .describe('Candidates to propose per query (before filtering). Several times perRecord, because the filters remove some.'),
    sampling: z.enum(['top', 'random']).default(d.sampling)
      .describe('"top": the first `count` of the window (hardest); "random": `count` drawn uniformly from the window (seeded per query), kept in rank order.'),
  });

export const negativeOptions = z.object({
  seed: z.number().int().default(42).describe('Seed for every random choice; each query gets its own stream, so results do not depend on query order.'),
  miners: z.array(z.enum(minerNames)).min(1).default(['behavioural', 'bm25', 'dense'])
    .describe('Miners to run in priority order (the final pick goes round-robin in this order); "dense" is skipped with a note when no embedder is given. "random" is an easy baseline and off by default.'),
  perRecord: z.number().int().positive().default(4)
    .describe('Negatives per training record. 4 hard negatives is a common budget (e.g. E5/BGE fine-tuning recipes use 1-7); in-batch negatives add the rest.'),
  minNegatives: z.number().int().nonnegative().default(0)
    .describe('Records left with fewer negatives than this after filtering are dropped (counted as records.too_few_negatives). Default 0: a record without hard negatives still trains with in-batch negatives, and dropping it would lose a good positive.'),
  fill: z.enum(['random', 'none']).default('random')
    .describe('A record left with fewer than perRecord negatives is topped up with random pre-cutoff documents that pass the same filters, marked `filled`; "none" leaves it short. Random because trainers need a fixed number of negatives per row, and a filtered random document is the least likely false negative.'),
  embedBatchSize: z.number().int().positive().default(256).describe('Texts per Embedder.embed call.'),
  random: z.object({
    count: z.number().int().positive().default(10).describe('Documents drawn uniformly from the corpus per query (positives excluded).'),
  }).prefault({}),
  bm25: windowOptions({
    skipTop: 3,
    skipTopWhy: 'Default 3: the top BM25 ranks are the likeliest unlabelled positives, and without an embedder no semantic filter removes them (docs/design/negative-defaults.md).',
    window: 50,
    count: 20,
    sampling: 'top',
  }).prefault({}),
  dense: windowOptions({ skipTop: 0, skipTopWhy: 'Default 0: the positive-aware and ambiguity filters, which run whenever dense mining does, remove the near-positives more precisely.', window: 50, count: 20, sampling: 'top' }).extend({
    blockSize: z.number().int().positive().default(4096).describe('Documents per block of the exact top-k scan (memory: queries x blockSize floats).'),
    approximate: z.object({
      method: z.enum(['ivf', 'hnsw']).default('ivf').describe('"ivf": k-means cells scored with batched Gemms (recall@100 0.965 at 7.4x exact on 200k embedding-like vectors, docs/retrieval.md); "hnsw": usearch.'),
      nprobe: z.number().int().positive().default(48).describe('IVF cells scanned per query (docs/retrieval.md).'),
      minCorpus: z.number().int().positive().default(50_000).describe('Corpora smaller than this use the exact scan: at 10k documents exact search beat every approximate setting (docs/retrieval.md).'),
      recallSample: z.number().int().nonnegative().default(200).describe('Queries also searched exactly, to report the recall of the approximate search in the stage notes (0 = off).'),
    }).nullable().default(null).describe('Approximate dense search for large corpora; null = exact (default).'),
  }).prefault({}),
  behavioural: z.object({
    count: z.number().int().positive().default(20).describe('Candidates to propose per query.'),
    minSkipAbove: z.number().int().positive().default(1)
      .describe('A doc shown above a clicked result and skipped at least this often is a "skipped above the click" negative (Joachims et al. 2005: the strongest click-based preference).'),
    minExposure: z.number().positive().default(3)
      .describe('An unclicked doc needs at least this exposure: its expected examinations (impressions x the examination propensity of their ranks, from grading), or its impressions when evidence is not graded. 3 examined impressions without a click is weak but real evidence.'),
    maxClicks: z.number().int().nonnegative().default(0)
      .describe('Docs with more clicks than this for the query are never behavioural negatives.'),
  }).prefault({}),
  filters: falseNegativeOptions.prefault({}),
});
export type NegativeOptions = z.infer<typeof negativeOptions>;
export type NegativeOptionsInput = z.input<typeof negativeOptions>;
