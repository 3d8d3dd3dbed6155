import { z } from 'zod';
import { exportFormatNames as exportFormats, type ExportFormat } from './formats/index.js';

export { exportFormats, type ExportFormat };

export const exportOptions = z.object({
  formats: z.array(z.enum(exportFormats)).default([...exportFormats])
    .describe('Training formats to write, all from the same internal records ("beir" writes corpus.jsonl, queries.jsonl and qrels/<split>.tsv for evaluation). All by default: they cost little and each trainer reads its own.'),
  fileFormats: z.array(z.enum(['jsonl', 'parquet'])).min(1).default(['jsonl'])
    .describe('File formats of the training files (BEIR is always JSONL/TSV, as BEIR loaders expect). JSONL by default: every trainer and `datasets` read it.'),
  negatives: z.number().int().positive().default(4)
    .describe('Negatives per row (k) in the sentence-transformers n-tuple, FlagEmbedding and Tevatron files; a record with fewer has no n-tuple row, is counted, and stays in the pairs file. 4 = negatives.perRecord, a common hard-negative budget.'),
  teacherScores: z.enum(['auto', 'judge', 'off']).default('auto')
    .describe('Teacher scores (FlagEmbedding pos_scores / neg_scores, margin-mse labels): "judge" has the rerank judge score each query\'s positives and exported negatives (GPL), "auto" uses cosine under the embedder, "off" none. "auto" by default: it costs no extra calls.'),
  batchSize: z.number().int().min(0).default(64)
    .describe('Also write the train split in an order where no batch of this size holds two rows of one family, one positive document or near-duplicate positives (train.batched.jsonl, batches/train.json; 0 = off). 64 is a common in-batch size on one GPU: train with a sequential sampler at that size.'),
  batchNearDuplicateJaccard: z.number().min(0).max(1).default(0.8)
    .describe('Word 3-gram Jaccard at or above which two positives count as near-duplicates for batch composition. 0.8 is the near-duplicate negative filter\'s default.'),
  minGrade: z.number().int().min(0).max(3).default(0)
    .describe('Positives below this grade are left out of exported training records (they stay in positives.jsonl). 0 keeps every positive: the weight already reflects its grade.'),
});
export type ExportOptions = z.infer<typeof exportOptions>;
