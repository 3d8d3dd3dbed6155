/**
 * The relations ingest writes (CANONICAL_DDL, EXTRA_DDL, impression_features, serp_randomized):
 * the inputs of every event-level stage.
 */
import { relation, type Namespace, type Relation } from '../../db/relation.js';

export const SERPS_COLUMNS = ['serp_id', 'session_id', 'user_id', 'ts', 'query', 'session_success', 'src_file', 'src_line'] as const;
export const IMPRESSIONS_COLUMNS = ['serp_id', 'doc_id', 'rank'] as const;
export const CLICKS_COLUMNS = ['click_id', 'serp_id', 'doc_id', 'rank', 'ts', 'dwell_ms', 'src_file', 'src_line'] as const;
export const CONVERSIONS_COLUMNS = ['serp_id', 'session_id', 'user_id', 'doc_id', 'ts', 'kind', 'value', 'src_file', 'src_line'] as const;
export const SESSION_ENDS_COLUMNS = ['session_id', 'user_id', 'ts', 'success', 'src_file', 'src_line'] as const;
export const CORPUS_COLUMNS = ['doc_id', 'text', 'title', 'category', 'entity', 'published_at', 'extra', 'src_file', 'src_line'] as const;
export const LABELS_COLUMNS = ['query', 'doc_id', 'grade', 'source', 'src_file', 'src_line'] as const;
export const QUARANTINE_COLUMNS = ['stage', 'input', 'file', 'line', 'reason', 'detail', 'raw'] as const;
export const IMPRESSION_FEATURES_COLUMNS = ['serp_id', 'rank', 'feature', 'value'] as const;
export const RANDOMIZED_COLUMNS = ['serp_id'] as const;

export type Serps = Relation<(typeof SERPS_COLUMNS)[number]>;
export type Impressions = Relation<(typeof IMPRESSIONS_COLUMNS)[number]>;
export type Clicks = Relation<(typeof CLICKS_COLUMNS)[number]>;
export type Conversions = Relation<(typeof CONVERSIONS_COLUMNS)[number]>;
export type SessionEnds = Relation<(typeof SESSION_ENDS_COLUMNS)[number]>;
export type Corpus = Relation<(typeof CORPUS_COLUMNS)[number]>;
export type Labels = Relation<(typeof LABELS_COLUMNS)[number]>;
export type Quarantine = Relation<(typeof QUARANTINE_COLUMNS)[number]>;
export type ImpressionFeatures = Relation<(typeof IMPRESSION_FEATURES_COLUMNS)[number]>;
export type RandomizedPages = Relation<(typeof RANDOMIZED_COLUMNS)[number]>;

/** The click log as ingest leaves it. `conversions` and `session_ends` must be tables (the sessions stage numbers their rows by rowid). */
export interface LogRelations {
  readonly serps: Serps;
  readonly impressions: Impressions;
  readonly clicks: Clicks;
  readonly conversions: Conversions;
  readonly sessionEnds: SessionEnds;
}

/** Everything ingest writes. */
export interface IngestRelations extends LogRelations {
  readonly corpus: Corpus;
  readonly labels: Labels;
  readonly quarantine: Quarantine;
  readonly impressionFeatures: ImpressionFeatures;
  /** Pages marked `randomized` (SERP records only; null for an events-only ingest). */
  readonly randomized: RandomizedPages | null;
}

/** The handles of the click-log tables in namespace `ns` (ingest's names). */
export function logRelations(ns?: Namespace): LogRelations {
  return {
    serps: relation('serps', SERPS_COLUMNS, ns),
    impressions: relation('impressions', IMPRESSIONS_COLUMNS, ns),
    clicks: relation('clicks', CLICKS_COLUMNS, ns),
    conversions: relation('conversions', CONVERSIONS_COLUMNS, ns),
    sessionEnds: relation('session_ends', SESSION_ENDS_COLUMNS, ns),
  };
}

/** The handles of every table ingest writes in namespace `ns`; `randomized` when SERP records were loaded. */
export function ingestRelations(ns?: Namespace, opts: { readonly randomized?: boolean } = {}): IngestRelations {
  return {
    ...logRelations(ns),
    corpus: relation('corpus', CORPUS_COLUMNS, ns),
    labels: relation('labels', LABELS_COLUMNS, ns),
    quarantine: relation('quarantine', QUARANTINE_COLUMNS, ns),
    impressionFeatures: relation('impression_features', IMPRESSION_FEATURES_COLUMNS, ns),
    randomized: opts.randomized ? relation('serp_randomized', RANDOMIZED_COLUMNS, ns) : null,
  };
}
