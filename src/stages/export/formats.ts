import type { TrainingRecord } from '../negatives/types.js';

/**
 * One internal record, several public layouts. Each function maps a TrainingRecord to the rows
 * of one format; none of them reads anything else, so the formats cannot disagree. Every layout
 * has one fixed schema (docs/export.md, docs/schemas): no ragged columns, no null cells, no empty
 * negative lists. A record with fewer than `k` negatives has no n-tuple, FlagEmbedding or
 * Tevatron row (the caller counts it); `negatives.fill` tops records up so that this is rare.
 */
export type Row = Record<string, unknown>;

/** Teacher scores on one scale, or none (see `ExportInput.teacher`). */
export type Teacher = { readonly name: string } | null;

/** A record has rows in the fixed-width formats when it has at least k negatives. */
export const hasNegatives = (r: TrainingRecord, k: number): boolean => r.negatives.length >= k && k > 0;

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

/**
 * Tevatron training JSONL: `query_id`, `query`, `positive_passages`, `negative_passages`
 * ({docid, title, text}). Tevatron joins title and text itself, so `text` is the bare body.
 */
export function tevatron(r: TrainingRecord, k: number, queryId: string, docOf: (docId: string) => { title: string; text: string } | undefined): Row[] {
  if (!hasNegatives(r, k)) return [];
  const passage = (p: { doc_id: string; text: string }) => {
    const d = docOf(p.doc_id);
    return { docid: p.doc_id, title: d?.title ?? '', text: d?.text ?? p.text };
  };
  return [{ query_id: queryId, query: r.query, positive_passages: r.positives.map(passage), negative_passages: r.negatives.slice(0, k).map(passage) }];
}

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
