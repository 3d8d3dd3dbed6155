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
  minGrade: z.number().int().min(0).max(3).default(0)
    .describe('Positives below this grade are left out of exported training records (they stay in positives.jsonl).'),
});
export type ExportOptions = z.infer<typeof exportOptions>;
