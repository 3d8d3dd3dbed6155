import { stat } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, queryRows, sqlString } from '../../db/duckdb.js';
import { inputError } from '../../errors.js';
import { detectFormat, type FileFormat } from './format.js';
import { prescanTextFile, RAW_MAX } from './prescan.js';

/**
 * A source adapter turns one input file into rows of a staging table:
 *   (fidx INTEGER, file VARCHAR, line BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_detail VARCHAR)
 * where `raw` is the row as a JSON object text when `pre_reason` is NULL (JSONL: the line itself;
 * CSV and Parquet: the row converted with to_json, all CSV cells being strings), else the raw text
 * to show in quarantine. `line` is the 1-based file line (JSONL, CSV) or row (Parquet).
 * Reasons found here: blank_line, invalid_utf8, malformed_json, wrong_columns, malformed_csv.
 */
export const STAGING_COLUMNS = 'fidx INTEGER, file VARCHAR, line BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_detail VARCHAR';

export interface StagedFile {
  readonly file: string;
  readonly format: FileFormat;
  /** Rows read, blank lines included (CSV: data lines, the header excluded). */
  readonly rows: number;
  readonly empty: boolean;
}

export interface StageFileOptions {
  readonly format: 'auto' | FileFormat;
  /** Makes a temp file path for cleaned copies (removed by the caller). */
  readonly tmpPath: () => string;
  readonly tempFiles: string[];
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
    return { file: path, format, rows, empty: rows === 0 };
  }
  if (format === 'parquet') {
    await conn.run(`INSERT INTO ${table} SELECT ${fidx}, ${f}, __cf_rn + 1, to_json(t)::VARCHAR, NULL, NULL
      FROM (SELECT file_row_number AS __cf_rn, * EXCLUDE (file_row_number) FROM read_parquet(${f}, file_row_number = true)) t`).catch((cause: unknown) => {
      throw inputError('input_unreadable', `cannot read Parquet file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
    });
    const rows = await count();
    return { file: path, format, rows, empty: rows === 0 };
  }

  const scan = await prescanTextFile(path, { jsonl: format === 'jsonl', collectBlank: format === 'csv', tmpPath: opts.tmpPath });
  if (scan.cleanedPath) opts.tempFiles.push(scan.cleanedPath);
  const src = sqlString(scan.cleanedPath ?? path);
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
                          auto_detect = false, strict_mode = false, null_padding = true)) ${exclude}`).catch((cause: unknown) => {
      throw inputError('input_unreadable', `cannot read JSONL file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
    });
    return { file: path, format, rows: await count(), empty: false };
  }

  // CSV: DuckDB parses; rejected rows come with their file line. Accepted rows are mapped to the
  // remaining lines in order (a quoted cell spanning lines breaks this mapping: documented).
  await conn.run(`DROP TABLE IF EXISTS _cf_rej; DROP TABLE IF EXISTS _cf_rejscan;`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_csv AS SELECT row_number() OVER () AS rn, to_json(t)::VARCHAR AS raw
      FROM read_csv(${src}, header = true, all_varchar = true, store_rejects = true, rejects_table = '_cf_rej', rejects_scan = '_cf_rejscan') t`).catch((cause: unknown) => {
    throw inputError('input_unreadable', `cannot read CSV file ${path}: ${(cause as Error).message}`, { stage: 'ingest', cause });
  });
  const blank = new Set(scan.blankLines);
  const rejects = await queryRows<{ line: number; error_type: string; csv_line: string; error_message: string }>(conn,
    `SELECT line, any_value(error_type ORDER BY column_idx) error_type, any_value(csv_line) csv_line, any_value(error_message ORDER BY column_idx) error_message FROM _cf_rej GROUP BY line ORDER BY line`);
  const ex = new Set<number>([1, ...blank, ...bad]);
  const rejRows: string[] = [];
  for (const r of rejects) {
    if (ex.has(r.line)) continue;
    ex.add(r.line);
    const wrongCols = r.error_type === 'TOO MANY COLUMNS' || r.error_type === 'MISSING COLUMNS';
    const reason = wrongCols ? 'wrong_columns' : 'malformed_csv';
    const detail = wrongCols ? `${r.error_message}: make every row have as many cells as the header (quote cells that contain the delimiter)` : `${r.error_message}: fix the CSV syntax of this row`;
    rejRows.push(`(${fidx}, ${f}, ${r.line}, ${sqlString((r.csv_line ?? '').replace(/^\n+/, '').slice(0, RAW_MAX))}, '${reason}', ${sqlString(detail)})`);
  }
  if (rejRows.length) await conn.run(`INSERT INTO ${table} VALUES ${rejRows.join(',')}`);
  if (blank.size) await conn.run(`INSERT INTO ${table} SELECT ${fidx}, ${f}, b, NULL, 'blank_line', 'blank line (ignored)' FROM unnest([${[...blank].filter((b) => b !== 1).join(',')}]::BIGINT[]) t(b)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_ex(line BIGINT); ${ex.size ? `INSERT INTO _cf_ex SELECT unnest([${[...ex].join(',')}]::BIGINT[]);` : ''}`);
  await conn.run(`INSERT INTO ${table}
    SELECT ${fidx}, ${f}, coalesce(k.line, -c.rn), c.raw, NULL, NULL
    FROM _cf_csv c LEFT JOIN (SELECT i AS line, row_number() OVER (ORDER BY i) AS rn FROM range(1, ${scan.lines + 1}) r(i) ANTI JOIN _cf_ex e ON r.i = e.line) k USING (rn)`);
  await conn.run(`DROP TABLE IF EXISTS _cf_csv; DROP TABLE IF EXISTS _cf_ex; DROP TABLE IF EXISTS _cf_rej; DROP TABLE IF EXISTS _cf_rejscan;`);
  const rows = await count();
  return { file: path, format, rows, empty: rows === 0 };
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
