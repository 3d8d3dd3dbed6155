/**
 * Weak-supervision sources: curated mappings from a query-like text to documents (FAQ questions,
 * support macros, pinned results, collection pages), read from JSONL. A row names its text field
 * (`question`, `title` or `query`) and one document (`doc_id`) or a list in order (`doc_ids`); it
 * lists one (query, document) pair per document. Counts are kept in two units: `rows` (lines; a
 * line rejected whole is one drop) and `pairs` (the pairs the accepted lines list).
 * Drops: rows.bad_json, rows.missing_field, rows.bad_type (quarantined); pairs.unknown_doc
 * (quarantined, one quarantine line per file line), pairs.duplicate (the same pair earlier in the
 * file), pairs.over_max_docs, pairs.over_max_per_doc (counted). See docs/bootstrap.md.
 */
import type { StageStats } from '../../types.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { SourceOptions } from './options.js';
import { readJsonlLines } from './read-jsonl.js';
import { docIdString, type SourceLoad } from './rows.js';
import { SOURCE_KINDS, type SourceKind, type SourceReject, type SourceRow } from './types.js';

/** The caps and strengths of one weak source (sources.faq, sources.macros ...). */
export type WeakOptions = SourceOptions['faq'];

/** What differs between the weak sources: the field that holds the query-like text, and the weight of the pair at a 1-based position. */
export interface WeakSourceSpec {
  readonly kind: SourceKind;
  readonly textField: string;
  readonly weightAt: (rank: number) => number;
  readonly provenance: (rank: number) => string;
}

type Parsed = { readonly query: string; readonly queryNorm: string; readonly docIds: readonly string[] } | { readonly reason: string; readonly detail: string };

function parseRow(v: Record<string, unknown>, textField: string): Parsed {
  const t = v[textField];
  if (t === undefined || t === null || (typeof t === 'string' && t.trim() === '')) return { reason: 'missing_field', detail: `${textField} is missing or empty` };
  if (typeof t !== 'string') return { reason: 'bad_type', detail: `${textField} must be a string` };
  const queryNorm = normalizeQuery(t);
  if (queryNorm === '') return { reason: 'missing_field', detail: `${textField} "${t.trim()}" is empty once normalised (punctuation only)` };
  if (v.doc_id !== undefined && v.doc_ids !== undefined) return { reason: 'bad_type', detail: 'give doc_id (one document) or doc_ids (a list), not both' };
  const list = v.doc_ids !== undefined ? v.doc_ids : v.doc_id === undefined || v.doc_id === null || v.doc_id === '' ? [] : [v.doc_id];
  if (!Array.isArray(list)) return { reason: 'bad_type', detail: 'doc_ids must be a list of document ids' };
  if (list.length === 0) return { reason: 'missing_field', detail: 'no document: give doc_id or a non-empty doc_ids list' };
  const docIds = list.map(docIdString);
  const bad = docIds.findIndex((d) => d === null || d === '');
  if (bad >= 0) return { reason: 'bad_type', detail: `doc id at position ${bad + 1} (${JSON.stringify(list[bad])}) must be a non-empty string or an integer` };
  return { query: t.trim(), queryNorm, docIds: docIds as string[] };
}

/** Counters of a weak source's load, by unit. */
class Counts {
  readonly rows: Record<string, number> = {};
  readonly pairs: Record<string, number> = {};
  drop(unit: 'rows' | 'pairs', reason: string, n = 1): void {
    if (n > 0) this[unit][reason] = (this[unit][reason] ?? 0) + n;
  }
}

/** Read a weak-supervision file: one SourceRow per kept (query, document) pair, rejects for quarantine, and the stage's counts. */
export async function loadWeakSource(spec: WeakSourceSpec, file: string, docIds: ReadonlySet<string>, opts: WeakOptions): Promise<SourceLoad> {
  const { lines, blank } = await readJsonlLines(file);
  const rows: SourceRow[] = [];
  const rejects: SourceReject[] = [];
  const counts = new Counts();
  const seen = new Set<string>();
  const perDoc = new Map<string, number>();
  let listed = 0, accepted = 0;
  const reject = (line: number, raw: string, reason: string, detail: string): void => {
    rejects.push({ input: spec.kind, file, line, reason, detail: `line ${line}: ${detail}`, raw: raw.slice(0, 2000) });
  };
  for (const l of lines) {
    if ('error' in l) { reject(l.line, l.raw, 'bad_json', l.error); counts.drop('rows', 'rows.bad_json'); continue; }
    const p = parseRow(l.value, spec.textField);
    if ('reason' in p) { reject(l.line, l.raw, p.reason, p.detail); counts.drop('rows', `rows.${p.reason}`); continue; }
    accepted++;
    listed += p.docIds.length;
    const unknown = p.docIds.filter((d) => !docIds.has(d));
    if (unknown.length) reject(l.line, l.raw, 'unknown_doc', `${unknown.map((d) => `"${d}"`).join(', ')} not in the corpus: fix the id or add the document to the corpus file`);
    p.docIds.forEach((docId, i) => {
      const rank = i + 1;
      const key = `${p.queryNorm}\u0000${docId}`;
      if (!docIds.has(docId)) return counts.drop('pairs', 'pairs.unknown_doc');
      if (seen.has(key)) return counts.drop('pairs', 'pairs.duplicate');
      seen.add(key);
      if (opts.maxDocs > 0 && rank > opts.maxDocs) return counts.drop('pairs', 'pairs.over_max_docs');
      const n = (perDoc.get(docId) ?? 0) + 1;
      perDoc.set(docId, n);
      if (opts.maxPerDoc > 0 && n > opts.maxPerDoc) return counts.drop('pairs', 'pairs.over_max_per_doc');
      rows.push({ source: spec.kind, query: p.query, query_norm: p.queryNorm, doc_id: docId, grade: opts.grade, weight: opts.weight * spec.weightAt(rank), provenance: spec.provenance(rank), file, line: l.line });
    });
  }
  const stats: StageStats = {
    stage: `sources:${spec.kind}`,
    in: { rows: lines.length + blank, pairs: listed },
    out: { rows: accepted, pairs: rows.length },
    dropped: { 'rows.blank_line': blank, ...counts.rows, ...counts.pairs },
  };
  return { rows, rejects, stats };
}

const flat = () => 1;
const same = (kind: SourceKind) => () => SOURCE_KINDS[kind];

/** The four weak sources. Pinned results weigh their rank like DCG does (1/log2(rank + 1)) and say it in their provenance. */
export const WEAK_SOURCES = {
  faq: { kind: 'faq', textField: 'question', weightAt: flat, provenance: same('faq') },
  macros: { kind: 'macros', textField: 'title', weightAt: flat, provenance: same('macros') },
  pinned: { kind: 'pinned', textField: 'query', weightAt: (rank) => 1 / Math.log2(rank + 1), provenance: (rank) => `${SOURCE_KINDS.pinned}:${rank}` },
  collections: { kind: 'collections', textField: 'title', weightAt: flat, provenance: same('collections') },
} as const satisfies Record<string, WeakSourceSpec>;
