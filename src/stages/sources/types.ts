/** Which bootstrap source a row came from, and the first part of its provenance (`synthetic:offline:keyword`, `seed`, `pinned:2` ...). */
export const SOURCE_KINDS = { synthetic: 'synthetic', seeds: 'seed', faq: 'faq', macros: 'macro', pinned: 'pinned', collections: 'collection' } as const satisfies Record<string, string>;
export type SourceKind = keyof typeof SOURCE_KINDS;

/** The source kind of a provenance string (`clicks` for click evidence), or null for one no source writes. */
export function kindOfProvenance(provenance: string): SourceKind | 'clicks' | null {
  if (provenance === 'clicks') return 'clicks';
  const head = provenance.split(':', 1)[0];
  const hit = (Object.entries(SOURCE_KINDS) as [SourceKind, string][]).find(([, prefix]) => prefix === head);
  return hit ? hit[0] : null;
}

/** One accepted row of a bootstrap source: a (query, document) judgement with its grade and provenance. */
export interface SourceRow {
  readonly source: SourceKind;
  readonly query: string;
  readonly query_norm: string;
  readonly doc_id: string;
  /** 0 = a judged negative (seeds only); 1..3 a positive. */
  readonly grade: number;
  readonly weight: number;
  /** e.g. `synthetic:offline:keyword`, `seed`, `faq`, `pinned:2` (see SOURCE_KINDS). */
  readonly provenance: string;
  readonly file: string;
  readonly line: number;
}

/** A rejected source row, bound for quarantine.jsonl. */
export interface SourceReject {
  readonly input: SourceKind;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly detail: string;
  readonly raw: string;
}
