import type { Doc, MultiPositive, PositivePair } from '../../types.js';
import { hash32 } from '../../util/rng.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { Split } from '../splits/splits.js';
import type { ReportOptions } from './options.js';

/** One query of the example browser: its positives with their evidence, its negatives, and the candidates each filter removed. */
export interface ExampleQuery {
  readonly query: string;
  readonly split: Split | null;
  /** Rows as tuples (the section is embedded whole in report.html): see POSITIVE_COLUMNS, NEGATIVE_COLUMNS, REMOVED_COLUMNS. */
  readonly positives: readonly PositiveRow[];
  readonly negatives: readonly NegativeRow[];
  readonly removed: readonly RemovedRow[];
  /** True when the query has positives but no exported record (e.g. too few negatives). */
  readonly noRecord: boolean;
}

export type PositiveRow = readonly [doc_id: string, grade: number, weight: number, clicks: number, satisfied: number, converted: number, impressions: number, signals: string];
/** source is 'fill' for a random document that topped up a short record. */
export type NegativeRow = readonly [doc_id: string, source: string, score: number | null, hardness: number | null, rank: number | null];
export type RemovedRow = readonly [doc_id: string, filter: string, reason: string];
export const POSITIVE_COLUMNS = ['doc_id', 'grade', 'weight', 'clicks', 'satisfied', 'converted', 'impressions', 'signals'] as const;
export const NEGATIVE_COLUMNS = ['doc_id', 'source', 'score', 'hardness', 'rank'] as const;
export const REMOVED_COLUMNS = ['doc_id', 'filter', 'reason'] as const;

export interface ExamplesSection {
  /** Queries with positives in the dataset, and how many are embedded. */
  readonly queries: number;
  readonly sampled: number;
  readonly queriesList: readonly ExampleQuery[];
  /** doc_id -> the first characters of the document (title line first). */
  readonly docs: Readonly<Record<string, string>>;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Collects, during negative mining, the candidates each filter removed for a seeded sample of the
 * queries (the ones the example browser embeds); nothing is kept for the others, so memory stays
 * bounded by report.examples on any log.
 */
export class ExampleCollector {
  readonly sampled: ReadonlySet<string>;
  readonly total: number;
  private readonly removed = new Map<string, RemovedRow[]>();

  constructor(positives: readonly MultiPositive[], private readonly options: ReportOptions['examples'], seed: number) {
    const keyed = positives.map((m) => [hash32(m.query_norm, (seed ^ 0x5eed) >>> 0), m.query_norm] as const);
    keyed.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.sampled = new Set(keyed.slice(0, options.maxQueries).map((k) => k[1]));
    this.total = positives.length;
  }

  /** Pass as mineNegatives' `onRemoved`. */
  readonly onRemoved = (rec: { readonly query_norm: string }, doc_id: string, filter: string, reason: string): void => {
    if (!this.sampled.has(rec.query_norm)) return;
    let l = this.removed.get(rec.query_norm);
    if (!l) this.removed.set(rec.query_norm, (l = []));
    if (l.length < this.options.maxRemovedPerQuery) l.push([doc_id, filter, reason]);
  };

  section(pairs: readonly PositivePair[], records: readonly TrainingRecord[], docs: readonly Doc[], splitOf: (query_norm: string) => Split | null): ExamplesSection {
    const byQuery = new Map<string, PositivePair[]>();
    for (const p of pairs) {
      if (!this.sampled.has(p.query_norm)) continue;
      let l = byQuery.get(p.query_norm);
      if (!l) byQuery.set(p.query_norm, (l = []));
      l.push(p);
    }
    const recOf = new Map<string, TrainingRecord>();
    for (const r of records) if (this.sampled.has(r.query_norm)) recOf.set(r.query_norm, r);
    const wanted = new Set<string>();
    const list: ExampleQuery[] = [];
    for (const q of [...this.sampled].sort()) {
      const ps = byQuery.get(q) ?? [];
      const rec = recOf.get(q);
      if (ps.length === 0 && !rec) continue;
      let minPos = Infinity;
      for (const p of rec?.positives ?? []) if (p.score !== undefined && p.score < minPos) minPos = p.score;
      const removed = this.removed.get(q) ?? [];
      const ex: ExampleQuery = {
        query: ps[0]?.query ?? rec!.query,
        split: splitOf(q),
        positives: ps.map((p): PositiveRow => [p.doc_id, p.grade, r3(p.weight), p.evidence.clicks, p.evidence.satisfied, p.evidence.converted, p.evidence.impressions, p.evidence.signals.join(', ')]),
        negatives: (rec?.negatives ?? []).map((n): NegativeRow => [
          n.doc_id,
          n.filled ? 'fill' : n.source,
          n.score === undefined ? null : r3(n.score),
          n.score !== undefined && minPos > 0 && Number.isFinite(minPos) ? r3(n.score / minPos) : null,
          n.rank ?? null,
        ]),
        removed,
        noRecord: !rec,
      };
      for (const d of [...ex.positives, ...ex.negatives, ...removed]) wanted.add(d[0]);
      list.push(ex);
    }
    const snippets: Record<string, string> = {};
    for (const d of docs) {
      if (!wanted.has(d.doc_id)) continue;
      const t = `${d.title ? `${d.title} — ` : ''}${d.text}`.replace(/\s+/g, ' ');
      snippets[d.doc_id] = t.length > 140 ? `${t.slice(0, 139)}…` : t;
    }
    return { queries: this.total, sampled: list.length, queriesList: list, docs: snippets };
  }
}
