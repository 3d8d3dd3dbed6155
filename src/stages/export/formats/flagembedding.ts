import type { TrainingRecord } from '../../negatives/types.js';
import { hasNegatives, rowsOf, type FormatWriter, type Row, type Teacher } from './types.js';

/**
 * FlagEmbedding fine-tuning JSONL: `query`, `pos`, `neg` (k texts); `prompt` only when a query
 * instruction is configured (an empty string would override the trainer's
 * --query_instruction_for_retrieval); `pos_scores` / `neg_scores` only from a teacher.
 */
export function flagEmbedding(r: TrainingRecord, k: number, prompt: string, teacher: Teacher): Row[] {
  if (!hasNegatives(r, k)) return [];
  const negs = r.negatives.slice(0, k);
  const row: Row = { query: r.query, pos: r.positives.map((p) => p.text), neg: negs.map((n) => n.text) };
  if (teacher && r.positives.every((p) => p.score !== undefined) && negs.every((n) => n.score !== undefined)) {
    row.pos_scores = r.positives.map((p) => p.score!);
    row.neg_scores = negs.map((n) => n.score!);
  }
  if (prompt !== '') row.prompt = prompt;
  return [row];
}

/** `<split>.jsonl`: one row per record with k negatives. */
export const flagembedding: FormatWriter = {
  writeSplit: (ctx, s) => ctx.write(`flagembedding/${s.split}.jsonl`, rowsOf(s.full, (r) => flagEmbedding(r, ctx.k, ctx.queryPrompt, ctx.teacher)), s.noFull),
};
