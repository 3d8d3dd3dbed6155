/**
 * Judged negatives: a seed row with grade 0 says an expert judged the document not relevant to
 * the query. It becomes a negative of that query's record, ahead of the mined ones, after the
 * false-negative filters, so no filter removes it (a judgement outranks a heuristic). The record
 * keeps at least as many negatives as it had. Drops: is_positive (the record holds the document as
 * a positive), no_record (the query has no training record).
 */
import type { Doc, StageStats } from '../../types.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { SourceRow } from './types.js';

export function addJudgedNegatives(records: readonly TrainingRecord[], rows: readonly SourceRow[], docs: ReadonlyMap<string, Doc>, renderText: (d: Doc) => string): { records: TrainingRecord[]; stats: StageStats } {
  const judged = new Map<string, string[]>();
  for (const r of rows) {
    if (r.grade !== 0) continue;
    const l = judged.get(r.query_norm) ?? [];
    if (!l.includes(r.doc_id)) l.push(r.doc_id);
    judged.set(r.query_norm, l);
  }
  const total = [...judged.values()].reduce((a, l) => a + l.length, 0);
  const dropped = { is_positive: 0, no_record: 0 };
  let added = 0;
  const seen = new Set<string>();
  const out = records.map((rec) => {
    const ids = judged.get(rec.query_norm);
    if (!ids) return rec;
    seen.add(rec.query_norm);
    const pos = new Set(rec.positives.map((p) => p.doc_id));
    const neg = ids.filter((id) => !pos.has(id));
    dropped.is_positive += ids.length - neg.length;
    added += neg.length;
    if (neg.length === 0) return rec;
    const head = neg.map((id) => ({ doc_id: id, text: renderText(docs.get(id)!), source: 'judged' as const }));
    const rest = rec.negatives.filter((n) => !neg.includes(n.doc_id));
    return { ...rec, negatives: [...head, ...rest].slice(0, Math.max(rec.negatives.length, head.length)) };
  });
  for (const [q, ids] of judged) if (!seen.has(q)) dropped.no_record += ids.length;
  return { records: out, stats: { stage: 'sources:judged-negatives', in: { judged_negatives: total }, out: { added }, dropped } };
}
