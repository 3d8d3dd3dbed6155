import type { TrainingRecord } from '../../negatives/types.js';
import { hasNegatives, rowsOf, type FormatWriter, type Row } from './types.js';

/** sentence-transformers pairs (`anchor`, `positive`): one row per positive; in-batch negatives only. */
export function sentenceTransformersPairs(r: TrainingRecord): Row[] {
  return r.positives.map((p) => ({ anchor: r.query, positive: p.text }));
}

/**
 * sentence-transformers n-tuples (MultipleNegativesRankingLoss, CachedMNRL, GISTEmbedLoss): one
 * row per positive, columns `anchor`, `positive`, `negative_1..negative_k`, every cell a string.
 * A query with several positives gives several rows that share the negatives.
 */
export function sentenceTransformersTuples(r: TrainingRecord, k: number): Row[] {
  if (!hasNegatives(r, k)) return [];
  const negs = r.negatives.slice(0, k);
  return r.positives.map((p) => {
    const row: Row = { anchor: r.query, positive: p.text };
    negs.forEach((n, i) => (row[`negative_${i + 1}`] = n.text));
    return row;
  });
}

/** `<split>.jsonl` (n-tuples of the records with k negatives) and `<split>.pairs.jsonl` (every record). */
export const sentenceTransformers: FormatWriter = {
  async writeSplit(ctx, s) {
    await ctx.write(`sentence-transformers/${s.split}.jsonl`, rowsOf(s.full, (r) => sentenceTransformersTuples(r, ctx.k)), s.noFull);
    await ctx.write(`sentence-transformers/${s.split}.pairs.jsonl`, rowsOf(s.records, sentenceTransformersPairs), s.noRecords);
  },
};
