/**
 * Bootstrap source rows into evidence: each positive source row (grade > 0) becomes, or joins, the
 * evidence record of its (query_norm, doc_id). A pair with clicks keeps its click counters and its
 * grade unless a source grades it higher; `sources` lists `clicks` (when the pair had click
 * evidence) and every source's provenance, so a record says what supports it.
 */
import type { Evidence } from '../../types.js';
import type { SourceRow } from './types.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sourceEvidence(r: SourceRow): Evidence {
  return {
    kind: 'Evidence', query_norm: r.query_norm, query: r.query, doc_id: r.doc_id,
    impressions: 0, clicks: 0, satisfied: 0, converted: 0, success_last: 0, short_dwell: 0, pogo: 0, unknown_dwell: 0, skip_above: 0, serps: 0, users: 0,
    first_ts: null, last_ts: null, grade: r.grade, weight: r.weight, signals: [], sources: [r.provenance],
  };
}

/** `evidence` (sorted by query_norm, doc_id) with the positive `rows` merged in, sorted the same way. Returns `evidence` itself when no row is positive. */
export function mergeSourceEvidence(evidence: readonly Evidence[], rows: readonly SourceRow[]): readonly Evidence[] {
  const positives = rows.filter((r) => r.grade > 0);
  if (positives.length === 0) return evidence;
  const byPair = new Map<string, Evidence>();
  for (const e of evidence) byPair.set(`${e.query_norm}\u0000${e.doc_id}`, e);
  for (const r of positives) {
    const key = `${r.query_norm}\u0000${r.doc_id}`;
    const e = byPair.get(key);
    if (!e) { byPair.set(key, sourceEvidence(r)); continue; }
    const sources = e.sources ?? ['clicks'];
    byPair.set(key, {
      ...e,
      grade: Math.max(e.grade, r.grade),
      weight: Math.max(e.weight, r.weight),
      sources: sources.includes(r.provenance) ? sources : [...sources, r.provenance],
    });
  }
  return [...byPair.values()].sort((a, b) => cmp(a.query_norm, b.query_norm) || cmp(a.doc_id, b.doc_id));
}
