/**
 * The event level's output folder (schema `clickforge.event-level/1`): what crosses from the
 * event level (ingest, sessions, click outcomes, evidence counts, position-bias counts; DuckDB or
 * Spark) to the text level (`build --evidence DIR`). One Parquet file per relation, plus
 * counts.json (the event level's accounting) and manifest.json (schema version and the options
 * that shaped the folder). See docs/event-level.md; the choice of relations is
 * docs/design/event-level-boundary.md.
 */
import { CLICKS_COLUMNS, CONVERSIONS_COLUMNS, IMPRESSIONS_COLUMNS, IMPRESSION_FEATURES_COLUMNS, QUARANTINE_COLUMNS, SERPS_COLUMNS, SESSION_ENDS_COLUMNS } from '../ingest/relations.js';
import { REFORMULATIONS_COLUMNS, SERP_FACTS_COLUMNS, SESSION_CLICKS_COLUMNS } from '../sessions/sessions.js';
import { CLICK_FACTS_COLUMNS, EVIDENCE_COLUMNS } from '../evidence/evidence.js';
import { BIAS_COUNTS_COLUMNS } from '../bias/from-duckdb.js';

export const EVENT_LEVEL_SCHEMA = 'clickforge.event-level/1';

/** How a relation's row count grows: with the raw log (one row per page, impression or click) or with the distinct pairs / queries. */
export type RelationSize = 'raw' | 'aggregate';

/** The column types of the files (DuckDB names; Spark: VARCHAR = string, BIGINT = long, INTEGER = int, VARCHAR[] = array<string>). */
export type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR[]';

/** A stored column's type, or how the loader derives a column the file need not hold (SQL over the file's row `f` and the tables loaded before it). */
export type ColumnSpec = ColumnType | { readonly sql: string; readonly why: string };

export interface EventLevelFile {
  /** The file in the folder. */
  readonly file: string;
  /** The DuckDB table `build --evidence` loads it into (the name the text level's readers use). */
  readonly table: string;
  /** The table's columns in order: a type (the file holds the column; it is cast to the type on load) or an expression the loader computes (the file need not hold it). */
  readonly columns: readonly (readonly [name: string, spec: ColumnSpec])[];
  readonly size: RelationSize;
  /** Which event-level step writes it. */
  readonly producer: 'ingest' | 'sessions' | 'evidence' | 'bias';
}

type Types<C extends string> = Readonly<Record<C, ColumnSpec>>;

function file<C extends string>(table: string, order: readonly C[], types: Types<C>, size: RelationSize, producer: EventLevelFile['producer']): EventLevelFile {
  return { file: `${table}.parquet`, table, columns: order.map((c): readonly [string, ColumnSpec] => [c, types[c]]), size, producer };
}

const B = 'BIGINT', V = 'VARCHAR', I = 'INTEGER', D = 'DOUBLE', L = 'BOOLEAN';

/** Every relation of the folder, in the order the text level loads them (a derived column reads only relations before it). */
export const EVENT_LEVEL_FILES: readonly EventLevelFile[] = [
  file('serps', SERPS_COLUMNS, { serp_id: V, session_id: V, user_id: V, ts: B, query: V, session_success: L, src_file: V, src_line: B }, 'raw', 'ingest'),
  file('impressions', IMPRESSIONS_COLUMNS, { serp_id: V, doc_id: V, rank: I }, 'raw', 'ingest'),
  file('clicks', CLICKS_COLUMNS, { click_id: B, serp_id: V, doc_id: V, rank: I, ts: B, dwell_ms: B, src_file: V, src_line: B }, 'raw', 'ingest'),
  file('conversions', CONVERSIONS_COLUMNS, { serp_id: V, session_id: V, user_id: V, doc_id: V, ts: B, kind: V, value: D, src_file: V, src_line: B }, 'raw', 'ingest'),
  file('session_ends', SESSION_ENDS_COLUMNS, { session_id: V, user_id: V, ts: B, success: L, src_file: V, src_line: B }, 'raw', 'ingest'),
  file('impression_features', IMPRESSION_FEATURES_COLUMNS, { serp_id: V, rank: I, feature: V, value: V }, 'raw', 'ingest'),
  file('quarantine', QUARANTINE_COLUMNS, { stage: V, input: V, file: V, line: B, reason: V, detail: V, raw: V }, 'raw', 'ingest'),
  file('serp_facts', SERP_FACTS_COLUMNS, {
    serp_id: V, session_key: V, session_source: V, session_id: V, user_id: V, ts: B, query: V, query_norm: V,
    session_seq: B, next_serp_ts: B, next_query_norm: V, reformulated: L, session_success: L,
  }, 'raw', 'sessions'),
  file('session_clicks', SESSION_CLICKS_COLUMNS, {
    click_id: B, serp_id: V, session_key: V, user_id: V, doc_id: V, rank: I, ts: B, dwell_ms: B, dwell_source: V,
    dwell_capped: L, next_event_ts: B, next_same_serp_ts: B, pogo_return: L, is_last_click: L, session_success: L,
  }, 'raw', 'sessions'),
  file('reformulations', REFORMULATIONS_COLUMNS, { query_norm_from: V, query_norm_to: V, count: B }, 'aggregate', 'sessions'),
  file('click_facts', CLICK_FACTS_COLUMNS, {
    click_id: B, serp_id: V, session_key: V, user_id: V, query: V, query_norm: V, doc_id: V, rank: I, ts: B, dwell_ms: B,
    dwell_source: V, satisfied: L, converted: L, success_last: L, short_dwell: L, medium_dwell: L, pogo: L, unknown_dwell: L, outcome: V, kept: L,
  }, 'raw', 'evidence'),
  file('evidence', EVIDENCE_COLUMNS, {
    query_norm: V, query: V, doc_id: V, impressions: B, clicks: B, satisfied: B, converted: B, success_last: B, short_dwell: B,
    pogo: B, unknown_dwell: B, skip_above: B, serps: B, users: B, first_ts: B, last_ts: B, grade: I,
    weight: {
      sql: `CASE WHEN f.grade > 0 THEN log2(1 + coalesce((SELECT count(*) FILTER (WHERE k.kept) FROM click_facts k WHERE k.query_norm = f.query_norm AND k.doc_id = f.doc_id), 0)) ELSE 0 END::DOUBLE`,
      why: 'log2(1 + kept clicks of the pair) from click_facts: a float computed by the text level, so no engine\'s log2 decides its last bits',
    },
    signals: 'VARCHAR[]',
  }, 'aggregate', 'evidence'),
  file('bias_counts', BIAS_COUNTS_COLUMNS, { query: V, doc_id: V, rank0: I, fold: I, n: B, k: B }, 'aggregate', 'bias'),
];

/** The columns a file holds (the derived ones are computed on load). */
export function storedColumns(f: EventLevelFile): { readonly name: string; readonly type: ColumnType }[] {
  return f.columns.flatMap(([name, t]) => (typeof t === 'string' ? [{ name, type: t }] : []));
}

export const COUNTS_FILE = 'counts.json';
export const MANIFEST_FILE = 'manifest.json';
