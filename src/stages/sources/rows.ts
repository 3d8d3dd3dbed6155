import type { StageStats } from '../../types.js';
import { normalizeQuery } from '../../text/normalize.js';
import { readJsonlLines } from './read-jsonl.js';
import type { SourceKind, SourceReject, SourceRow } from './types.js';

/** What a source's row rule returns: the row's grade, weight and provenance, or a rejection reason and detail. */
export type RowVerdict = { readonly grade: number; readonly weight: number; readonly provenance: string } | { readonly reason: string; readonly detail: string };

/** The result of loading one source file: accepted rows, rejected rows and the stage's counts (rows read = kept + every drop). */
export interface SourceLoad {
  readonly rows: SourceRow[];
  readonly rejects: SourceReject[];
  readonly stats: StageStats;
}

/** A doc_id as a string (strings trimmed, integers written out), or null for any other type. */
export const docIdString = (v: unknown): string | null => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isInteger(v) ? String(v) : null);

/**
 * Read a JSONL source file and check its common fields (query, doc_id in the corpus), then the
 * source's own `rule`. Each rejected row has a reason: bad_json, missing_field, bad_type,
 * unknown_doc, or the rule's.
 */
export async function loadSourceRows(source: SourceKind, file: string, docIds: ReadonlySet<string>, rule: (v: Record<string, unknown>) => RowVerdict): Promise<SourceLoad> {
  const { lines, blank } = await readJsonlLines(file);
  const rows: SourceRow[] = [];
  const rejects: SourceReject[] = [];
  const dropped: Record<string, number> = {};
  const reject = (line: number, raw: string, reason: string, detail: string): void => {
    rejects.push({ input: source, file, line, reason, detail, raw: raw.slice(0, 2000) });
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };
  for (const l of lines) {
    if ('error' in l) { reject(l.line, l.raw, 'bad_json', `line ${l.line}: ${l.error}`); continue; }
    const v = l.value;
    const query = typeof v.query === 'string' ? v.query.trim() : null;
    if (v.query === undefined || v.query === null || query === '') { reject(l.line, l.raw, 'missing_field', 'query is missing or empty'); continue; }
    if (query === null) { reject(l.line, l.raw, 'bad_type', 'query must be a string'); continue; }
    const queryNorm = normalizeQuery(query);
    if (queryNorm === '') { reject(l.line, l.raw, 'missing_field', `query "${query}" is empty once normalised (punctuation only)`); continue; }
    if (v.doc_id === undefined || v.doc_id === null || v.doc_id === '') { reject(l.line, l.raw, 'missing_field', 'doc_id is missing'); continue; }
    const docId = docIdString(v.doc_id);
    if (docId === null) { reject(l.line, l.raw, 'bad_type', 'doc_id must be a string or an integer'); continue; }
    if (!docIds.has(docId)) { reject(l.line, l.raw, 'unknown_doc', `doc_id "${docId}" is not in the corpus: fix the id or add the document to the corpus file`); continue; }
    const verdict = rule(v);
    if ('reason' in verdict) { reject(l.line, l.raw, verdict.reason, verdict.detail); continue; }
    rows.push({ source, query, query_norm: queryNorm, doc_id: docId, grade: verdict.grade, weight: verdict.weight, provenance: verdict.provenance, file, line: l.line });
  }
  return { rows, rejects, stats: { stage: `sources:${source}`, in: { rows: lines.length + blank }, out: { rows: rows.length }, dropped: { blank_line: blank, ...dropped } } };
}
