import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { CsvParser, detectDelimiter, rowJson } from '../../../src/stages/ingest/csv.js';
import { STAGING_COLUMNS, stageFile } from '../../../src/stages/ingest/staging.js';

type Out = { rows: [number, Record<string, string | null>][]; rejects: [number, string, string][]; blank: number[]; multiline: number };

function parse(text: string, opts: { delimiter?: string; maxRowBytes?: number } = {}): Out {
  const out: Out = { rows: [], rejects: [], blank: [], multiline: 0 };
  let names: readonly string[] = [];
  const p = new CsvParser({
    header: (n) => { names = n; },
    row: (line, cells) => out.rows.push([line, JSON.parse(rowJson(names, cells)) as Record<string, string | null>]),
    reject: (line, reason, _detail, raw) => out.rejects.push([line, reason, raw]),
    blank: (line) => out.blank.push(line),
  }, { file: 'x.csv', maxRowBytes: opts.maxRowBytes ?? 1 << 20, delimiter: opts.delimiter });
  text.split('\n').forEach((l, i) => p.push(l, i + 1));
  p.finish();
  out.multiline = p.multiline;
  return out;
}

/** A SERP CSV of `n` rows (query "query i", a JSON clicks cell on 2 rows of 3), row `bad` changed by `mut`. */
function serpCsv(n: number, mut: (i: number, cells: string[]) => void, clicks = true): string {
  const rows = ['serp_id,query,ts,results,clicks'];
  for (let i = 1; i <= n; i++) {
    const c = [`s${i}`, `query ${i}`, '2024-03-01T10:00:00Z', 'd1|d2|d3', clicks && i % 3 ? '"[{""doc_id"":""d2""}]"' : ''];
    mut(i, c);
    rows.push(c.join(','));
  }
  return `${rows.join('\n')}\n`;
}
const lines = (o: Out) => o.rows.map(([l]) => l);

describe('CsvParser', () => {
  it('reads RFC 4180 cells: quotes, doubled quotes, delimiters and line breaks inside quotes, empty cells as null', () => {
    const o = parse('a,b,c\n1,"x, ""y""",\n"2","multi\nline",z\n');
    expect(o.rows).toEqual([[2, { a: '1', b: 'x, "y"', c: null }], [3, { a: '2', b: 'multi\nline', c: 'z' }]]);
    expect(o.blank).toEqual([5]);
    expect(o.multiline).toBe(1);
  });

  it('a stray quote that its own line closes badly quarantines that line only', () => {
    const o = parse(serpCsv(151, (i, c) => { if (i === 40) c[1] = '"how to reset'; }));
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[41, 'malformed_csv']]);
    expect(o.rows).toHaveLength(150);
    expect(o.rows[39]![1].serp_id).toBe('s41');
    expect(o.rows.every(([, r]) => r.serp_id !== 's40')).toBe(true);
  });

  it('a stray quote never closed (no other quote in the file) quarantines its line only, not the rest of the file', () => {
    const o = parse(serpCsv(151, (i, c) => { if (i === 40) c[1] = '"how to reset'; }, false));
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[41, 'malformed_csv']]);
    expect(o.rows).toHaveLength(150);
  });

  it('text after a closing quote on one line is malformed_csv; a quote inside an unquoted cell is a character', () => {
    const o = parse(serpCsv(5, (i, c) => { if (i === 2) c[1] = '"how to" reset'; if (i === 4) c[1] = 'how to "reset'; }));
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[3, 'malformed_csv']]);
    expect(o.rows.find(([l]) => l === 5)![1].query).toBe('how to "reset');
  });

  it('a multi-line row that ends malformed is taken as a stray quote: its first line is quarantined, the next lines are read again', () => {
    // the quote opened on line 3 is closed on line 5, followed by text: lines 4 and 5 are rows again
    const o = parse('a,b,c\n1,x,y\n2,"open,y\n3,x,y\n4,x"z,y\n5,x,y\n');
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[3, 'malformed_csv']]);
    expect(lines(o)).toEqual([2, 4, 5, 6]);
    expect(o.rows[2]![1]).toEqual({ a: '4', b: 'x"z', c: 'y' });
    // the wrong number of cells after a multi-line cell: the same
    const w = parse('a,b\n1,"open\n2,x\n3,y",z\n');
    expect(w.rejects.map(([l, r]) => [l, r])).toEqual([[2, 'malformed_csv'], [4, 'wrong_columns']]);
    expect(lines(w)).toEqual([3]);
  });

  it('a quoted cell may not make a row longer than maxRowBytes', () => {
    const body = Array.from({ length: 50 }, (_, i) => `${i},text ${i}`).join('\n');
    const o = parse(`a,b\n1,"never closed\n${body}\n`, { maxRowBytes: 200 });
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[2, 'malformed_csv']]);
    expect(o.rows).toHaveLength(50);
  });

  it('rows with the wrong number of cells are wrong_columns; CRLF, BOM, blank lines', () => {
    const o = parse('\uFEFFa,b\r\n1,2\r\n\r\n1,2,3\r\n4\r\n"5","6"\r\n');
    expect(o.rows).toEqual([[2, { a: '1', b: '2' }], [6, { a: '5', b: '6' }]]);
    expect(o.rejects.map(([l, r]) => [l, r])).toEqual([[4, 'wrong_columns'], [5, 'wrong_columns']]);
    expect(o.blank).toEqual([3, 7]);
  });

  it('detects the delimiter from the header, names empty and repeated columns like DuckDB', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb,c\td')).toBe('\t');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
    expect(parse('a;;a\n1;2;3\n').rows).toEqual([[2, { a: '1', column1: '2', a_1: '3' }]]);
  });

  it('a header that opens a quote it does not close is an input error', () => {
    expect(() => parse('"a,b\nc,d\n')).toThrow(/header of x\.csv/);
  });
});

describe('stageFile on CSV', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cf-csv-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('151 rows with one stray quote: 150 rows kept, the bad one quarantined at its line', async () => {
    const f = join(dir, 'stray.csv');
    await writeFile(f, serpCsv(151, (i, c) => { if (i === 40) c[1] = '"how to reset'; }));
    const { conn, close } = await openDb({ threads: 2 });
    try {
      await conn.run(`CREATE TEMP TABLE stg (${STAGING_COLUMNS})`);
      const s = await stageFile(conn, 'stg', 0, f, { format: 'auto', tmpPath: () => join(dir, `t${n++}`), tempFiles: [], maxRowBytes: 1 << 20 });
      expect(s.rows).toBe(151);
      expect(s.columns).toEqual(['serp_id', 'query', 'ts', 'results', 'clicks']);
      const bad = await queryRows<{ line: number; pre_reason: string }>(conn, 'SELECT line, pre_reason FROM stg WHERE pre_reason IS NOT NULL');
      expect(bad).toEqual([{ line: 41, pre_reason: 'malformed_csv' }]);
      const good = await queryRows<{ line: number; raw: string }>(conn, 'SELECT line, raw FROM stg WHERE pre_reason IS NULL ORDER BY line');
      expect(good).toHaveLength(150);
      expect(good.every((g) => (JSON.parse(g.raw) as { serp_id: string }).serp_id === `s${g.line - 1}`)).toBe(true);
      expect(JSON.parse(good[1]!.raw)).toEqual({ serp_id: 's2', query: 'query 2', ts: '2024-03-01T10:00:00Z', results: 'd1|d2|d3', clicks: '[{"doc_id":"d2"}]' });
    } finally { close(); }
  });
});
