import { z } from 'zod';

/** Architecture of the built-in bi-encoder (saved with the model). */
export const modelOptions = z.object({
  dim: z.number().int().min(8).max(1024).default(64)
    .describe('Embedding dimension. 64 keeps the table at 64 MB for 2^18 buckets and embed() fast (cost is linear in dim).'),
  buckets: z.number().int().min(256).max(2 ** 24)
    .refine((n) => (n & (n - 1)) === 0, 'buckets must be a power of two (features are masked, not taken modulo)')
    .default(2 ** 18)
    .describe('Hash buckets shared by all features (power of two). 2^18 keeps collisions rare for vocabularies up to ~100k words plus their n-grams (fastText uses 2M for whole Wikipedia).'),
  charMin: z.number().int().min(1).max(10).default(3).describe('Shortest character n-gram (over "<word>" with boundary markers), as in fastText.'),
  charMax: z.number().int().min(1).max(10).default(5).describe('Longest character n-gram.'),
  wordWeight: z.number().min(0).default(1).describe('Weight of word unigram features.'),
  bigramWeight: z.number().min(0).default(1).describe('Weight of word bigram features (0 turns them off).'),
  charWeight: z.number().min(0).default(1).describe('Weight of character n-gram features (0 turns them off).'),
  maxTokens: z.number().int().positive().default(128)
    .describe('Texts are truncated to this many tokens before featurisation (documents are long, queries are not). 128 covers a title and abstract lead.'),
  initScale: z.number().positive().default(1)
    .describe('Rows start uniform with standard deviation initScale/sqrt(dim), i.e. about unit norm: the untrained model is then a random projection of the feature bag (a lexical baseline).'),
  seed: z.number().int().default(42).describe('Seed of the initial table.'),
});
export type ModelOptions = z.input<typeof modelOptions>;
export type ResolvedModelOptions = z.infer<typeof modelOptions>;

/** Training of the built-in bi-encoder with the multiple-negatives ranking (InfoNCE) loss. */
export const trainOptions = z.object({
  epochs: z.number().int().positive().default(2).describe('Passes over the training records.'),
  batchSize: z.number().int().min(2).default(64)
    .describe('Records per batch: every other positive in the batch is a negative (in-batch negatives). 64 is a common CPU batch for MNRL; larger batches give more (and harder) in-batch negatives at linear cost.'),
  lr: z.number().positive().default(0.05).describe('Row-wise Adagrad learning rate.'),
  temperature: z.number().positive().default(0.2)
    .describe('Softmax temperature of the InfoNCE loss. 0.2, not sentence-transformers\' 0.05 (scale 20), because it trained better models on noisy click positives and is where hard negatives gain (docs/design/model-training-defaults.md).'),
  maxNegatives: z.number().int().min(0).default(4).describe('Explicit hard negatives used per record (the first ones given).'),
  hardNegativeWeight: z.number().min(0).default(1)
    .describe('Weight of an explicit hard negative in the softmax denominator (its exp term is multiplied by it; 1 = a plain extra negative, 0 = ignore hard negatives).'),
  shareNegatives: z.boolean().default(false)
    .describe('true: every query of a batch is contrasted with all hard negatives of the batch (sentence-transformers MNRL); false: only with its own. Shared, BM25 negatives cost 0.014 nDCG@10 against in-batch only; own, they gained (docs/model.md).'),
  warmupEpochs: z.number().int().min(0).default(1)
    .describe('Epochs with in-batch negatives only (hard negatives ignored) before the `epochs` with hard negatives: the curriculum trained in sequence. 1 because hard negatives then gain more over in-batch only than without it (docs/design/model-training-defaults.md).'),
  seed: z.number().int().default(42).describe('Seed of the shuffling (reseeded as seed + epoch).'),
});
export type TrainOptions = z.input<typeof trainOptions>;
export type ResolvedTrainOptions = z.infer<typeof trainOptions>;
