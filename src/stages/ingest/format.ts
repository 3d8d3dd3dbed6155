import { extname } from 'node:path';
import { usageError } from '../../errors.js';

export type FileFormat = 'jsonl' | 'csv' | 'parquet';

/** Pick a file's format: the configured one, or from the extension when it is 'auto'. */
export function detectFormat(path: string, configured: 'auto' | FileFormat = 'auto'): FileFormat {
  if (configured !== 'auto') return configured;
  const ext = extname(path.replace(/\.(gz|zst)$/i, '')).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw usageError('unknown_format', `cannot tell the format of ${path} from its extension "${ext}": use .jsonl, .csv or .parquet, or set input.format`, { stage: 'ingest' });
}
