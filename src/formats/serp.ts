import { z } from 'zod';

/** A timestamp: ISO 8601 string (a zone is honoured, naive = UTC) or epoch seconds (< 1e11) / milliseconds. */
export const timestamp = z.union([z.string(), z.number()])
  .describe('ISO 8601 string (with Z or an offset; naive times are UTC) or epoch seconds / milliseconds (numbers below 1e11 are seconds; NaN and Infinity are not numbers). See input.timestamps. A click-log time before 1990-01-01 or from 2100-01-01 on is quarantined (timestamp_out_of_range).');

const id = z.union([z.string().min(1), z.number().int()]);

export const serpClick = z.object({
  doc_id: id.describe('The clicked document; must be one of the results.'),
  ts: timestamp.optional(),
  dwell_ms: z.number().nonnegative().optional().describe('Time on the document in ms (a finite number). Negative or not finite: quarantined; above maxDwellMs: kept, dwell unknown.'),
  rank: z.number().int().min(1).optional().describe('1-based; when it disagrees with results, the results win (counted).'),
});

export const serpConversion = z.object({
  doc_id: id,
  ts: timestamp.optional(),
  kind: z.string().min(1).describe('e.g. "purchase", "add_to_cart", "signup".'),
  value: z.number().optional(),
});

/** Presentation features of one shown result: feature -> boolean | string | number (null = unknown). */
export const presentationItem = z.record(z.string().min(1), z.union([z.boolean(), z.string(), z.number(), z.null()]))
  .describe('Presentation of one shown result, e.g. {"thumbnail": true, "badge": "new", "bold": false}. Booleans are features; a string or number value v of feature f is reported as the feature "f=v".');

/** One result page per row. In CSV, results/clicks/conversions are JSON text in the cell (results may also be d1|d2|d3). */
export const serpRecord = z.object({
  serp_id: id.describe('Unique id of the result page.'),
  session_id: z.string().optional(),
  user_id: z.string().optional(),
  ts: timestamp,
  query: z.string(),
  results: z.array(z.string()).describe('Shown doc ids in rank order (rank 1 first).'),
  clicks: z.array(serpClick).optional(),
  conversions: z.array(serpConversion).optional(),
  session_success: z.boolean().optional().describe('Whether the session ended in success, when known.'),
  presentation: z.array(z.union([presentationItem, z.null()])).optional()
    .describe('How each result was shown, aligned with results (item i = rank i; null or a shorter list = unknown). Ingested into impression_features; the report compares click-through with and without each feature at equal rank. A bad item is quarantined alone (the record is kept).'),
  randomized: z.boolean().optional()
    .describe('true when this page showed its results in random order (a shuffling experiment, e.g. RandTop-k). Such pages estimate position bias without a click model (bias.estimator randomized/auto).'),
}).describe('SERP record: one search result page with its clicks and conversions.');
