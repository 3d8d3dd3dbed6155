import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { usageError } from '../errors.js';

export type { DuckDBConnection };

/**
 * Open an embedded DuckDB database (in memory unless a path is given) and connect to it.
 * `memoryLimit` (DuckDB syntax, e.g. '1.5GB'; default: DuckDB's, 80% of RAM) caps DuckDB's buffer
 * memory: above it, in-memory tables and operator state spill to `tempDirectory` (default: DuckDB's,
 * `.tmp` under the working directory for an in-memory database). The JS heap is not included.
 */
export async function openDb(opts: { path?: string; threads?: number; memoryLimit?: string; tempDirectory?: string } = {}): Promise<{ db: DuckDBInstance; conn: DuckDBConnection; close: () => void }> {
  const settings: Record<string, string> = { preserve_insertion_order: 'true' };
  if (opts.threads) settings.threads = String(opts.threads);
  if (opts.memoryLimit) settings.memory_limit = opts.memoryLimit;
  if (opts.tempDirectory) settings.temp_directory = opts.tempDirectory;
  const db = await DuckDBInstance.create(opts.path ?? ':memory:', settings);
  const conn = await db.connect();
  return {
    db,
    conn,
    close: () => {
      conn.closeSync();
      db.closeSync();
    },
  };
}

/** Column types whose `getItem` value is already the plain JS value (a bigint is turned into a number). */
const SCALAR_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BOOLEAN, DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE,
  DuckDBTypeId.VARCHAR,
]);

/**
 * Run a query and return plain row objects, with BIGINT converted to number. Results of numeric,
 * BOOLEAN and VARCHAR columns only are read chunk by chunk from the column vectors (no materialised
 * copy of the result; about half the CPU of `getRowObjectsJS`, docs/design/scale-100m.md); any other
 * column type goes through `getRowObjectsJS`. Both give the same objects.
 */
export async function queryRows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const res = await conn.run(sql);
  if (res.columnTypes().every((t) => SCALAR_TYPES.has(t.typeId))) return scalarRows<T>(res);
  return (await res.getRowObjectsJS()).map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : v;
    return o as T;
  }) as T[];
}

async function scalarRows<T>(res: DuckDBResult): Promise<T[]> {
  const names = res.columnNames();
  const rows: Record<string, unknown>[] = [];
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const base = rows.length;
    for (let k = 0; k < chunk.rowCount; k++) rows.push({});
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const v = chunk.getColumnVector(j);
      for (let k = 0; k < chunk.rowCount; k++) {
        const x = v.getItem(k);
        rows[base + k]![name] = typeof x === 'bigint' ? Number(x) : x;
      }
    }
  }
  return rows as T[];
}

/** A single number from a query such as `SELECT count(*) FROM t`. */
export async function queryNumber(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = await queryRows<Record<string, unknown>>(conn, sql);
  const first = rows[0];
  const v = first ? Object.values(first)[0] : undefined;
  return v === null || v === undefined ? 0 : Number(v);
}

/** Quote a string as a SQL literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Column types `readColumns` returns as numbers (NULL -> NaN); VARCHAR comes back as strings. */
const NUMERIC_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BOOLEAN, DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE,
]);

/** A query result held column by column: numbers in Float64Arrays (NULL = NaN), strings in arrays (NULL = null). */
export interface Columns {
  readonly rowCount: number;
  readonly names: readonly string[];
  /** The numeric column `name` (its length is rowCount). Throws if it is missing or not numeric. */
  num(name: string): Float64Array;
  /** The VARCHAR column `name`. Throws if it is missing or not a string column. */
  str(name: string): readonly (string | null)[];
}

/**
 * Run a query and read it column by column from the result chunks: ~10x cheaper than row objects
 * (`getRowObjectsJS` costs ~20 us a row on wide rows). Numeric columns (BOOLEAN, integers, FLOAT,
 * DOUBLE) become Float64Arrays with NaN for NULL (BIGINTs above 2^53 lose precision: cast them to
 * VARCHAR); VARCHAR columns become string arrays in which a value equal to the previous row's is the
 * same string (sorted keys cost one copy per run). Any other type: cast it in the SQL.
 */
export async function readColumns(conn: DuckDBConnection, sql: string): Promise<Columns> {
  const res = await conn.run(sql);
  const names = res.columnNames();
  const types = res.columnTypes().map((t) => t.typeId);
  const kinds = types.map((t, j) => {
    if (NUMERIC_TYPES.has(t)) return 'num' as const;
    if (t === DuckDBTypeId.VARCHAR) return 'str' as const;
    throw usageError('unsupported_column_type', `readColumns: column "${names[j]}" has type ${DuckDBTypeId[t]}; cast it to DOUBLE or VARCHAR in the query.`);
  });
  let cap = 1024;
  let nums: (Float64Array | null)[] = kinds.map((k) => (k === 'num' ? new Float64Array(cap) : null));
  const strs: ((string | null)[] | null)[] = kinds.map((k) => (k === 'str' ? [] : null));
  let n = 0;
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const m = chunk.rowCount;
    if (n + m > cap) {
      while (n + m > cap) cap *= 2;
      nums = nums.map((a) => {
        if (!a) return null;
        const b = new Float64Array(cap);
        b.set(a.subarray(0, n));
        return b;
      });
    }
    for (let j = 0; j < kinds.length; j++) {
      const v = chunk.getColumnVector(j);
      const a = nums[j];
      if (a) {
        for (let k = 0; k < m; k++) {
          const x = v.getItem(k);
          a[n + k] = x === null ? Number.NaN : typeof x === 'number' ? x : typeof x === 'boolean' ? (x ? 1 : 0) : Number(x);
        }
      } else {
        const s = strs[j]!;
        let prev: string | null = n > 0 ? (s[n - 1] ?? null) : null;
        for (let k = 0; k < m; k++) {
          const x = v.getItem(k) as string | null;
          if (x !== prev) prev = x;
          s.push(prev);
        }
      }
    }
    n += m;
  }
  const index = new Map(names.map((name, j) => [name, j]));
  const col = (name: string, kind: 'num' | 'str'): number => {
    const j = index.get(name);
    if (j === undefined) throw usageError('unknown_column', `readColumns: no column "${name}" in the result (columns: ${names.join(', ')}).`);
    if (kinds[j] !== kind) throw usageError('wrong_column_kind', `readColumns: column "${name}" is ${kinds[j] === 'num' ? 'numeric' : 'a string column'}; use ${kinds[j]}().`);
    return j;
  };
  const rowCount = n;
  return {
    rowCount,
    names,
    num: (name) => nums[col(name, 'num')]!.subarray(0, rowCount),
    str: (name) => strs[col(name, 'str')]!,
  };
}
