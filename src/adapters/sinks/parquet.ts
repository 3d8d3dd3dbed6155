import { rename, rm } from 'node:fs/promises';
import { type DuckDBConnection, sqlString } from '../../db/duckdb.js';
import { internalError, usageError } from '../../errors.js';
import { tempPathFor } from '../../util/fs.js';
import { writeError, type FileSinkOptions } from './atomic-file.js';
import { createJsonlSink } from './jsonl-sink.js';
import type { RecordSink, TableFormat } from '../../ports/index.js';

export interface ParquetOptions {
  /**
   * The columns, name -> DuckDB type (`VARCHAR`, `DOUBLE`, `VARCHAR[]`,
   * `STRUCT(docid VARCHAR, title VARCHAR, text VARCHAR)[]` ...), in file order. Given, DuckDB
   * reads the JSONL in one pass and zero rows still give a file with this schema. Omitted, DuckDB
   * infers the types from every row (`sample_size=-1`: a second pass over the file), and zero rows
   * give a single `json` column.
   */
  readonly columns?: Readonly<Record<string, string>>;
  /** Default zstd. */
  readonly compression?: 'zstd' | 'snappy' | 'gzip' | 'uncompressed';
  /**
   * Rows per row group. DuckDB holds a whole row group in memory before writing it, so with wide
   * rows this bounds the conversion's memory; DuckDB works in vectors of 2,048 rows and rounds it
   * up to a multiple of that. Default: DuckDB's 122,880 rows — 2.2 GB of text for rows of 18 KB,
   * ~8 GB RSS at 1M such rows (bench/export.ts). `createTableSink` picks it from `rowGroupBytes`.
   */
  readonly rowGroupSize?: number;
}

/**
 * Convert a JSON Lines file to Parquet with DuckDB, atomically: COPY to a temp file beside
 * `parquetPath`, then rename it over. DuckDB streams the JSONL (it is never held in memory).
 * Resolves with the number of rows. The JSONL may be a sink's temp file (`close()`d, not committed).
 */
export async function jsonlToParquet(conn: DuckDBConnection, jsonlPath: string, parquetPath: string, opts: ParquetOptions = {}): Promise<number> {
  const read = opts.columns
    ? `columns={${Object.entries(opts.columns).map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`).join(', ')}}`
    : 'sample_size=-1';
  const copy = [`FORMAT parquet`, `COMPRESSION ${opts.compression ?? 'zstd'}`];
  if (opts.rowGroupSize) copy.push(`ROW_GROUP_SIZE ${Math.max(1, Math.floor(opts.rowGroupSize))}`);
  const tmp = tempPathFor(parquetPath);
  try {
    const res = await conn.run(`COPY (SELECT * FROM read_json(${sqlString(jsonlPath)}, format='newline_delimited', ${read})) TO ${sqlString(tmp)} (${copy.join(', ')})`);
    await rename(tmp, parquetPath);
    return res.rowsChanged;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(parquetPath, err);
  }
}

/**
 * 64 MiB of JSON a row group. Measured on 200k n-tuple rows of 18 KB (3.7 GB JSONL, 2 threads):
 * DuckDB's default 122,880 rows peaked at 4.7 GB RSS, 16,384 rows at 2.1 GB, 4,096 rows (this
 * target) at 1.0-1.3 GB and converted 2-4x faster; the file grows (dictionaries are per row
 * group), see bench/export.ts --parquet.
 */
export const DEFAULT_ROW_GROUP_BYTES = 64 << 20;

/** DuckDB's default and largest useful row group. */
const DUCKDB_ROW_GROUP = 122_880;

/**
 * Rows per row group so that a group holds about `targetBytes` of JSON: a multiple of 2,048
 * between 2,048 and DuckDB's default 122,880 (small rows keep DuckDB's default).
 */
export function rowGroupSizeFor(avgRowBytes: number, targetBytes = DEFAULT_ROW_GROUP_BYTES): number {
  if (!(avgRowBytes > 0)) return DUCKDB_ROW_GROUP;
  const vectors = Math.round(targetBytes / avgRowBytes / 2048);
  return Math.min(DUCKDB_ROW_GROUP, Math.max(1, vectors) * 2048);
}

export interface TableSinkOptions extends FileSinkOptions, ParquetOptions {
  /** Without `rowGroupSize`: rows per row group such that one holds about this much JSON (`rowGroupSizeFor`). Default 64 MiB. */
  readonly rowGroupBytes?: number;
  /** The DuckDB connection that writes the Parquet file (required when formats include 'parquet'). */
  readonly conn?: DuckDBConnection;
}

/**
 * One table in one or both formats: `<stem>.jsonl` and/or `<stem>.parquet`. Rows stream to a
 * JSONL temp file; `commit()` converts it to Parquet (when asked), then renames the JSONL over
 * `<stem>.jsonl` (when asked) or removes it. If the conversion fails, neither target is replaced.
 */
export async function createTableSink<T = unknown>(stem: string, formats: readonly TableFormat[], opts: TableSinkOptions = {}): Promise<RecordSink<T>> {
  const jsonl = formats.includes('jsonl');
  const parquet = formats.includes('parquet');
  if (!jsonl && !parquet) throw usageError('no_file_format', `${stem}: no file format to write; give "jsonl", "parquet" or both.`, { stage: 'export' });
  const conn = opts.conn;
  if (parquet && !conn) throw usageError('parquet_needs_connection', `${stem}.parquet: writing Parquet needs a DuckDB connection; pass \`conn\` (from openDb()).`, { stage: 'export' });
  const inner = await createJsonlSink<T>(`${stem}.jsonl`, opts);
  if (!parquet) return inner;
  const parquetPath = `${stem}.parquet`;
  // Parquet only: the JSONL is aborted once converted, so the sink itself remembers the commit
  let committed = false;
  return {
    paths: jsonl ? [inner.paths[0]!, parquetPath] : [parquetPath],
    get rows() {
      return inner.rows;
    },
    get bytes() {
      return inner.bytes;
    },
    write: (row) => (committed ? Promise.reject(internalError('sink_closed', `${parquetPath}: write after the sink was committed.`, { stage: 'export' })) : inner.write(row)),
    async commit() {
      try {
        await inner.seal();
        const rowGroupSize = opts.rowGroupSize ?? rowGroupSizeFor(inner.bytes / Math.max(1, inner.rows), opts.rowGroupBytes);
        const n = await jsonlToParquet(conn!, inner.tempPath, parquetPath, { ...opts, rowGroupSize });
        if (n !== inner.rows) throw internalError('parquet_row_count', `${parquetPath}: DuckDB wrote ${n} rows from ${inner.rows} JSONL rows.`, { stage: 'export' });
        if (jsonl) await inner.commit();
        else await inner.abort();
        committed = true;
        return n;
      } catch (err) {
        await inner.abort();
        throw err;
      }
    },
    abort: () => inner.abort(),
    close: () => inner.close(),
  };
}

/** Parquet only: `createTableSink` with the JSONL as a temp file that is removed after the conversion. */
export function createParquetSink<T = unknown>(conn: DuckDBConnection, stem: string, opts: Omit<TableSinkOptions, 'conn'> = {}): Promise<RecordSink<T>> {
  return createTableSink<T>(stem, ['parquet'], { ...opts, conn });
}
