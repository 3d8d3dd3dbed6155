import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createJsonlSink, createLinesSink, createParquetSink, createTableSink, createTsvSink, fileSinks, pipeRows, rowGroupSizeFor,
} from '../../../src/adapters/sinks/index.js';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { recordSinkContract, type RecordSinkCase } from '../../ports/record-sink-contract.js';

let dir: string;
let db: Awaited<ReturnType<typeof openDb>>;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await openDb({ threads: 2 });
  conn = db.conn;
});
afterAll(() => db.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-sinks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readJsonl = async (p: string): Promise<unknown[]> => {
  const s = await readFile(p, 'utf8');
  return s === '' ? [] : s.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
};
const readParquet = (p: string) => queryRows(conn, `SELECT * FROM read_parquet('${p.replace(/'/g, "''")}')`);
const leftovers = async () => (await readdir(dir, { recursive: true })).filter((f) => f.split('/').pop()!.startsWith('.'));

interface Row { q: string; text: string; score: number; tags: string[] }
const rowsOf = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ q: `q${i}`, text: `text ${i} é \u{1F600} "quoted"\n\ttab`, score: i / 4, tags: [`t${i % 3}`] }));
const COLUMNS = { q: 'VARCHAR', text: 'VARCHAR', score: 'DOUBLE', tags: 'VARCHAR[]' };

/** Every sink kind through the RecordSink contract. */
const kinds: Record<string, RecordSinkCase<unknown>> = {
  jsonl: {
    open: (d, name) => createJsonlSink(join(d, `${name}.jsonl`)),
    rows: rowsOf,
    read: (paths) => readJsonl(paths[0]!),
    expected: (rows) => rows,
    refused: { a: 1n },
  },
  lines: {
    open: (d, name) => createLinesSink(join(d, `${name}.txt`)),
    rows: (n) => rowsOf(n).map((r) => `${r.q} ${r.score}`),
    read: async (paths) => (await readFile(paths[0]!, 'utf8')).split('\n').slice(0, -1),
    expected: (rows) => rows,
    refused: 'two\nlines',
  },
  tsv: {
    open: (d, name) => createTsvSink(join(d, `${name}.tsv`), ['query-id', 'corpus-id', 'score']),
    rows: (n) => rowsOf(n).map((r, i) => [r.q, `d"${i}`, i % 3]),
    read: async (paths) => (await readFile(paths[0]!, 'utf8')).split('\n').slice(1, -1).map((l) => l.split('\t')),
    expected: (rows) => (rows as unknown[][]).map((r) => r.map(String)),
    refused: ['q', 'd\t1', 1],
  },
  'table jsonl+parquet': {
    open: (d, name) => createTableSink(join(d, name), ['jsonl', 'parquet'], { conn, columns: COLUMNS }),
    rows: rowsOf,
    read: async (paths) => {
      const [j, p] = [await readJsonl(paths[0]!), await readParquet(paths[1]!)];
      expect(p).toEqual(j);
      return j;
    },
    expected: (rows) => rows,
    refused: { q: 1n },
  },
  'parquet only (inferred schema)': {
    open: (d, name) => createParquetSink(conn, join(d, name)),
    rows: rowsOf,
    read: (paths) => readParquet(paths[0]!),
    expected: (rows) => rows,
  },
  'fileSinks.table (what the export stage gets)': {
    open: (d, name) => fileSinks.table(join(d, name), ['jsonl'], conn),
    rows: rowsOf,
    read: (paths) => readJsonl(paths[0]!),
    expected: (rows) => rows,
  },
  'fileSinks.tsv (what the export stage gets)': {
    open: (d, name) => fileSinks.tsv(join(d, `${name}.tsv`), ['a', 'b']),
    rows: (n) => Array.from({ length: n }, (_, i) => [`q${i}`, i]),
    read: async (paths) => (await readFile(paths[0]!, 'utf8')).split('\n').slice(1, -1).map((l) => l.split('\t')),
    expected: (rows) => (rows as unknown[][]).map((r) => r.map(String)),
    refused: ['"quoted', 1],
  },
};
for (const [name, kind] of Object.entries(kinds)) recordSinkContract(name, kind);

describe('createJsonlSink', () => {
  it('waits for the stream to drain when it is behind, and writes every byte once', async () => {
    const path = join(dir, 'many.jsonl');
    const sink = await createJsonlSink<Row>(path, { chunkBytes: 256, highWaterMark: 1024 });
    const rows = rowsOf(20_000);
    for (const r of rows) await sink.write(r);
    expect(sink.drainWaits).toBeGreaterThan(10);
    await sink.commit();
    expect((await stat(path)).size).toBe(sink.bytes);
    expect(await readJsonl(path)).toEqual(rows);
  });

  it('keeps order and content when the caller does not wait for the drains', async () => {
    const path = join(dir, 'nowait.jsonl');
    const sink = await createJsonlSink<Row>(path, { chunkBytes: 128, highWaterMark: 128 });
    const rows = rowsOf(5_000);
    await Promise.all(rows.map((r) => sink.write(r)));
    await sink.commit();
    expect(await readJsonl(path)).toEqual(rows);
  });

  it('writes rows larger than a chunk, and multi-byte characters across chunk ends', async () => {
    const path = join(dir, 'big.jsonl');
    const sink = await createJsonlSink(path, { chunkBytes: 100 });
    const rows = [{ t: 'x'.repeat(1000) }, { t: 'é'.repeat(70) }, { t: '\u{1F600}'.repeat(40) }, { t: 'a' }, { t: 'ü'.repeat(49) }];
    for (const r of rows) await sink.write(r);
    await sink.commit();
    expect(await readJsonl(path)).toEqual(rows);
  });

  it('a reader sees the old file or the whole new one, never a partial one', async () => {
    const path = join(dir, 'live.jsonl');
    await writeFile(path, '{"old":true}\n');
    const full = rowsOf(3_000);
    const sink = await createJsonlSink<Row>(path, { chunkBytes: 4096 });
    let done = false;
    const seen = new Set<string>();
    const reader = (async () => {
      while (!done) {
        const s = await readFile(path, 'utf8');
        const n = s.split('\n').length - 1;
        seen.add(s === '{"old":true}\n' ? 'old' : n === full.length ? 'new' : `partial ${n}`);
      }
    })();
    for (const r of full) await sink.write(r);
    await sink.commit();
    done = true;
    await reader;
    seen.add((await readFile(path, 'utf8')).split('\n').length - 1 === full.length ? 'new' : 'partial');
    expect([...seen].sort()).toEqual(['new', 'old']);
  });

  it('an unwritable folder fails with the path in the message', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const path = join(dir, 'file', 'sub', 'out.jsonl');
    await expect(createJsonlSink(path)).rejects.toThrow(path);
  });

  it('a row JSON cannot encode is refused with the path and row; the sink stays usable', async () => {
    const path = join(dir, 'bad.jsonl');
    const sink = await createJsonlSink(path);
    await sink.write({ a: 1 });
    await expect(sink.write({ a: 2n })).rejects.toThrow(`${path}: row 2 cannot be written as JSON`);
    await expect(sink.write(undefined)).rejects.toThrow(/row 2 is undefined/);
    await sink.write({ a: 3 });
    expect(await sink.commit()).toBe(2);
    expect(await readJsonl(path)).toEqual([{ a: 1 }, { a: 3 }]);
    await expect(sink.write({ a: 4 })).rejects.toThrow(/write after the sink was committed/);
  });

  it('two concurrent commits resolve alike', async () => {
    const path = join(dir, 'twice.jsonl');
    const sink = await createJsonlSink(path);
    await sink.write({ a: 1 });
    expect(await Promise.all([sink.commit(), sink.commit()])).toEqual([1, 1]);
    expect(await readJsonl(path)).toEqual([{ a: 1 }]);
  });

  it('fsync: false commits the same bytes', async () => {
    const path = join(dir, 'durable.jsonl');
    await pipeRows(await createJsonlSink(path, { fsync: false }), rowsOf(10));
    expect(await readJsonl(path)).toEqual(rowsOf(10));
  });

  it('pipeRows aborts when the rows fail, leaving the old file', async () => {
    const path = join(dir, 'piped.jsonl');
    await writeFile(path, 'old\n');
    async function* failing() {
      yield { a: 1 };
      throw new Error('upstream broke');
    }
    await expect(pipeRows(await createJsonlSink(path), failing())).rejects.toThrow('upstream broke');
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await leftovers()).toEqual([]);
  });
});

describe('createTsvSink', () => {
  it.each([
    ['a tab', 'd\t1', /contains a tab, line break or control character/],
    ['an LF', 'd\n1', /contains a tab, line break or control character/],
    ['a CR', 'd\r1', /contains a tab, line break or control character/],
    ['an escape character', 'd\u001b[31m', /contains a tab, line break or control character/],
    ['a leading quote', '"d1', /starts with a double quote/],
  ])('refuses a field with %s, naming the file, row, column and value', async (_what, value, reason) => {
    const path = join(dir, 'qrels', 'test.tsv');
    const sink = await createTsvSink(path, ['query-id', 'corpus-id', 'score']);
    await sink.write(['q1', 'd0', 1]);
    const err = await sink.write(['q1', value, 1]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`${path}: row 2, column "corpus-id": the value ${JSON.stringify(value)}`);
    expect((err as Error).message).toMatch(reason);
    expect(await sink.commit()).toBe(1);
    expect(await readFile(path, 'utf8')).toBe('query-id\tcorpus-id\tscore\nq1\td0\t1\n');
  });

  it('refuses a row of the wrong width and a non-finite number', async () => {
    const sink = await createTsvSink(join(dir, 'x.tsv'), ['a', 'b']);
    await expect(sink.write(['1'])).rejects.toThrow(/row 1 has 1 fields, the header has 2/);
    await expect(sink.write(['1', Number.NaN])).rejects.toThrow(/is not a finite number/);
    await sink.abort();
  });

  it('zero rows give the header alone', async () => {
    const path = join(dir, 'h.tsv');
    await pipeRows(await createTsvSink(path, ['query-id', 'corpus-id', 'score']), []);
    expect(await readFile(path, 'utf8')).toBe('query-id\tcorpus-id\tscore\n');
  });
});

describe('Parquet', () => {
  it('declared columns: zero rows keep the schema', async () => {
    const sink = await createParquetSink(conn, join(dir, 'empty'), { columns: COLUMNS });
    expect(await sink.commit()).toBe(0);
    const cols = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM read_parquet('${join(dir, 'empty.parquet')}')`);
    expect(cols.map((c) => `${c.column_name} ${c.column_type}`)).toEqual(['q VARCHAR', 'text VARCHAR', 'score DOUBLE', 'tags VARCHAR[]']);
  });

  it('nested rows round-trip with an inferred schema over many row groups', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ query: `q${i}`, passages: [{ docid: `d${i}`, title: '', text: `t${i}` }], neg: i % 2 ? [] : ['x', 'y'] }));
    const sink = await createTableSink(join(dir, 'nested'), ['parquet'], { conn, rowGroupSize: 2048 });
    expect(await pipeRows(sink, rows)).toBe(5000);
    expect(await readParquet(join(dir, 'nested.parquet'))).toEqual(rows);
    const groups = await queryRows(conn, `SELECT DISTINCT row_group_id FROM parquet_metadata('${join(dir, 'nested.parquet')}')`);
    expect(groups.length).toBe(3);
    expect(await readdir(dir)).toEqual(['nested.parquet']);
  });

  it('row groups follow rowGroupBytes: wide rows get small groups, narrow rows DuckDB\'s default', async () => {
    expect(rowGroupSizeFor(18_500)).toBe(4096);
    expect(rowGroupSizeFor(200_000)).toBe(2048);
    expect(rowGroupSizeFor(100)).toBe(122_880);
    const rows = Array.from({ length: 5000 }, (_, i) => ({ t: `${i}`.padStart(90, 'x') }));
    const path = join(dir, 'groups');
    await pipeRows(await createParquetSink(conn, path, { rowGroupBytes: 2048 * 100 }), rows);
    const groups = await queryRows<{ n: number }>(conn, `SELECT row_group_num_rows AS n FROM parquet_metadata('${path}.parquet') ORDER BY row_group_id`);
    expect(groups.map((g) => g.n)).toEqual([2048, 2048, 904]);
  });

  it('a failed conversion replaces neither target and removes the temp files', async () => {
    await writeFile(join(dir, 't.jsonl'), 'old\n');
    await writeFile(join(dir, 't.parquet'), 'old');
    const sink = await createTableSink(join(dir, 't'), ['jsonl', 'parquet'], { conn, columns: { score: 'INTEGER' } });
    await sink.write({ score: 'not a number' });
    await expect(sink.commit()).rejects.toThrow(join(dir, 't.parquet'));
    expect(await readFile(join(dir, 't.jsonl'), 'utf8')).toBe('old\n');
    expect(await readFile(join(dir, 't.parquet'), 'utf8')).toBe('old');
    expect(await leftovers()).toEqual([]);
  });

  it('Parquet without a connection is a usage error that says what to pass', async () => {
    await expect(createTableSink(join(dir, 'x'), ['parquet'])).rejects.toThrow(/needs a DuckDB connection; pass `conn`/);
  });
});
