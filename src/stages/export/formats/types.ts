import type { Doc } from '../../../types.js';
import type { TrainingRecord } from '../../negatives/types.js';
import type { Split } from '../export.js';

/**
 * One internal record, several public layouts. Each format maps a TrainingRecord to the rows of
 * its files; none of them reads anything else, so the formats cannot disagree. Every layout has
 * one fixed schema (docs/stages/export.md, docs/schemas/export): no ragged columns, no null cells,
 * no empty negative lists. A record with fewer than `k` negatives has no n-tuple, FlagEmbedding or
 * Tevatron row (the caller counts it); `negatives.fill` tops records up so that this is rare.
 */
export type Row = Record<string, unknown>;

/** Teacher scores on one scale, or none (see `ExportInput.scorer`). */
export type Teacher = { readonly name: string } | null;

type FileFormat = 'jsonl' | 'parquet';

/** A record has rows in the fixed-width formats when it has at least k negatives. */
export const hasNegatives = (r: TrainingRecord, k: number): boolean => r.negatives.length >= k && k > 0;

/** The rows of every record, in record order. */
export function* rowsOf(recs: readonly TrainingRecord[], rows: (r: TrainingRecord) => Row[]): Generator<Row> {
  for (const r of recs) yield* rows(r);
}

/** What a format writes with: the export's settings, its records, and writers that count what they write. */
export interface FormatContext {
  /** Negatives per row in the fixed-width formats (export.negatives). */
  readonly k: number;
  /** The query instruction (prompts.query), or ''. */
  readonly queryPrompt: string;
  readonly teacher: Teacher;
  readonly docs: readonly Doc[];
  /** Every split's records (positives below export.minGrade left out). */
  readonly bySplit: Readonly<Record<Split, readonly TrainingRecord[]>>;
  /** Stable query id: position in the sorted list of distinct normalised queries (q1, q2, ...). */
  queryId(queryNorm: string): string;
  /** Title ('' when none) and body of a corpus document. */
  docOf(docId: string): { title: string; text: string } | undefined;
  /** Write `rows` to `rel` (a .jsonl path: JSONL and/or Parquet as export.fileFormats, or `fileFormats`, says); no rows: omitted with `whyEmpty`. */
  write(rel: string, rows: Iterable<Row>, whyEmpty: string, fileFormats?: readonly FileFormat[]): Promise<void>;
  /** Write tab-separated qrels (query id, doc id, grade) to `rel`; no rows: omitted with `whyEmpty`. */
  writeQrels(rel: string, rows: Iterable<readonly [string, string, string]>, whyEmpty: string): Promise<void>;
}

/** One training split's records, as the per-split files read them. */
export interface SplitRecords {
  readonly split: 'train' | 'dev';
  readonly records: readonly TrainingRecord[];
  /** The records with k negatives: the only ones with rows in the fixed-width formats. */
  readonly full: readonly TrainingRecord[];
  /** Why a file of every record of the split would be empty. */
  readonly noRecords: string;
  /** Why a file of the records with k negatives would be empty. */
  readonly noFull: string;
}

/** One export format: its files per training split, and/or files over the whole dataset (written after every split). */
export interface FormatWriter {
  writeSplit?(ctx: FormatContext, s: SplitRecords): Promise<void>;
  writeDataset?(ctx: FormatContext): Promise<void>;
}
