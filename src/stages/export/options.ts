import { z } from 'zod';

export const exportOptions = z.object({
  formats: z.array(z.enum(['clickforge', 'sentence-transformers', 'flagembedding', 'tevatron', 'beir'])).default(['clickforge', 'sentence-transformers', 'flagembedding', 'tevatron', 'beir'])
    .describe('Training formats to write, all from the same internal records. "beir" writes the dev/test splits (and train qrels) as corpus.jsonl, queries.jsonl, qrels/<split>.tsv for evaluation.'),
  fileFormats: z.array(z.enum(['jsonl', 'parquet'])).default(['jsonl'])
    .describe('File formats of the training files (BEIR is always JSONL/TSV, as BEIR loaders expect).'),
  maxNegatives: z.number().int().nonnegative().default(4)
    .describe('Negatives per record in the exported files (the mined list is cut, keeping its order: behavioural first, then by miner priority).'),
  prompt: z.string().default('')
    .describe('FlagEmbedding `prompt` field (a query instruction such as "Represent this sentence for searching relevant passages: "); empty = none.'),
  batchSize: z.number().int().min(0).default(64)
    .describe('Batch composition for in-batch negatives: the train split is also written in an order where no batch of this size holds two rows of one query family, one positive document or near-duplicate positives (sentence-transformers/train.batched.jsonl + batches/train.json). Use it with a sequential sampler and this batch size. 0 = off.'),
  batchNearDuplicateJaccard: z.number().min(0).max(1).default(0.8)
    .describe('Word 3-gram Jaccard at or above which two positives count as near-duplicates for batch composition (same default as the near-duplicate negative filter).'),
  minGrade: z.number().int().min(0).max(3).default(0)
    .describe('Positives below this grade are left out of exported training records (they stay in positives.jsonl).'),
});
export type ExportOptions = z.infer<typeof exportOptions>;
