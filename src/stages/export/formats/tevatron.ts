import type { TrainingRecord } from '../../negatives/types.js';
import { hasNegatives, rowsOf, type FormatWriter, type Row } from './types.js';

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

/** `<split>.jsonl`: one row per record with k negatives. */
export const tevatronFormat: FormatWriter = {
  writeSplit: (ctx, s) => ctx.write(`tevatron/${s.split}.jsonl`, rowsOf(s.full, (r) => tevatron(r, ctx.k, ctx.queryId(r.query_norm), (id) => ctx.docOf(id))), s.noFull),
};
