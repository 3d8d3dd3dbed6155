/** Which bootstrap source a row came from. */
export const SOURCE_KINDS = { synthetic: 'synthetic', seeds: 'seeds' } as const satisfies Record<string, string>;
export type SourceKind = keyof typeof SOURCE_KINDS;

/** One accepted row of a bootstrap source: a (query, document) judgement with its grade and provenance. */
export interface SourceRow {
  readonly source: SourceKind;
  readonly query: string;
  readonly query_norm: string;
  readonly doc_id: string;
  /** 0 = a judged negative (seeds only); 1..3 a positive. */
  readonly grade: number;
  readonly weight: number;
  /** e.g. `synthetic:offline:keyword`, `seed`. */
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
