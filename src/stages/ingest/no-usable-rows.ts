import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, queryRows, sqlString } from '../../db/duckdb.js';
import { ClickforgeError } from '../../errors.js';
import type { StagedFile } from './staging.js';
import { commitTemp, tempPathFor } from '../../util/fs.js';
import type { InputKind } from './common.js';
import type { IngestOptions } from './options.js';

/** The quarantine table as the quarantine.jsonl file lists it (columns and order). */
export const QUARANTINE_SQL = 'SELECT stage, input, file, line, reason, detail, raw FROM quarantine ORDER BY stage, input, file, line, reason';

/** Write the quarantine table to `path` as JSONL (through a temp file renamed into place). */
export async function writeQuarantine(conn: DuckDBConnection, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  await conn.run(`COPY (${QUARANTINE_SQL}) TO ${sqlString(tmp)} (FORMAT json)`);
  await commitTemp(tmp, path);
}

export interface ReasonCount {
  readonly input: InputKind;
  readonly file: string;
  readonly reason: string;
  readonly rows: number;
  /** Line and detail of its first row. */
  readonly line: number;
  readonly detail: string;
}

/**
 * Every row of an input was rejected (or there was none): the click log has no result page with a
 * shown result, or the corpus no document. An input error (exit code 3). The quarantine table is
 * filled as usual; `quarantineFile` is where it was written, when ingest was given a path.
 */
export class NoUsableRowsError extends ClickforgeError {
  readonly input: 'click log' | 'corpus';
  /** Quarantine rows by file and reason, most frequent first. */
  readonly reasons: readonly ReasonCount[];
  /** Rows in the quarantine table. */
  readonly quarantined: number;
  readonly quarantineFile: string | undefined;

  constructor(message: string, fields: { input: 'click log' | 'corpus'; reasons: readonly ReasonCount[]; quarantined: number; quarantineFile: string | undefined }) {
    super('input', 'no_usable_rows', message, { stage: 'ingest' });
    this.name = 'NoUsableRowsError';
    this.input = fields.input;
    this.reasons = fields.reasons;
    this.quarantined = fields.quarantined;
    this.quarantineFile = fields.quarantineFile;
  }
}

const base = (f: string) => f.split(/[\\/]/).pop() ?? f;

/** What to check first for the most frequent reason of a file. */
function hint(r: ReasonCount, opts: IngestOptions, columns: readonly string[] | undefined): string {
  const kind = r.input;
  const cols = columns?.length ? `; ${base(r.file)} has the columns ${columns.slice(0, 12).join(', ')}${columns.length > 12 ? ', ...' : ''}` : '';
  switch (r.reason) {
    case 'missing_field': {
      const m = /^"([^"]+)"(?: \(column "([^"]+)"\))?/.exec(r.detail);
      const col = m ? (m[2] ?? m[1]!) : undefined;
      const field = m?.[1];
      if (col && columns?.length && !columns.includes(col)) return `${base(r.file)} has no column "${col}": set input.columns.${kind}.${field} to the column that holds it${cols}`;
      if (col && columns?.includes(col)) return `the column "${col}" is empty in these rows`;
      return `check input.columns.${kind} (canonical field: your column)${cols}`;
    }
    case 'bad_timestamp': return opts.timestamps === 'auto'
      ? 'timestamps must be ISO 8601 or epoch seconds/milliseconds'
      : `input.timestamps is '${opts.timestamps}': set it to 'auto' or to the form the file uses`;
    case 'timestamp_out_of_range': return 'check the timestamp unit (set input.timestamps to epoch_s or epoch_ms)';
    case 'bad_type': return `check the column types against docs/formats.md and input.columns.${kind}${cols}`;
    case 'wrong_columns':
    case 'malformed_csv': return 'check the CSV delimiter and quoting';
    case 'malformed_json': return 'each line must be one JSON object';
    case 'invalid_utf8': return 're-encode the file as UTF-8';
    case 'row_too_long': return 'raise input.maxRowBytes if rows this long are real';
    default: return 'see docs/formats.md (Drops)';
  }
}

/**
 * Throw NoUsableRowsError when `usable` is 0: the message names the files, their row counts and
 * the top quarantine reasons with a count, an example line and what to check. Writes the
 * quarantine table to `quarantineFile` first, when given.
 */
export async function requireUsableRows(conn: DuckDBConnection, what: 'click log' | 'corpus', usable: number,
  kinds: readonly InputKind[], files: readonly StagedFile[], opts: IngestOptions, quarantineFile: string | undefined): Promise<void> {
  if (usable > 0) return;
  const inList = kinds.map((k) => sqlString(k)).join(', ');
  const reasons = await queryRows<ReasonCount>(conn, `SELECT input, file, reason, count(*)::BIGINT AS rows, min(line) AS line, arg_min(detail, line) AS detail
    FROM quarantine WHERE input IN (${inList}) GROUP BY ALL ORDER BY rows DESC, file, reason`);
  const quarantined = await queryNumber(conn, 'SELECT count(*) FROM quarantine');
  if (quarantineFile) await writeQuarantine(conn, quarantineFile);
  const readParts = files.map((f) => {
    if (f.empty && f.rows === 0) return f.format === 'csv' && f.columns ? `${f.file}: a header line and no data rows` : `${f.file}: empty`;
    return `${f.file}: ${f.rows.toLocaleString('en')} rows read`;
  });
  const top = reasons.slice(0, 3).map((r) => {
    const cols = files.find((f) => f.file === r.file)?.columns;
    return `${r.reason} x ${r.rows.toLocaleString('en')} in ${base(r.file)} (first at line ${r.line}: ${r.detail.length > 160 ? `${r.detail.slice(0, 160)}...` : r.detail}) -> ${hint(r, opts, cols)}`;
  });
  const blank = files.every((f) => f.rows === 0)
    ? `: ${files.length === 1 ? 'the file has' : 'the files have'} no data rows`
    : reasons.length === 0 ? ': no row was quarantined (blank lines only?)' : '';
  const what2 = what === 'click log' ? 'result page with at least one shown result' : 'document';
  const where = quarantineFile ? `the quarantine (${quarantined.toLocaleString('en')} rows) is in ${quarantineFile}` : `the quarantine table holds ${quarantined.toLocaleString('en')} rows`;
  const msg = `no usable ${what === 'click log' ? 'click-log' : what} row: no ${what2} was loaded${blank}. ${readParts.join('; ')}.`
    + (top.length ? ` Top reasons: ${top.join('; ')}.` : '')
    + ` ${where[0]!.toUpperCase()}${where.slice(1)}.`;
  throw new NoUsableRowsError(msg, { input: what, reasons, quarantined, quarantineFile });
}
