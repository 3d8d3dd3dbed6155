import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../db/duckdb.js';
import { usageError } from '../../errors.js';

/** Click-log times before this (1990-01-01) are quarantined: no search log is older, so it is a unit error. */
export const TS_MIN_MS = Date.UTC(1990, 0, 1);
/** Click-log times from this on (2100-01-01) are quarantined: microseconds or nanoseconds read as milliseconds. */
export const TS_MAX_MS = Date.UTC(2100, 0, 1);
/** Times more than this after the machine's clock get a warning (not a drop: that would depend on the day of the build). */
export const TS_FUTURE_MARGIN_MS = 24 * 3600 * 1000;

/**
 * SQL helpers shared by the ingest steps. Timestamps: numbers (or numeric strings) are epoch
 * seconds below 1e11 and milliseconds above (in 'auto'); other strings are ISO 8601, with a zone
 * (Z, +01:00) honoured and naive times read as UTC. Numbers are finite: NaN and Infinity (as JSON
 * literals or strings) are not numbers here.
 */
export async function createMacros(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
CREATE OR REPLACE TEMP MACRO cf_num(s) AS CASE WHEN isfinite(TRY_CAST(s AS DOUBLE)) THEN TRY_CAST(s AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO cf_ts_ok(t) AS t >= ${TS_MIN_MS} AND t < ${TS_MAX_MS};
CREATE OR REPLACE TEMP MACRO cf_iso(s) AS CASE WHEN regexp_matches(s, '([Zz]|[+-]\\d\\d:?\\d\\d)$')
  THEN epoch_ms(TRY_CAST(s AS TIMESTAMPTZ)) ELSE epoch_ms(TRY_CAST(s AS TIMESTAMP)) END;
CREATE OR REPLACE TEMP MACRO cf_num_ms(d, secs) AS TRY_CAST(round(CASE WHEN secs THEN d * 1000 ELSE d END) AS BIGINT);
CREATE OR REPLACE TEMP MACRO cf_ts(s, fmt) AS CASE
  WHEN s IS NULL THEN NULL
  WHEN fmt = 'iso' THEN cf_iso(s)
  WHEN fmt = 'epoch_s' THEN cf_num_ms(cf_num(s), true)
  WHEN fmt = 'epoch_ms' THEN cf_num_ms(cf_num(s), false)
  WHEN TRY_CAST(s AS DOUBLE) IS NOT NULL THEN cf_num_ms(cf_num(s), abs(cf_num(s)) < 1e11)
  ELSE cf_iso(s) END;
CREATE OR REPLACE TEMP MACRO cf_tskind(s) AS CASE
  WHEN s IS NULL THEN NULL
  WHEN TRY_CAST(s AS DOUBLE) IS NOT NULL THEN CASE WHEN cf_num(s) IS NULL THEN 'bad' WHEN abs(cf_num(s)) < 1e11 THEN 'epoch_s' ELSE 'epoch_ms' END
  WHEN cf_iso(s) IS NOT NULL THEN 'iso' ELSE 'bad' END;
CREATE OR REPLACE TEMP MACRO cf_str(v) AS json_extract_string(v, '$');
CREATE OR REPLACE TEMP MACRO cf_isnull(v) AS (v IS NULL OR json_type(v) = 'NULL');
CREATE OR REPLACE TEMP MACRO cf_scalar(v) AS json_type(v) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN');
CREATE OR REPLACE TEMP MACRO cf_idok(v) AS json_type(v) IN ('VARCHAR', 'BIGINT', 'UBIGINT');
CREATE OR REPLACE TEMP MACRO cf_bool(v) AS CASE WHEN json_type(v) = 'BOOLEAN' THEN cf_str(v)::BOOLEAN
  WHEN json_type(v) IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN TRY_CAST(lower(cf_str(v)) AS BOOLEAN) END;
-- a JSON array given as an array, or (CSV) as JSON text in a string
CREATE OR REPLACE TEMP MACRO cf_arr(v) AS CASE WHEN json_type(v) = 'ARRAY' THEN v
  WHEN json_type(v) = 'VARCHAR' AND json_valid(cf_str(v)) AND json_type(cf_str(v)::JSON) = 'ARRAY' THEN cf_str(v)::JSON END;
`);
}

/** Canonical field names -> JSON paths (after the user's column mapping), and accessors into the extracted list `x`. */
export class Fields<const N extends string> {
  readonly names: readonly N[];
  private readonly map: Readonly<Record<string, string>>;

  constructor(kind: string, names: readonly N[], mapping: Readonly<Record<string, string>>) {
    this.names = names;
    for (const k of Object.keys(mapping)) {
      if (!(names as readonly string[]).includes(k)) {
        throw usageError('bad_column_mapping', `input.columns.${kind} maps "${k}", which is not a field of ${kind} rows (fields: ${names.join(', ')}). Keys are canonical names, values are your column names.`, { stage: 'ingest' });
      }
    }
    for (const v of Object.values(mapping)) {
      if (v.includes('"')) throw usageError('bad_column_mapping', `input.columns.${kind}: column name ${v} contains a double quote, which is not supported`, { stage: 'ingest' });
    }
    this.map = mapping;
  }

  /** The user's column name for a canonical field. */
  col(name: N): string {
    return this.map[name] ?? name;
  }

  /** `json_extract(<src>, [paths])`: one parse per row. */
  extract(src: string): string {
    return `json_extract(${src}, [${this.names.map((n) => sqlString(`$."${this.col(n)}"`)).join(', ')}])`;
  }

  /** The JSON value of a field, from the list column `x`. */
  v(name: N, x = 'x'): string {
    const i = this.names.indexOf(name);
    return `${x}[${i + 1}]`;
  }

  /** "field (column "c")" for messages. */
  label(name: N): string {
    const c = this.col(name);
    return c === name ? `"${name}"` : `"${name}" (column "${c}")`;
  }
}

/**
 * SQL CASE arm quarantining a time outside [TS_MIN_MS, TS_MAX_MS) as `timestamp_out_of_range`;
 * `ts` is the epoch-ms column, `raw` its text, `label` a SQL string expression naming the field.
 */
export const tsRangeCheck = (ts: string, raw: string, label: string): string => `
  WHEN NOT cf_ts_ok(${ts}) THEN {'r': 'timestamp_out_of_range', 'd': ${label} || ' value "' || ${raw} || '" is about the year ' || CAST(1970 + floor(${ts} / 31556952000) AS BIGINT)
    || ', outside 1990-01-01 .. 2100-01-01: ' || CASE WHEN ${ts} < ${TS_MIN_MS}
      THEN 'check the unit (in input.timestamps auto, numbers below 1e11 are epoch seconds, others milliseconds) or the clock that logged it'
      ELSE 'microseconds or nanoseconds? give epoch seconds or milliseconds' END}`;

/** SQL string literal of a message. */
export const msg = (s: string): string => sqlString(s);
