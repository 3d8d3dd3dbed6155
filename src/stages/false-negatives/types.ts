import type { Judge } from '../../ports/index.js';
import type { Doc, Evidence, MultiPositive } from '../../types.js';
import type { Behaviour, NegativeSource } from '../negatives/types.js';
import type { FalseNegativeOptions } from './options.js';

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
  /** Notes for the filter's stage stats, after its removal count (what a judge answered, the corpus' duplicate clusters). */
  notes?(): string[];
}

/** What a filter entry gets to build its filter: the validated options and the inputs of the `mineNegatives` call. */
export interface FilterSetup {
  readonly options: FalseNegativeOptions;
  readonly docs: readonly Doc[];
  readonly evidence: readonly Evidence[];
  readonly positives: readonly MultiPositive[];
  readonly familyOf?: ReadonlyMap<string, string>;
  readonly sessionCoClicks?: ReadonlyMap<string, string>;
  readonly judge?: Judge;
  readonly calibratedVeto?: { readonly pairs: ReadonlySet<string>; readonly vetoAbove: number };
  /** True when an embedder gives cosine scores (the semantic filters need them). */
  readonly semantic: boolean;
}

/** One false-negative filter in the ordered registry (stages/false-negatives/filters.ts). */
export interface FilterEntry {
  /** The filter's name (its stage is `false-negatives/<name>`). */
  readonly name: string;
  /** Its options under `negatives.filters`, or null when it has none (the calibrated veto is switched by its input). */
  readonly option: keyof FalseNegativeOptions | null;
  /** The filter when it runs; a note when it is switched on but cannot run (or runs with less than asked). */
  setup(s: FilterSetup): { readonly filter?: FalseNegativeFilter; readonly note?: string };
}

/** A removed example for the report. */
export interface RemovedExample {
  readonly query: string;
  readonly doc_id: string;
  readonly reason: string;
}
