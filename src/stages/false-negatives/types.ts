import type { Behaviour, NegativeSource } from '../negatives/types.js';

/** A candidate as the filters see it: the miner's proposal plus scores computed once per record. */
export interface FilterCandidate {
  /** Corpus index. */
  readonly doc: number;
  readonly doc_id: string;
  readonly text: string;
  readonly source: NegativeSource;
  readonly rank: number;
  readonly behaviour?: Behaviour;
  /** Score under the record scorer (comparable with FilterRecord.positives[i].score). */
  readonly score: number;
  /** Raw BM25 score for the query (0 when the doc shares no term with it). */
  readonly bm25: number;
  /** Cosine with the query (undefined without an embedder). */
  readonly cosine?: number;
}

export interface FilterRecord {
  readonly query: string;
  readonly query_norm: string;
  readonly family: string;
  /** `doc` is the corpus index, or -1 when the positive is not in the corpus. */
  readonly positives: readonly { readonly doc: number; readonly doc_id: string; readonly text: string; readonly score: number }[];
  /** The query's best BM25 score over the whole corpus (0 when no doc matches). */
  readonly bm25Max: number;
  readonly perRecord: number;
}

/** Why a candidate was removed: a short code (counted in the stats) and a detail for the examples. */
export interface Removal {
  readonly code: string;
  readonly detail: string;
}

export interface FalseNegativeFilter {
  /** Stage name suffix, e.g. "click-veto". */
  readonly name: string;
  /** One entry per candidate: null keeps it, a Removal drops it. */
  apply(rec: FilterRecord, cands: readonly FilterCandidate[]): Promise<(Removal | null)[]> | (Removal | null)[];
}

/** A removed example for the report. */
export interface RemovedExample {
  readonly query: string;
  readonly doc_id: string;
  readonly reason: string;
}
