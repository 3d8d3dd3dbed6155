import { z } from 'zod';
import { FILTER_NAMES } from './filters/index.js';
import { GENERATOR_NAMES } from './generators/index.js';
import { llmGeneratorOptions } from './generators/llm-options.js';
import { NOISE_KINDS } from './noise.js';
import { STYLES } from './types.js';

const styleMix = z.object(Object.fromEntries(STYLES.map((s) => [s, z.number().min(0).default(1)])) as Record<(typeof STYLES)[number], z.ZodDefault<z.ZodNumber>>);

/** Options of `synth` (library and CLI). See docs/synth.md. */
export const synthOptions = z.object({
  generator: z.enum(GENERATOR_NAMES).default('offline')
    .describe('Which generator writes the queries. "offline" by default: it needs no model and no network, so synth works with no set-up; "llm" writes better paraphrases when a chat endpoint is there.'),
  seed: z.number().int().default(42)
    .describe('Seeds the style draw, the offline generator and the noise. Same corpus, options and seed give byte-identical outputs.'),
  chunk: z.object({
    size: z.number().int().min(8).default(200)
      .describe('Words per passage (one character counts as a word in Chinese, Japanese, Thai). 200 words (~270 tokens) keeps a passage and a prompt far under the 512-token window of small encoders and leaves room in an LLM prompt for the instructions.'),
    overlap: z.number().int().min(0).default(40)
      .describe('Words shared by neighbouring passages. 40 (20%) means a sentence cut at one boundary is whole in one of the two passages in most prose (sentences average ~20-25 words).'),
    maxPassagesPerDoc: z.number().int().min(1).default(50)
      .describe('Passages of a document that get queries; the rest are written to passages.jsonl and counted as doc_cap. 50 passages (~8,000 words) bounds what one huge document (a manual, a log dump) costs without touching ordinary ones.'),
  }).prefault({}),
  styles: styleMix.prefault({})
    .describe('Relative weight of each style in the per-passage draw (0 = never). Equal by default: real query logs mix them, and the too-clean check re-weights toward a real distribution when one is given.'),
  stylesPerPassage: z.number().int().min(1).max(STYLES.length).default(3)
    .describe('Distinct styles drawn per passage (weighted by `styles`, without replacement). 3 gives each passage a short query, and usually a question and another style, at three queries per passage.'),
  queriesPerStyle: z.number().int().min(1).max(10).default(1)
    .describe('Queries asked per (passage, style). 1: more queries of one style for one passage are mostly near-duplicates of each other.'),
  noise: z.object({
    rate: z.number().min(0).max(1).default(0.15)
      .describe('Share of queries that get one noise operation. 0.15 is in the range of misspelt queries reported for web search (10-15%, Cucerzan & Brill 2004) and lower than what short mobile queries show.'),
    kinds: z.object(Object.fromEntries(NOISE_KINDS.map((k) => [k, z.number().min(0).default(1)])) as Record<(typeof NOISE_KINDS)[number], z.ZodDefault<z.ZodNumber>>).prefault({})
      .describe('Relative weight of typo (keyboard-adjacent key, swapped, dropped or doubled letter), drop (one word dropped) and case (casing changed). Equal by default.'),
  }).prefault({}),
  filters: z.object({
    enabled: z.array(z.enum(FILTER_NAMES)).default([...FILTER_NAMES])
      .describe('Filters to run, in this order. All by default; removing "roundTrip" is the unfiltered variant the Cranfield benchmark measures.'),
    length: z.object({
      minWords: z.number().int().min(1).default(2).describe('Fewer words = too_short. 2: a one-word query names a topic, not a need, and cannot round-trip to one passage.'),
      maxWords: z.number().int().min(1).default(16).describe('More words = too_long. 16: web queries average 2-3 words (Spink et al. 2001), and a generation longer than 16 words is usually a sentence of the passage.'),
      maxChars: z.number().int().min(1).default(160).describe('More characters = too_long (a pasted error line may be long but not a paragraph).'),
    }).prefault({}),
    verbatim: z.object({
      ngram: z.number().int().min(2).default(5)
        .describe('A query sharing this many consecutive words with its passage is verbatim_copy. 5: a 2-4 word keyword query can never trip it, a question that pastes a clause does.'),
    }).prefault({}),
    duplicates: z.object({
      near: z.boolean().default(true).describe('Also drop near-duplicates (the same stemmed content words in another order). On: they add no new intent and over-weight one passage.'),
    }).prefault({}),
    roundTrip: z.object({
      k: z.number().int().min(1).default(20)
        .describe('The source passage must be in the BM25 top k for its query. 20: on Cranfield, k = 1 and 5 removed mostly the novice and question queries of the offline generator and cost nDCG@10, k = 20 removes only queries that do not point at their passage at all (docs/design/synth.md).'),
      sameDoc: z.boolean().default(true).describe('A passage of the same document in the top k counts as the source (overlapping neighbours hold the same text).'),
    }).prefault({}),
  }).prefault({}),
  realQueries: z.string().optional()
    .describe('A file with real queries (a click log, a seed or labels file: any JSONL/CSV/Parquet with a `query` column). When given, the style and length distribution of the generated queries is compared with it and queries are weighted toward it.'),
  maxWeight: z.number().min(1).default(4)
    .describe('Cap of the re-weighting toward real queries (a weight is in [1/maxWeight, maxWeight]). 4 keeps one rare style from dominating the training mix.'),
  examples: z.number().int().min(0).default(3).describe('Examples kept per drop reason in the report.'),
  llm: llmGeneratorOptions.describe('The llm generator: endpoint, model, limits, prompts and cache.'),
});

export type SynthOptionsInput = z.input<typeof synthOptions>;
export type ResolvedSynthOptions = z.infer<typeof synthOptions>;
