import { z } from 'zod';

const format = z.enum(['auto', 'jsonl', 'csv', 'parquet']).default('auto')
  .describe('File format. "auto" picks it from the extension (.jsonl/.ndjson/.json, .csv/.tsv, .parquet).');

/** A column mapping: canonical field name -> the user's column name. */
const columnMap = z.record(z.string(), z.string()).default({})
  .describe('Rename the user\'s columns: { canonical_name: "their_column" }.');

export const ingestOptions = z.object({
  serps: z.array(z.string()).default([])
    .describe('SERP-record files (one result page per row). Either serps or events is required.'),
  events: z.array(z.string()).default([])
    .describe('Flat event files (search / impression / click / conversion / session_end rows).'),
  corpus: z.string().optional().describe('Corpus file: doc_id, text, optional title, category, entity, published_at.'),
  labels: z.string().optional().describe('Labels file: query, doc_id, grade, optional source.'),
  synthetic: z.string().optional()
    .describe('Synthetic queries (the queries.jsonl that `clickforge synth` writes): each is a positive for its source document (docs/bootstrap.md). Unset by default: a build uses only the sources it is given.'),
  seeds: z.string().optional()
    .describe('Expert seeds in the labels format (query, doc_id, grade): grade > 0 rows are positives, grade 0 rows judged negatives (docs/bootstrap.md). Unset by default: a build uses only the sources it is given.'),
  format,
  columns: z.object({
    serps: columnMap,
    events: columnMap,
    corpus: columnMap,
    labels: columnMap,
  }).prefault({}),
  timestamps: z.enum(['auto', 'iso', 'epoch_s', 'epoch_ms']).default('auto')
    .describe('How timestamps are written. "auto" detects per file (ISO strings; numbers below 1e11 are seconds, else milliseconds) and reports what it found.'),
  maxRowBytes: z.number().int().min(1024).default(8 * 1024 * 1024)
    .describe('A JSONL line or CSV row longer than this many bytes is quarantined (row_too_long, with its beginning) and the run goes on. Default 8 MiB: a large document still passes, while a click-log row that long is a runaway field or a missing newline.'),
  maxDwellMs: z.number().int().positive().default(6 * 3600 * 1000)
    .describe('Dwell above this is absurd (a tab left open): the click is kept but its dwell becomes unknown. Default 6 h.'),
});
export type IngestOptions = z.infer<typeof ingestOptions>;

/** Whether the inputs hold a click log (SERP records or flat events); a build without one runs on bootstrap sources only. */
export const hasClickLog = (input: Pick<IngestOptions, 'serps' | 'events'>): boolean => input.serps.length > 0 || input.events.length > 0;
