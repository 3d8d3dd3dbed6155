/**
 * Synthetic queries (the queries.jsonl that `clickforge synth` writes) as evidence: each row is a
 * positive for its source document, graded `sources.synthetic.grade`, weighted by the row's weight
 * times `sources.synthetic.weight`, with provenance `synthetic:<generator>:<style>`.
 * Drops: bad_json, missing_field, bad_type, unknown_doc, bad_weight (quarantined), over_max_per_doc.
 * See docs/bootstrap.md.
 */
import type { SourceOptions } from './options.js';
import { loadSourceRows, type RowVerdict, type SourceLoad } from './rows.js';

function syntheticRule(opts: SourceOptions['synthetic']) {
  return (v: Record<string, unknown>): RowVerdict => {
    for (const f of ['generator', 'style'] as const) {
      if (typeof v[f] !== 'string' || v[f] === '') return { reason: 'missing_field', detail: `${f} is missing: a synthetic query names its generator and style (the file clickforge synth writes has both)` };
    }
    const w = v.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) return { reason: 'bad_weight', detail: `weight ${JSON.stringify(w)} must be a positive number` };
    return { grade: opts.grade, weight: w * opts.weight, provenance: `synthetic:${String(v.generator)}:${String(v.style)}` };
  };
}

/** Load synthetic queries from `file`, keeping only documents in `docIds`. */
export async function loadSynthetic(file: string, docIds: ReadonlySet<string>, opts: SourceOptions['synthetic']): Promise<SourceLoad> {
  const r = await loadSourceRows('synthetic', file, docIds, syntheticRule(opts));
  if (opts.maxPerDoc === 0) return r;
  const perDoc = new Map<string, number>();
  const rows = r.rows.filter((row) => {
    const n = (perDoc.get(row.doc_id) ?? 0) + 1;
    perDoc.set(row.doc_id, n);
    return n <= opts.maxPerDoc;
  });
  return { ...r, rows, stats: { ...r.stats, out: { rows: rows.length }, dropped: { ...r.stats.dropped, over_max_per_doc: r.rows.length - rows.length } } };
}
