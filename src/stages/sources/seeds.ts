/**
 * Expert seeds (the labels format: query, doc_id, grade) as evidence: a row with grade > 0 is a
 * positive of grade `sources.seeds.grade`; a row with grade 0 is a judged negative of its query.
 * Drops (quarantined): bad_json, missing_field, bad_type, unknown_doc, bad_grade.
 * See docs/bootstrap.md.
 */
import type { SourceOptions } from './options.js';
import { loadSourceRows, type RowVerdict, type SourceLoad } from './rows.js';

function seedRule(opts: SourceOptions['seeds']) {
  return (v: Record<string, unknown>): RowVerdict => {
    if (v.grade === undefined || v.grade === null) return { reason: 'missing_field', detail: 'grade is missing: a seed row is (query, doc_id, grade)' };
    const g = typeof v.grade === 'string' && v.grade.trim() !== '' ? Number(v.grade) : v.grade;
    if (typeof g !== 'number' || !Number.isFinite(g) || g < 0) return { reason: 'bad_grade', detail: `grade ${JSON.stringify(v.grade)} must be a number >= 0 (0 = judged not relevant)` };
    return g > 0 ? { grade: opts.grade, weight: opts.weight, provenance: 'seed' } : { grade: 0, weight: opts.weight, provenance: 'seed' };
  };
}

/** Load seed judgements from `file`, keeping only documents in `docIds`. */
export function loadSeeds(file: string, docIds: ReadonlySet<string>, opts: SourceOptions['seeds']): Promise<SourceLoad> {
  return loadSourceRows('seeds', file, docIds, seedRule(opts));
}
