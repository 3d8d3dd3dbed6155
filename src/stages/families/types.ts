import type { FamilyOptions } from './options.js';

export interface FamilyQuery {
  readonly query: string;
  readonly count: number;
  readonly firstTs?: number;
}

export interface FamilyInput {
  readonly queries: readonly FamilyQuery[];
  readonly reformulations?: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly positives?: ReadonlyMap<string, readonly string[]>;
  /** Rule (e): unordered query pairs issued one after the other after an unsatisfied page, with the number of sessions. */
  readonly coSessions?: readonly { readonly a: string; readonly b: string; readonly sessions: number }[];
  /** Rules (e) and (f): clicks per query and document (weights, e.g. click counts). */
  readonly clicks?: readonly { readonly query: string; readonly doc_id: string; readonly clicks: number }[];
}

export interface Family {
  readonly kind: 'Family';
  /** 'f' + 16 hex digits: a 64-bit hash of the smallest member (independent of input order). */
  readonly id: string;
  /** Sorted members (queries as given). */
  readonly members: readonly string[];
  /** Sum of member counts. */
  readonly count: number;
  /** Earliest member firstTs; null when no member has one. */
  readonly firstTs: number | null;
}

export type FamilyLinkReason = 'coSession' | 'topPositive' | 'reformulation' | 'coClick' | 'refused' | 'abbreviation';

export interface FamilyLink {
  readonly a: string;
  readonly b: string;
  readonly reason: FamilyLinkReason;
}

/** A query's clicks as a sparse vector: document indices ascending, L1-normalised weights. */
export interface ClickVector {
  readonly docs: Int32Array;
  readonly w: Float64Array;
  readonly norm: number;
}

export interface ClickVectors {
  /** Per query index; undefined for a query without (enough) clicks. */
  readonly vecs: readonly (ClickVector | undefined)[];
  /** Distinct documents clicked (0 when the click signals are off or absent). */
  readonly docCount: number;
}

/** What every rule reads: the queries in canonical order and the signals, prepared once by the core. */
export interface FamilyRuleInput {
  /** Distinct queries, sorted: a query's index here is its id in every merge and link. */
  readonly queries: readonly string[];
  /** Index of a query, or of the first query with the same normalizeQuery form; undefined when unknown. */
  lookup(query: string): number | undefined;
  /** Distinct family keys, in the order of their first query. */
  readonly keys: readonly string[];
  /** Key id of each query. */
  readonly keyIdOf: Int32Array;
  /** First (smallest) query of each key. */
  readonly keyRep: Int32Array;
  readonly reformulations?: FamilyInput['reformulations'];
  readonly positives?: FamilyInput['positives'];
  readonly coSessions?: FamilyInput['coSessions'];
  /** Click vectors of rules (e) and (f), built on the first call (see FamilyRule.needs). */
  clickVectors(): ClickVectors;
}

/**
 * A rule's view of the run: its input and options, the current families (rules run in registry
 * order and see the merges of the rules before them) and where it puts what it finds.
 */
export interface FamilyRuleContext {
  readonly input: FamilyRuleInput;
  readonly options: FamilyOptions;
  /** Root (a query index) of the family a query is in now. */
  familyOf(query: number): number;
  /** Joins the families of two queries unless the size cap refuses (then a weak link 'refused'); true when joined. Merge rules only. */
  merge(a: number, b: number): boolean;
  /** Evidence too weak to merge: reported in FamilyResult.links if the two queries end in different families. */
  link(a: number, b: number, reason: FamilyLinkReason): void;
  /** Counts a dropped edge, pair or signal under a reason of the stage stats. */
  drop(reason: string, n?: number): void;
  note(text: string): void;
}

/** One way of finding queries that express the same need (src/stages/families/rules/). */
export interface FamilyRule {
  /** 'merge': joins families (counted in FamilyResult.merges and .refused) and may leave weak links; 'link': weak links only. */
  readonly kind: 'merge' | 'link';
  /** Key of its time in FamilyResult.seconds. */
  readonly lap: string;
  /** Merges are never refused by maxFamilySize (equal keys are one intent by construction). */
  readonly uncapped?: boolean;
  /**
   * Shared signals the core builds when this rule's turn comes, enabled or not, so that their
   * drops always take the same place in the stats.
   */
  readonly needs?: readonly 'clickVectors'[];
  /** Whether the options turn the rule on; an enabled rule without its signals proposes nothing. */
  enabled(options: FamilyOptions): boolean;
  run(ctx: FamilyRuleContext): void;
}
