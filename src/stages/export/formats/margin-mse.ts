import type { TrainingRecord } from '../../negatives/types.js';
import { hasNegatives, rowsOf, type FormatWriter, type Row, type Teacher } from './types.js';

/**
 * MarginMSE triples for sentence-transformers' MarginMSELoss: one row per (query, positive,
 * negative) with columns `query`, `positive`, `negative`, `label` = teacher score of the positive
 * minus teacher score of the negative. Only with a teacher (one scale for every score): margins
 * of BM25 or click counts would teach the student a scale that is not relevance.
 */
export function marginMse(r: TrainingRecord, k: number, teacher: Teacher): Row[] {
  if (!teacher || !hasNegatives(r, k)) return [];
  const negs = r.negatives.slice(0, k);
  const rows: Row[] = [];
  for (const p of r.positives) {
    if (p.score === undefined) continue;
    for (const n of negs) {
      if (n.score === undefined) continue;
      rows.push({ query: r.query, positive: p.text, negative: n.text, label: p.score - n.score });
    }
  }
  return rows;
}

/** `<split>.jsonl`: k rows per (query, positive) of the records with k negatives; omitted without a teacher. */
export const marginMseFormat: FormatWriter = {
  writeSplit: (ctx, s) =>
    ctx.write(
      `margin-mse/${s.split}.jsonl`,
      rowsOf(s.full, (r) => marginMse(r, ctx.k, ctx.teacher)),
      ctx.teacher ? s.noFull : 'no teacher scored the records on one scale (export.teacherScores); MarginMSE needs teacher margins',
    ),
};
