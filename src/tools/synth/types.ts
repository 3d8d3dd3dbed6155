/**
 * Records and interfaces of `synth`: passages cut from documents, generated queries, generators
 * and filters. Generators and filters implement the interfaces here; synth.ts imports only these.
 */

/** Query styles. Real queries are short, messy, abbreviated and misspelt: the mix is the point. */
export const STYLES = ['keyword', 'question', 'error', 'synonym', 'acronym', 'novice', 'expert'] as const;
export type Style = (typeof STYLES)[number];

/** A chunk of a document; `passage_id` is `<doc_id>#<n>` (n from 0), so it maps back to its document. */
export interface Passage {
  readonly kind: 'Passage';
  readonly passage_id: string;
  readonly doc_id: string;
  /** Position of the passage in its document (0-based). */
  readonly n: number;
  readonly title?: string;
  readonly text: string;
  /** Character offsets of the passage in the document text. */
  readonly start: number;
  readonly end: number;
}

/** One query as a generator returns it. */
export interface Candidate {
  readonly text: string;
  readonly style: Style;
}

/** What a generator answers for one passage: its candidates, or why it has none. */
export interface GenerationResult {
  readonly candidates: readonly Candidate[];
  /** Styles asked for that yielded nothing, with the reason (e.g. no_error_string, unparsable). */
  readonly misses: readonly { readonly style: Style; readonly reason: string }[];
}

/** A generated query that went through noise and filters, with its provenance. */
export interface SynthQuery {
  readonly kind: 'SynthQuery';
  readonly query: string;
  readonly style: Style;
  readonly doc_id: string;
  readonly passage_id: string;
  readonly generator: string;
  /** Noise operations applied, in order (empty = the query as generated). */
  readonly noise: readonly string[];
  /** The query before noise (equal to `query` when noise is empty). */
  readonly clean: string;
  /** Importance weight toward the real style distribution (1 without real queries). */
  readonly weight: number;
}

/** The items of one generate call: a passage and the styles wanted for it. */
export interface GenerationRequest {
  readonly passage: Passage;
  readonly styles: readonly Style[];
}

/**
 * A query generator (offline templates, an LLM...). `generate` answers one result per request,
 * in order; it must be deterministic for a given seed (an LLM at temperature 0 with a seed and a
 * cache is as deterministic as the server). `close` releases caches and connections.
 */
export interface QueryGenerator {
  readonly name: string;
  /** Identifies the generator and its settings (model, prompts): recorded in the report. */
  readonly id: string;
  /** Passages sent per generate call (synth cuts the work into batches of this size). */
  readonly batchSize: number;
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]>;
  /** Counters the generator keeps (requests, cache hits, unparsable answers...). */
  stats(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** A query under filtering: the candidate after noise, with its passage. */
export interface FilterItem {
  readonly query: string;
  readonly clean: string;
  readonly style: Style;
  readonly noise: readonly string[];
  readonly passage: Passage;
  /** Index of the passage in the passage list (for retrieval filters). */
  readonly passageIndex: number;
}

/** What a filter removed, by reason, with a few examples per reason. */
export interface FilterOutcome {
  readonly keep: readonly boolean[];
  /** Reason of each removed item (aligned with keep; undefined where kept). */
  readonly reasons: readonly (string | undefined)[];
}

/** Everything a filter may read besides the items. */
export interface FilterContext {
  readonly passages: readonly Passage[];
}

/** A filter over generated queries. Pure and deterministic: same items, same outcome. */
export interface QueryFilter {
  readonly name: string;
  apply(items: readonly FilterItem[], ctx: FilterContext): FilterOutcome;
}
