import type { TrainingRecord } from '../negatives/types.js';

/**
 * One internal record, several public layouts. Each function maps a TrainingRecord to the rows
 * of one format; none of them reads anything else, so the formats cannot disagree.
 */
export type Row = Record<string, unknown>;

/**
 * sentence-transformers (MultipleNegativesRankingLoss and friends): one row per positive, columns
 * `anchor`, `positive`, `negative_1..n` (or `negative` when there is exactly one). A query with
 * several positives gives several rows that share the negatives (the multi-positive form).
 */
export function sentenceTransformers(r: TrainingRecord, maxNeg: number): Row[] {
  const negs = r.negatives.slice(0, maxNeg);
  return r.positives.map((p) => {
    const row: Row = { anchor: r.query, positive: p.text };
    if (negs.length === 1) row.negative = negs[0]!.text;
    else negs.forEach((n, i) => (row[`negative_${i + 1}`] = n.text));
    return row;
  });
}

/** FlagEmbedding fine-tuning JSONL: `query`, `pos`, `neg`, `pos_scores`, `neg_scores`, `prompt`. */
export function flagEmbedding(r: TrainingRecord, maxNeg: number, prompt: string): Row {
  const negs = r.negatives.slice(0, maxNeg);
  return {
    query: r.query,
    pos: r.positives.map((p) => p.text),
    neg: negs.map((n) => n.text),
    pos_scores: r.positives.map((p) => p.score ?? p.grade),
    neg_scores: negs.map((n) => n.score ?? 0),
    prompt,
  };
}

/** Tevatron training JSONL: `query_id`, `query`, `positive_passages`, `negative_passages` ({docid, title, text}). */
export function tevatron(r: TrainingRecord, maxNeg: number, queryId: string, titleOf: (docId: string) => string): Row {
  return {
    query_id: queryId,
    query: r.query,
    positive_passages: r.positives.map((p) => ({ docid: p.doc_id, title: titleOf(p.doc_id), text: p.text })),
    negative_passages: r.negatives.slice(0, maxNeg).map((n) => ({ docid: n.doc_id, title: titleOf(n.doc_id), text: n.text })),
  };
}

/**
 * clickforge's own layout, one row per (query, positive): ids, grade, weight, scores and each
 * negative's source and rank (provenance). `clickforge evaluate` reads it directly.
 */
export function clickforge(r: TrainingRecord, maxNeg: number): Row[] {
  const negatives = r.negatives.slice(0, maxNeg).map((n) => ({ doc_id: n.doc_id, text: n.text, source: n.source, score: n.score ?? null, rank: n.rank ?? null }));
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
