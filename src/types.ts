/**
 * Core records and the canonical event-level tables.
 *
 * Event-level data lives in DuckDB (see CANONICAL_DDL); everything from the (query, document)
 * aggregation on is small and handled in TypeScript with the readonly records below.
 */

/** Where a row came from: the file and the 1-based line (JSONL/CSV) or row (Parquet). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** A row that was rejected, with its location and the reason. Written to quarantine.jsonl. */
export interface QuarantineRow {
  readonly kind: 'Quarantine';
  readonly stage: string;
  readonly input: 'serps' | 'events' | 'corpus' | 'labels' | 'synthetic' | 'seeds' | 'faq' | 'macros' | 'pinned' | 'collections';
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly detail: string;
  /** The raw row (truncated to 2,000 characters), so a user can fix it. */
  readonly raw: string;
}

/** Counts a stage saw, produced and dropped, with every drop reason. The report is built from these. */
export interface StageStats {
  readonly stage: string;
  readonly in: Readonly<Record<string, number>>;
  readonly out: Readonly<Record<string, number>>;
  /** reason -> count. */
  readonly dropped: Readonly<Record<string, number>>;
  readonly notes?: readonly string[];
  readonly seconds?: number;
}

export interface Doc {
  readonly kind: 'Doc';
  readonly doc_id: string;
  readonly text: string;
  readonly title?: string;
  readonly category?: string;
  readonly entity?: string;
  /** Epoch milliseconds. */
  readonly published_at?: number;
  /** Any other fields of the corpus row, kept as they were. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface Label {
  readonly kind: 'Label';
  readonly query: string;
  readonly doc_id: string;
  readonly grade: number;
  readonly source?: string;
}

/** Signal counts for one (normalised query, document) pair. One row of evidence.parquet. */
export interface Evidence {
  readonly kind: 'Evidence';
  readonly query_norm: string;
  /** The most frequent raw form of the query (used as the training text). */
  readonly query: string;
  readonly doc_id: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly satisfied: number;
  readonly converted: number;
  readonly success_last: number;
  readonly short_dwell: number;
  readonly pogo: number;
  readonly unknown_dwell: number;
  /** Times this doc was shown above a clicked result and not clicked. */
  readonly skip_above: number;
  readonly serps: number;
  readonly users: number;
  readonly first_ts: number | null;
  readonly last_ts: number | null;
  /** 0..3, see docs/stages/evidence.md. */
  readonly grade: number;
  readonly weight: number;
  /** Signals that support the grade, e.g. ['converted', 'satisfied']. */
  readonly signals: readonly string[];
  /** With bootstrap sources only: what supports the pair, e.g. ['clicks', 'synthetic:offline:keyword', 'seed']. */
  readonly sources?: readonly string[];
}

/** A graded positive pair with the document text joined in. One line of positives.jsonl. */
export interface PositivePair {
  readonly kind: 'PositivePair';
  readonly query: string;
  readonly query_norm: string;
  readonly doc_id: string;
  readonly positive: string;
  readonly grade: number;
  readonly weight: number;
  readonly evidence: {
    readonly signals: readonly string[];
    readonly clicks: number;
    readonly satisfied: number;
    readonly converted: number;
    readonly serps: number;
    readonly users: number;
    readonly impressions: number;
    /** With bootstrap sources only: what supports the pair (see Evidence.sources). */
    readonly sources?: readonly string[];
  };
}

/** All graded positives of one query. One line of positives.multi.jsonl. */
export interface MultiPositive {
  readonly kind: 'MultiPositive';
  readonly query: string;
  readonly query_norm: string;
  readonly positives: readonly { readonly doc_id: string; readonly text: string; readonly grade: number; readonly weight: number }[];
}

/**
 * Canonical event-level tables that ingest produces and the later SQL stages read.
 * Timestamps are BIGINT epoch milliseconds. Ranks are 1-based. `src_file`/`src_line` locate the
 * input row. Ingest guarantees: no NULL in NOT NULL columns, ranks >= 1, one row per
 * (serp_id, rank) in impressions, and every click/conversion row references an existing serp
 * (or is quarantined).
 */
export const CANONICAL_DDL = `
CREATE TABLE serps (
  serp_id VARCHAR NOT NULL PRIMARY KEY,
  session_id VARCHAR,          -- as given in the input, NULL when absent
  user_id VARCHAR,
  ts BIGINT NOT NULL,
  query VARCHAR NOT NULL,
  session_success BOOLEAN,     -- as given (SERP records) or from a session_end event; NULL = unknown
  src_file VARCHAR NOT NULL,
  src_line BIGINT NOT NULL
);
CREATE TABLE impressions (
  serp_id VARCHAR NOT NULL,
  doc_id VARCHAR NOT NULL,
  rank INTEGER NOT NULL
);
CREATE TABLE clicks (
  click_id BIGINT NOT NULL,    -- unique, assigned by ingest in input order
  serp_id VARCHAR NOT NULL,
  doc_id VARCHAR NOT NULL,
  rank INTEGER NOT NULL,       -- rank of doc_id on that serp (filled from impressions)
  ts BIGINT,                   -- NULL when unknown
  dwell_ms BIGINT,             -- as given; NULL when absent (then derived by the sessions stage)
  src_file VARCHAR NOT NULL,
  src_line BIGINT NOT NULL
);
CREATE TABLE conversions (
  serp_id VARCHAR,             -- NULL when the input did not say; sessions stage links it
  session_id VARCHAR,
  user_id VARCHAR,
  doc_id VARCHAR NOT NULL,
  ts BIGINT,
  kind VARCHAR NOT NULL,
  value DOUBLE,
  src_file VARCHAR NOT NULL,
  src_line BIGINT NOT NULL
);
CREATE TABLE session_ends (
  session_id VARCHAR,
  user_id VARCHAR,
  ts BIGINT NOT NULL,
  success BOOLEAN,
  src_file VARCHAR NOT NULL,
  src_line BIGINT NOT NULL
);
`;
