import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../db/duckdb.js';
import { usageError } from '../../errors.js';

/**
 * SQL helpers shared by the ingest steps. Timestamps: numbers (or numeric strings) are epoch
 * seconds below 1e11 and milliseconds above (in 'auto'); other strings are ISO 8601, with a zone
 * (Z, +01:00) honoured and naive times read as UTC.
 */
export async function createMacros(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
CREATE OR REPLACE TEMP MACRO cf_iso(s) AS CASE WHEN regexp_matches(s, '([Zz]|[+-]\\d\\d:?\\d\\d)$')
  THEN epoch_ms(TRY_CAST(s AS TIMESTAMPTZ)) ELSE epoch_ms(TRY_CAST(s AS TIMESTAMP)) END;
CREATE OR REPLACE TEMP MACRO cf_num_ms(d, secs) AS TRY_CAST(round(CASE WHEN secs THEN d * 1000 ELSE d END) AS BIGINT);
CREATE OR REPLACE TEMP MACRO cf_ts(s, fmt) AS CASE
  WHEN s IS NULL THEN NULL
  WHEN fmt = 'iso' THEN cf_iso(s)
  WHEN fmt = 'epoch_s' THEN cf_num_ms(TRY_CAST(s AS DOUBLE), true)
  WHEN fmt = 'epoch_ms' THEN cf_num_ms(TRY_CAST(s AS DOUBLE), false)
  WHEN TRY_CAST(s AS DOUBLE) IS NOT NULL THEN cf_num_ms(TRY_CAST(s AS DOUBLE), abs(TRY_CAST(s AS DOUBLE)) < 1e11)
  ELSE cf_iso(s) END;
CREATE OR REPLACE TEMP MACRO cf_tskind(s) AS CASE
  WHEN s IS NULL THEN NULL
  WHEN TRY_CAST(s AS DOUBLE) IS NOT NULL THEN CASE WHEN abs(TRY_CAST(s AS DOUBLE)) < 1e11 THEN 'epoch_s' ELSE 'epoch_ms' END
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

/** SQL string literal of a message. */
export const msg = (s: string): string => sqlString(s);
