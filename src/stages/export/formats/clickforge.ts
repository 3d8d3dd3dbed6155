import type { TrainingRecord } from '../../negatives/types.js';
import { rowsOf, type FormatWriter, type Row } from './types.js';

/**
 * clickforge's own layout, one row per (query, positive): ids, grade, weight, scores and each
 * negative's source, rank and whether the fill added it (provenance). `clickforge evaluate` reads it.
 */
export function clickforge(r: TrainingRecord, k: number): Row[] {
  const negatives = r.negatives.slice(0, k).map((n) => ({ doc_id: n.doc_id, text: n.text, source: n.source, score: n.score ?? null, rank: n.rank ?? null, filled: n.filled === true }));
  return r.positives.map((p) => ({
    query: r.query,
    query_norm: r.query_norm,
    family: r.family,
    doc_id: p.doc_id,
    positive: p.text,
    grade: p.grade,
    weight: p.weight,
    positive_score: p.score ?? null,
    negatives,
  }));
}

/** `<split>.jsonl`: every record of the split, however many negatives it has. */
export const clickforgeFormat: FormatWriter = {
  writeSplit: (ctx, s) => ctx.write(`clickforge/${s.split}.jsonl`, rowsOf(s.records, (r) => clickforge(r, ctx.k)), s.noRecords),
};
