import type { Doc, Evidence } from '../../types.js';
import type { Bm25Index } from '../../retrieval/bm25.js';
import type { Embedder } from '../../ports/index.js';
import type { MinerName } from './miners.js';
import type { NegativeOptions } from './options.js';

/** Which miner proposed a negative: a key of the miner registry (stages/negatives/miners.ts). */
/** A miner, or `judged`: a seed row of grade 0 (see stages/sources/judged-negatives.ts). */
export type NegativeSource = MinerName | 'judged';

/** One training example: a query, its graded positives and the mined, filtered negatives. */
export interface TrainingRecord {
  readonly kind: 'TrainingRecord';
  readonly query: string;
  readonly query_norm: string;
  /** Query family id (query_norm when no families were given). */
  readonly family: string;
  readonly positives: readonly {
    readonly doc_id: string;
    readonly text: string;
    readonly grade: number;
    readonly weight: number;
    /** Relevance score under the record scorer (see docs/stages/negatives.md). */
    readonly score?: number;
  }[];
  readonly negatives: readonly {
    readonly doc_id: string;
    readonly text: string;
    readonly source: NegativeSource;
    /** Relevance score under the same scorer as the positives' `score`, so margins compare. */
    readonly score?: number;
    /** 1-based rank in the miner's own list (BM25/dense: among non-positive documents). */
    readonly rank?: number;
    /** True when the record was short of hard negatives and this random one topped it up (negatives.fill). */
    readonly filled?: boolean;
  }[];
}

/** What kind of behavioural evidence a behavioural candidate has. */
export type Behaviour = 'skip_above' | 'unclicked';

/** A negative candidate proposed by a miner (before the false-negative filters). */
export interface NegativeCandidate {
  /** Index into the corpus (`MiningContext.docs`). */
  readonly doc: number;
  readonly source: NegativeSource;
  readonly rank: number;
  /** The miner's own score (BM25, cosine, skip count, exposure); not comparable across miners. */
  readonly minerScore?: number;
  readonly behaviour?: Behaviour;
}

/** The query a miner works on, with the corpus indices of its positives (to exclude). */
export interface MineQuery {
  readonly query: string;
  readonly query_norm: string;
  readonly exclude: ReadonlySet<number>;
}

/** Shared, lazily built resources for miners and filters. Built once per `mineNegatives` call. */
export interface MiningContext {
  readonly docs: readonly Doc[];
  readonly docIndex: ReadonlyMap<string, number>;
  readonly seed: number;
  readonly evidenceByQuery: ReadonlyMap<string, readonly Evidence[]>;
  /** Expected examinations per `query_norm \t doc_id` (optional; see behavioural miner and `loadExpectedExaminations`). */
  readonly expectedExaminations?: ReadonlyMap<string, number>;
  readonly embedder?: Embedder;
  bm25(): Bm25Index;
  /** Unit-length document vectors, docs.length x embedder.dim (throws without an embedder). */
  docVectors(): Promise<Float32Array>;
  /** Unit-length query vector (cached by query text). */
  queryVector(query: string): Promise<Float32Array>;
  /** Unit-length vectors of several queries, queries.length x embedder.dim; the ones not cached are embedded in batches. */
  queryVectors(queries: readonly string[]): Promise<Float32Array>;
}

/** A miner proposes candidates per query. Implementations: random, bm25, behavioural, dense. */
export interface NegativeMiner {
  readonly source: NegativeSource;
  /** Candidates for each query, in the miner's preference order, never a doc in `exclude`. */
  mine(queries: readonly MineQuery[], ctx: MiningContext): Promise<NegativeCandidate[][]>;
  /** Notes for the stage stats (e.g. the recall of an approximate search). */
  notes?(): string[];
  /** Candidates it could not propose, by unit-prefixed reason (added to negatives/mine's drops). */
  dropped?(): Record<string, number>;
  /** Releases what the miner built (an approximate index's worker threads). */
  close?(): Promise<void>;
}

/** What a miner factory gets: the validated options and the inputs of the `mineNegatives` call it needs. */
export interface MinerSetup {
  readonly options: NegativeOptions;
  readonly embedder?: Embedder;
  /** See `MineNegativesInput.weightedSkips`. */
  readonly weightedSkips?: ReadonlyMap<string, number>;
  /** See `MineNegativesInput.clickLog`. */
  readonly clickLog?: boolean;
}

/** Builds one miner, or says why it cannot run (the note goes to the stage stats and the miner is left out). */
export type MinerFactory = (setup: MinerSetup) => NegativeMiner | { readonly skipped: string };
