import { stat } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, queryRows, sqlString } from '../../db/duckdb.js';
import { inputError } from '../../errors.js';
import { stageCsv } from './csv.js';
import { detectFormat, type FileFormat } from './format.js';
import { prescanTextFile, RAW_MAX } from './prescan.js';

/**
 * A source adapter turns one input file into rows of a staging table:
 *   (fidx INTEGER, file VARCHAR, line BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_detail VARCHAR)
 * where `raw` is the row as a JSON object text when `pre_reason` is NULL (JSONL: the line itself;
 * CSV and Parquet: the row converted with to_json, all CSV cells being strings), else the raw text
 * to show in quarantine. `line` is the 1-based file line (JSONL, CSV: the line a row starts on)
 * or row (Parquet). Reasons found here: blank_line, invalid_utf8, row_too_long, malformed_json,
 * wrong_columns, malformed_csv.
 */
export const STAGING_COLUMNS = 'fidx INTEGER, file VARCHAR, line BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_detail VARCHAR';

export interface StagedFile {
  readonly file: string;
  readonly format: FileFormat;
  /** Rows read, blank lines included (CSV: the header excluded, a row spanning lines counted once). */
  readonly rows: number;
  readonly empty: boolean;
  /** The file's column names when cheap to know (CSV header, Parquet schema, keys of the first JSONL object). */
  readonly columns?: readonly string[];
  /** CSV: rows with a quoted cell spanning lines, and the first lines of up to 5 of them. */
  readonly multiline?: { readonly rows: number; readonly lines: readonly number[] };
}

export interface StageFileOptions {
  readonly format: 'auto' | FileFormat;
  /** Makes a temp file path for cleaned copies (removed by the caller). */
  readonly tmpPath: () => string;
  readonly tempFiles: string[];
  /** Text rows (JSONL lines, CSV rows) longer than this many bytes are quarantined as row_too_long. */
  readonly maxRowBytes: number;
  /**
   * Parquet only: do not copy the rows into the staging table (no to_json round trip); the caller
   * reads the typed columns itself with `read_parquet` (see `parquetColumns`). Rows are counted
   * from the file's metadata.
   */
  readonly typedParquet?: boolean;
}

/** Column name -> DuckDB type name of a Parquet file, in file order. */
export async function parquetColumns(conn: DuckDBConnection, path: string): Promise<Map<string, string>> {
  const rows = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`).catch((cause: unknown) => {
    throw inputError('input_unreadable', `cannot read Parquet file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
  });
  return new Map(rows.map((r) => [r.column_name, r.column_type]));
}

export async function stageFile(conn: DuckDBConnection, table: string, fidx: number, path: string, opts: StageFileOptions): Promise<StagedFile> {
  const format = detectFormat(path, opts.format);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw inputError('input_missing', `cannot read input file ${path}: ${(cause as Error).message}. Check the path in the input section of your config.`, { stage: 'ingest', cause });
  }
  const f = sqlString(path);
  const count = () => queryNumber(conn, `SELECT count(*) FROM ${table} WHERE fidx = ${fidx}`);
  if (size === 0) return { file: path, format, rows: 0, empty: true };

  if (format === 'parquet' && opts.typedParquet) {
    const rows = await queryNumber(conn, `SELECT count(*) FROM read_parquet(${f})`).catch((cause: unknown) => {
      throw inputError('input_unreadable', `cannot read Parquet file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
    });
    return { file: path, format, rows, empty: rows === 0, columns: [...(await parquetColumns(conn, path)).keys()] };
  }
  if (format === 'parquet') {
    await conn.run(`INSERT INTO ${table} SELECT ${fidx}, ${f}, __cf_rn + 1, to_json(t)::VARCHAR, NULL, NULL
      FROM (SELECT file_row_number AS __cf_rn, * EXCLUDE (file_row_number) FROM read_parquet(${f}, file_row_number = true)) t`).catch((cause: unknown) => {
      throw inputError('input_unreadable', `cannot read Parquet file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
    });
    const rows = await count();
    return { file: path, format, rows, empty: rows === 0, columns: [...(await parquetColumns(conn, path)).keys()] };
  }

  const scan = await prescanTextFile(path, { jsonl: format === 'jsonl', collectBlank: false, tmpPath: opts.tmpPath, maxRowBytes: opts.maxRowBytes });
  if (scan.cleanedPath) opts.tempFiles.push(scan.cleanedPath);
  const src = sqlString(scan.cleanedPath ?? path);

  if (format === 'csv') {
    const bad = new Map(scan.badLines.map((b) => [b.line, b]));
    const r = await stageCsv(conn, table, fidx, path, scan.cleanedPath ?? path, bad, { maxRowBytes: opts.maxRowBytes, rawMax: RAW_MAX, tmpPath: opts.tmpPath, tempFiles: opts.tempFiles, ...(/\.tsv$/i.test(path.replace(/\.(gz|zst)$/i, '')) ? { delimiter: '\t' } : {}) });
    return { file: path, format, rows: r.rows, empty: r.rows === 0, ...(r.columns ? { columns: r.columns } : {}), ...(r.multiline ? { multiline: { rows: r.multiline, lines: r.multilineAt } } : {}) };
  }

  await insertBadLines(conn, table, fidx, path, scan.badLines);
  const bad = new Set(scan.badLines.map((b) => b.line));

  if (format === 'jsonl') {
    const exclude = bad.size ? `WHERE line NOT IN (${[...bad].join(',')})` : '';
    await conn.run(`INSERT INTO ${table}
      SELECT ${fidx}, ${f}, line, raw,
        CASE WHEN raw IS NULL OR trim(raw) = '' THEN 'blank_line'
             WHEN NOT starts_with(ltrim(raw), '{') OR NOT json_valid(raw) THEN 'malformed_json' END,
        CASE WHEN raw IS NULL OR trim(raw) = '' THEN 'blank line (ignored)'
             WHEN NOT starts_with(ltrim(raw), '{') OR NOT json_valid(raw) THEN 'the line is not a valid JSON object: fix the JSON syntax (one object per line)' END
      FROM (SELECT row_number() OVER () AS line, raw
            FROM read_csv(${src}, columns = {'raw': 'VARCHAR'}, header = false, delim = E'\\x1F', quote = '', escape = '',
                          auto_detect = false, strict_mode = false, null_padding = true, max_line_size = ${Math.max(2_000_000, opts.maxRowBytes + 2)})) ${exclude}`).catch((cause: unknown) => {
      throw inputError('input_unreadable', `cannot read JSONL file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
    });
    const [first] = await queryRows<{ k: string[] | null }>(conn, `SELECT json_keys(raw) AS k FROM ${table} WHERE fidx = ${fidx} AND pre_reason IS NULL LIMIT 1`);
    return { file: path, format, rows: await count(), empty: false, ...(first?.k ? { columns: first.k } : {}) };
  }
  throw new Error(`unreachable: format ${format as string}`);
}

async function insertBadLines(conn: DuckDBConnection, table: string, fidx: number, path: string, bad: readonly { line: number; reason: string; detail: string; raw: string }[]): Promise<void> {
  for (let i = 0; i < bad.length; i += 500) {
    const vals = bad.slice(i, i + 500).map((b) => `(${fidx}, ${sqlString(path)}, ${b.line}, ${sqlString(b.raw)}, '${b.reason}', ${sqlString(b.detail)})`);
    await conn.run(`INSERT INTO ${table} VALUES ${vals.join(',')}`);
  }
}

export async function removeTempFiles(files: readonly string[]): Promise<void> {
  for (const f of files) await rm(f, { force: true });
}
