import { beir } from './beir.js';
import { clickforgeFormat } from './clickforge.js';
import { flagembedding } from './flagembedding.js';
import { marginMseFormat } from './margin-mse.js';
import { sentenceTransformers } from './sentence-transformers.js';
import { tevatronFormat } from './tevatron.js';
import type { FormatWriter } from './types.js';

/**
 * Every export format, by the name `export.formats` uses; the option enum and its default (all of
 * them, in this order) derive from these keys. A new format is one file in this folder (its row
 * function and a `FormatWriter`), one entry here and the schema of its rows in ../schemas.ts.
 */
export const exportFormatWriters = {
  clickforge: clickforgeFormat,
  'sentence-transformers': sentenceTransformers,
  flagembedding,
  tevatron: tevatronFormat,
  beir,
  'margin-mse': marginMseFormat,
} satisfies Record<string, FormatWriter>;

export type ExportFormat = keyof typeof exportFormatWriters;

/** The registry's keys, in order (the `export.formats` enum). */
export const exportFormatNames = Object.keys(exportFormatWriters) as [ExportFormat, ...ExportFormat[]];

export { sentenceTransformersPairs, sentenceTransformersTuples } from './sentence-transformers.js';
export { flagEmbedding } from './flagembedding.js';
export { marginMse } from './margin-mse.js';
export { tevatron } from './tevatron.js';
export { clickforge } from './clickforge.js';
export { hasNegatives, type FormatContext, type FormatWriter, type Row, type SplitRecords, type Teacher } from './types.js';
