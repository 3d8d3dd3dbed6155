import { createReadStream, createWriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../db/duckdb.js';
import { inputError } from '../../errors.js';

/**
 * CSV reading (RFC 4180 with one recovery rule), used instead of DuckDB's `read_csv` because its
 * sniffer drops quoting when one cell holds a stray quote, and with quoting forced an unclosed
 * quote swallows the rest of the file (docs/formats.md, "CSV parsing").
 *
 * - The delimiter comes from the header line: the most frequent of `,` tab `;` `|` outside quotes
 *   (a `.tsv` file: tab). The quote is `"`, doubled inside a quoted cell (`""`).
 * - A quoted cell may span lines. A row is reported at the line it starts on.
 * - A quote inside an unquoted cell (`a"b`) is a literal character.
 * - A malformed row that fits on one line (text after a closing quote, a quote never closed, the
 *   wrong number of cells) is rejected alone.
 * - A malformed row that spans lines (its quoted cell is closed badly, never closed, longer than
 *   `maxRowBytes`, or the row has the wrong number of cells) is taken as a stray quote: its first
 *   line alone is rejected and the lines after it are read again as rows.
 * - An empty cell (quoted or not) is null.
 */
export type CsvReject = 'malformed_csv' | 'wrong_columns';

export interface CsvSink {
  /**
   * A parsed row with as many cells as the header ('' = an empty cell, null); `line` is the line
   * it starts on. `plain`: no cell holds a line break (\n or \r) or the 0x1F byte.
   */
  row(line: number, cells: readonly string[], plain: boolean): void;
  reject(line: number, reason: CsvReject, detail: string, raw: string): void;
  blank(line: number): void;
  /** The header's column names, once read. */
  header?(names: readonly string[]): void;
}

/** A row's cells as a JSON object text keyed by `names` (an empty cell is null). */
export function rowJson(names: readonly string[], cells: readonly string[]): string {
  let json = '{';
  for (let i = 0; i < cells.length; i++) json += `${i ? ',' : ''}${JSON.stringify(names[i])}:${cells[i] === '' ? 'null' : JSON.stringify(cells[i])}`;
  return `${json}}`;
}

export interface CsvParserOptions {
  /** One character; undefined = detect from the header line. */
  readonly delimiter?: string | undefined;
  /** A row spanning lines longer than this (bytes) is malformed. */
  readonly maxRowBytes: number;
  /** For messages. */
  readonly file: string;
}

const QUOTE = 34;
const CR = 13;
const CANDIDATES = [',', '\t', ';', '|'] as const;
const US = '\x1f';

/** The most frequent candidate delimiter outside quotes in `header` (`,` when none occurs). */
export function detectDelimiter(header: string): string {
  const counts = new Map<number, number>();
  let inQ = false;
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === QUOTE) inQ = !inQ;
    else if (!inQ) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: string = ',';
  let n = 0;
  for (const d of CANDIDATES) {
    const k = counts.get(d.charCodeAt(0)) ?? 0;
    if (k > n) { best = d; n = k; }
  }
  return best;
}

const isBlank = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== CR) return false;
  }
  return true;
};

type Scan = { kind: 'done' } | { kind: 'more' } | { kind: 'after_quote'; cell: number };

/** Streaming CSV parser: `push` lines in order (without their newline), then `finish`. */
export class CsvParser {
  private delim: string | undefined;
  private d = 0;
  private header: string[] | undefined;
  /** Line numbers of rows that spanned lines (for a warning); at most 5 kept, all counted. */
  multiline = 0;
  readonly multilineAt: number[] = [];

  // the row being read
  private cells: string[] = [];
  private cur = '';
  private inQuotes = false;
  private rec: [string, number][] = [];
  private recBytes = 0;
  private work: [string, number][] = [];
  private busy = false;

  constructor(private readonly sink: CsvSink, private readonly opts: CsvParserOptions) {
    this.delim = opts.delimiter;
  }

  /** The header's column names (after renaming empty and repeated ones), once read. */
  get columns(): readonly string[] | undefined {
    return this.header;
  }

  get delimiter(): string | undefined {
    return this.delim;
  }

  push(text: string, line: number): void {
    if (!this.busy && !this.inQuotes && this.header && text.indexOf('"') < 0) {
      this.plain(text, line);
      return;
    }
    this.work.push([text, line]);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let i = 0; i < this.work.length; i++) {
        const w = this.work[i]!;
        const restart = this.line(w[0], w[1]);
        if (restart) {
          this.work = [...restart, ...this.work.slice(i + 1)];
          i = -1;
        }
      }
      this.work = [];
    } finally {
      this.busy = false;
    }
  }

  /** End of input: a row left open by a quote is malformed. */
  finish(): void {
    while (this.inQuotes) {
      const rest = this.fail('the file ends inside it');
      if (rest) for (const [t, l] of rest) this.push(t, l);
    }
  }

  /** A data row on one line without quotes (most rows): split and emit, no per-cell state. */
  private plain(text: string, line: number): void {
    if (isBlank(text)) { this.sink.blank(line); return; }
    const end = text.charCodeAt(text.length - 1) === CR ? text.length - 1 : text.length;
    const body = end === text.length ? text : text.slice(0, end);
    const parts = body.split(this.delim!);
    if (parts.length !== this.header!.length) {
      this.sink.reject(line, 'wrong_columns', this.wrongColumns(parts.length), text);
      return;
    }
    this.sink.row(line, parts, body.indexOf(US) < 0 && body.indexOf('\r') < 0);
  }

  private wrongColumns(found: number): string {
    return `expected ${this.header!.length} cells (as in the header), found ${found}: make every row have as many cells as the header (quote cells that contain the delimiter "${this.delim === '\t' ? '\\t' : this.delim}")`;
  }

  /** Read one line; returns the lines to read again when a multi-line row was rejected. */
  private line(text: string, line: number): [string, number][] | undefined {
    if (!this.inQuotes) {
      if (isBlank(text)) {
        this.sink.blank(line);
        return undefined;
      }
      if (!this.header && this.delim === undefined) this.delim = detectDelimiter(text);
      this.d = this.delim!.charCodeAt(0);
      this.cells = [];
      this.rec = [[text, line]];
      this.recBytes = 0;
      if (text.indexOf('"') < 0) {
        const end = text.charCodeAt(text.length - 1) === CR ? text.length - 1 : text.length;
        const parts = (end === text.length ? text : text.slice(0, end)).split(this.delim!);
        for (const p of parts) this.cells.push(p);
        this.done();
        return undefined;
      }
      return this.after(this.scan(text, 0));
    }
    this.rec.push([text, line]);
    this.recBytes += Buffer.byteLength(text) + 1;
    if (this.recBytes > this.opts.maxRowBytes) return this.fail(`the row would be longer than input.maxRowBytes (${this.opts.maxRowBytes} bytes)`);
    this.cur += '\n';
    return this.after(this.scan(text, 0));
  }

  private after(s: Scan): [string, number][] | undefined {
    if (s.kind === 'more') {
      if (this.rec.length === 1) this.recBytes = Buffer.byteLength(this.rec[0]![0]);
      return undefined;
    }
    if (s.kind === 'after_quote') {
      return this.fail(`cell ${s.cell} has text after its closing quote`);
    }
    return this.done();
  }

  private scan(text: string, from: number): Scan {
    const n = text.length;
    const end = text.charCodeAt(n - 1) === CR ? n - 1 : n;
    const d = this.d;
    let pos = from;
    for (;;) {
      if (this.inQuotes) {
        const q = text.indexOf('"', pos);
        if (q < 0) { this.cur += text.slice(pos); return { kind: 'more' }; }
        if (text.charCodeAt(q + 1) === QUOTE) { this.cur += text.slice(pos, q + 1); pos = q + 2; continue; }
        this.cur += text.slice(pos, q);
        this.inQuotes = false;
        this.cells.push(this.cur);
        this.cur = '';
        pos = q + 1;
        if (pos >= end) return { kind: 'done' };
        if (text.charCodeAt(pos) !== d) return { kind: 'after_quote', cell: this.cells.length };
        pos++;
        continue;
      }
      if (pos < end && text.charCodeAt(pos) === QUOTE) { this.inQuotes = true; pos++; continue; }
      const nd = text.indexOf(this.delim!, pos);
      if (nd < 0 || nd >= end) {
        this.cells.push(text.slice(pos, end));
        return { kind: 'done' };
      }
      this.cells.push(text.slice(pos, nd));
      pos = nd + 1;
    }
  }

  /** A complete row: the header, a data row, or a wrong number of cells. */
  private done(): [string, number][] | undefined {
    const cells = this.cells;
    const [first, line] = this.rec[0]!;
    const multi = this.rec.length > 1;
    if (!this.header) {
      if (multi) throw inputError('bad_csv_header', `the header of ${this.opts.file} (line ${line}) opens a quote that is not closed on its line: the header must be one line of column names`, { stage: 'ingest' });
      this.setHeader(cells);
      return undefined;
    }
    if (cells.length !== this.header.length) {
      if (multi) return this.fail(`the row has ${cells.length} cells instead of ${this.header.length}`);
      this.sink.reject(line, 'wrong_columns', this.wrongColumns(cells.length), first);
      this.reset();
      return undefined;
    }
    let plain = !multi;
    for (let i = 0; plain && i < cells.length; i++) if (cells[i]!.indexOf(US) >= 0 || cells[i]!.indexOf('\r') >= 0) plain = false;
    this.sink.row(line, cells, plain);
    if (multi) {
      this.multiline++;
      if (this.multilineAt.length < 5) this.multilineAt.push(line);
    }
    this.reset();
    return undefined;
  }

  /**
   * The row being read is malformed. On one line: rejected alone. Spanning lines: its first line
   * is rejected (a stray quote) and the other lines are returned to be read again.
   */
  private fail(why: string): [string, number][] | undefined {
    const [first, line] = this.rec[0]!;
    const rest = this.rec.slice(1);
    if (!this.header) {
      throw inputError('bad_csv_header', `cannot read the header of ${this.opts.file} (line ${line}): ${why}. The first line must be the column names, quoted the CSV way ("" for a quote inside a quoted name).`, { stage: 'ingest' });
    }
    const detail = rest.length === 0
      ? `a quoted cell is malformed (${why}): a cell that starts with " must end with " before the delimiter, and a quote inside it is written "" (or remove the stray quote)`
      : `a quote opens a cell on this line and the row it starts is malformed (${why}, lines ${line}-${rest[rest.length - 1]![1]}): the quote is taken as stray, this line is quarantined and the next lines are read as rows; remove the quote, or quote the cell and double the quotes inside it ("")`;
    this.sink.reject(line, 'malformed_csv', detail, first);
    this.reset();
    return rest.length ? rest : undefined;
  }

  private reset(): void {
    this.cells = [];
    this.cur = '';
    this.inQuotes = false;
    this.rec = [];
    this.recBytes = 0;
  }

  private setHeader(cells: readonly string[]): void {
    const seen = new Set<string>();
    const names: string[] = [];
    cells.forEach((c, i) => {
      let name = c.replace(/^\uFEFF/, '').trim();
      if (name === '') name = `column${i}`;
      let k = name;
      for (let j = 1; seen.has(k); j++) k = `${name}_${j}`;
      seen.add(k);
      names.push(k);
    });
    this.header = names;
    this.sink.header?.(names);
    this.reset();
  }
}

/** Staging rows of one CSV file, in line order (see staging.ts for the columns). */
export interface CsvStageResult {
  readonly rows: number;
  readonly columns: readonly string[] | undefined;
  readonly multiline: number;
  readonly multilineAt: readonly number[];
}

/**
 * Parse `src` (the file, or its cleaned copy) into `table`: one staging row per data row, blank
 * line, rejected row and `bad` line (lines the pre-scan emptied: they keep their own reason).
 * Plain rows are written to a temp file, cells separated by 0x1F, that DuckDB reads in bulk and
 * turns into JSON with `to_json` (building the JSON in JS and appending it row by row was 1.5 to
 * 3x slower than DuckDB's own CSV reader on 2M rows); the other rows use the appender.
 */
export async function stageCsv(conn: DuckDBConnection, table: string, fidx: number, file: string, src: string,
  bad: ReadonlyMap<number, { reason: string; detail: string; raw: string }>,
  opts: { maxRowBytes: number; delimiter?: string; rawMax: number; tmpPath: () => string; tempFiles: string[] }): Promise<CsvStageResult> {
  const app = await conn.createAppender(table, 'main', 'temp');
  const tmp = opts.tmpPath();
  opts.tempFiles.push(tmp);
  const ws = createWriteStream(tmp);
  let failed: Error | undefined;
  ws.on('error', (e) => { failed = e; });
  let rows = 0;
  let plainRows = 0;
  let names: readonly string[] = [];
  let out = '';
  const flush = async () => {
    if (failed) throw failed;
    if (!out.length) return;
    const text = out;
    out = '';
    if (!ws.write(text)) await new Promise<void>((res) => ws.once('drain', res));
  };
  const put = (line: number, raw: string | null, reason: string | null, detail: string | null) => {
    app.appendInteger(fidx);
    app.appendVarchar(file);
    app.appendBigInt(BigInt(line));
    if (raw === null) app.appendNull(); else app.appendVarchar(raw);
    if (reason === null) app.appendNull(); else app.appendVarchar(reason);
    if (detail === null) app.appendNull(); else app.appendVarchar(detail);
    app.endRow();
    rows++;
  };
  const parser = new CsvParser({
    header: (n) => { names = n; },
    row: (line, cells, plain) => {
      if (plain) {
        out += `${line}${US}${cells.join(US)}\n`;
        plainRows++;
        rows++;
      } else put(line, rowJson(names, cells), null, null);
    },
    reject: (line, reason, detail, raw) => put(line, raw.slice(0, opts.rawMax), reason, detail),
    blank: (line) => put(line, null, 'blank_line', 'blank line (ignored)'),
  }, { file, maxRowBytes: opts.maxRowBytes, delimiter: opts.delimiter });
  const stream = createReadStream(src, { highWaterMark: 1 << 20 });
  const dec = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  const feed = (text: string) => {
    lineNo++;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const b = bad.get(lineNo);
    if (b) {
      if (!parser.columns) throw inputError('bad_csv_header', `the header line of ${file} (line ${lineNo}) cannot be read: ${b.detail}`, { stage: 'ingest' });
      put(lineNo, b.raw, b.reason, b.detail);
      return;
    }
    parser.push(text, lineNo);
  };
  try {
    for await (const chunk of stream) {
      const s = carry + dec.write(chunk as Buffer);
      let start = 0;
      for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
        feed(s.slice(start, nl));
        start = nl + 1;
      }
      carry = s.slice(start);
      await flush();
    }
    const tail = carry + dec.end();
    if (tail.length) feed(tail);
    parser.finish();
    await flush();
    app.flushSync();
  } finally {
    stream.destroy();
    app.closeSync();
    await new Promise<void>((res) => ws.end(res));
  }
  if (failed) throw failed;
  if (plainRows) {
    const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const cols = [`'__cf_line': 'BIGINT'`, ...names.map((n) => `${sqlString(n)}: 'VARCHAR'`)].join(', ');
    await conn.run(`INSERT INTO ${table} SELECT ${fidx}, ${sqlString(file)}, "__cf_line", to_json({${names.map((n) => `${sqlString(n)}: ${q(n)}`).join(', ')}})::VARCHAR, NULL, NULL
      FROM read_csv(${sqlString(tmp)}, columns = {${cols}}, header = false, delim = E'\\x1F', quote = '', escape = '',
                    auto_detect = false, strict_mode = false, max_line_size = ${Math.max(2_000_000, opts.maxRowBytes + 64)})`);
  }
  return { rows, columns: parser.columns, multiline: parser.multiline, multilineAt: parser.multilineAt };
}
