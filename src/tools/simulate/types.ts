import type { StageStats } from '../../types.js';

export type QueryStyle = 'keyword' | 'question' | 'error' | 'abbreviation' | 'misspelling' | 'novice' | 'expert';

export interface SimDoc {
  readonly doc_id: string;
  readonly title: string;
  readonly text: string;
  readonly category: string;
  readonly entity: string;
  /** Epoch milliseconds. */
  readonly published_at: number;
  /** Intent (family) ids this document answers with grade >= 2. */
  readonly intents: readonly string[];
  /** Eye-catching presentation: clicked more often whatever its relevance (hidden truth). */
  readonly attractive: boolean;
  /** Popularity prior in (0, 1] (hidden truth, used by the ranker and the click model). */
  readonly popularity: number;
}

export interface SimQuery {
  /** Stable id (BEIR export). */
  readonly query_id: string;
  readonly query: string;
  /** Intent id: all variants of one need share it. */
  readonly family: string;
  readonly style: QueryStyle;
  /** Relative frequency (intent Zipf weight x variant weight); sums to 1 over the world. */
  readonly weight: number;
  readonly split: 'train' | 'test';
}

export interface SimQrel {
  readonly query: string;
  readonly doc_id: string;
  readonly grade: number;
}

export interface SimulatedWorld {
  readonly name: string;
  readonly docs: readonly SimDoc[];
  readonly queries: readonly SimQuery[];
  /** Graded truth 0..3; only grade > 0 rows. Every query has at least one row. */
  readonly qrels: readonly SimQrel[];
  /** Examination probability per rank (index 0 = rank 1) that the PBM click model uses. */
  readonly examination: readonly number[];
  /** Doc ids of lexical lookalikes (same system, other problem) per family: ranker mistakes. */
  readonly lookalikes: ReadonlyMap<string, readonly string[]>;
  /** Conversion kind written for satisfied clicks (ticket_closed for the help desk). */
  readonly conversionKind: string;
  /** What the world builder skipped or merged, in words. */
  readonly notes?: readonly string[];
}

/** A plain collection: documents, queries and judgements as given by a test collection. */
export interface Collection {
  readonly name: string;
  readonly docs: readonly { doc_id: string; title: string; text: string }[];
  readonly queries: readonly { query_id: string; text: string; source_id?: string }[];
  readonly qrels: readonly { query_id: string; doc_id: string; grade: number }[];
}

export interface SimulateDetail {
  readonly pages: number;
  readonly sessions: number;
  readonly users: number;
  readonly clicks: number;
  readonly satisfiedClicks: number;
  readonly unsatisfiedClicks: number;
  readonly pogo: number;
  readonly conversions: number;
  /** Pages that did not satisfy the user and were not the last allowed page of the session. */
  readonly reformulationChances: number;
  readonly reformulations: number;
  readonly topicSwitches: number;
  readonly abandonedSessions: number;
  readonly successfulSessions: number;
  /** clicks per rank (index 0 = rank 1) and pages with at least that many results. */
  readonly clicksByRank: readonly number[];
  readonly pagesByRank: readonly number[];
  /** Share of pages on which each rank was examined (PBM: close to the curve; cascade/DBN: realised). */
  readonly examinedByRank: readonly number[];
  readonly bytes: Readonly<Record<string, number>>;
}

export interface SimulateStats extends StageStats {
  readonly detail: SimulateDetail;
}
