import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { detectFormat } from '../../../src/stages/ingest/format.js';
import { prescanTextFile } from '../../../src/stages/ingest/prescan.js';
import { STAGING_COLUMNS, stageFile } from '../../../src/stages/ingest/staging.js';

let dir: string;
let n = 0;
const tmpPath = () => join(dir, `clean-${n++}.tmp`);
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cf-src-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('detectFormat', () => {
  it('picks the format from the extension unless configured', () => {
    expect(detectFormat('a/b.jsonl')).toBe('jsonl');
    expect(detectFormat('a/b.NDJSON')).toBe('jsonl');
    expect(detectFormat('b.csv')).toBe('csv');
    expect(detectFormat('b.parquet')).toBe('parquet');
    expect(detectFormat('b.txt', 'csv')).toBe('csv');
    expect(() => detectFormat('b.txt')).toThrow(/input.format/);
  });
});

describe('prescanTextFile', () => {
  it('counts lines with and without a final newline and finds blank lines', async () => {
    const a = join(dir, 'a.csv');
    await writeFile(a, 'h\n1\n\n  \n2');
    const r = await prescanTextFile(a, { jsonl: false, collectBlank: true, tmpPath });
    expect(r.lines).toBe(5);
    expect(r.blankLines).toEqual([3, 4]);
    expect(r.cleanedPath).toBeUndefined();
    await writeFile(a, 'h\n1\n');
    expect((await prescanTextFile(a, { jsonl: false, collectBlank: false, tmpPath })).lines).toBe(2);
  });

  it('blanks invalid UTF-8 and 0x1F lines in a cleaned copy, keeping line numbers', async () => {
    const a = join(dir, 'b.jsonl');
    await writeFile(a, Buffer.concat([Buffer.from('{"a":1}\n{"a":"\xe9"}\n', 'latin1'), Buffer.from('{"a":"x\x1Fy"}\n{"a":4}\n')]));
    const r = await prescanTextFile(a, { jsonl: true, collectBlank: false, tmpPath });
    expect(r.badLines.map((b) => [b.line, b.reason])).toEqual([[2, 'invalid_utf8'], [3, 'malformed_json']]);
    expect(r.badLines[0]!.raw).toContain('\ufffd');
    expect(await readFile(r.cleanedPath!, 'utf8')).toBe('{"a":1}\n\n\n{"a":4}\n');
  });
});

describe('prescanTextFile: rows longer than maxRowBytes', () => {
  it('flags a long line inside a chunk with its beginning as raw and blanks it in the cleaned copy', async () => {
    const a = join(dir, 'long.jsonl');
    await writeFile(a, `{"a":1}\n{"a":"${'x'.repeat(5000)}"}\n{"a":3}\n`);
    const r = await prescanTextFile(a, { jsonl: true, collectBlank: false, tmpPath, maxRowBytes: 1024 });
    expect(r.lines).toBe(3);
    expect(r.badLines.map((b) => [b.line, b.reason])).toEqual([[2, 'row_too_long']]);
    expect(r.badLines[0]!.raw).toBe(`{"a":"${'x'.repeat(2000 - 6)}`);
    expect(r.badLines[0]!.detail).toContain('5,008 bytes, above input.maxRowBytes (1,024)');
    expect(await readFile(r.cleanedPath!, 'utf8')).toBe('{"a":1}\n\n{"a":3}\n');
  });

  it('a line longer than a read chunk (20 MB, no final newline after it) is counted, not held', async () => {
    const a = join(dir, 'huge.jsonl');
    await writeFile(a, Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.alloc(20 << 20, 0x61), Buffer.from('\n{"a":2}')]));
    const r = await prescanTextFile(a, { jsonl: true, collectBlank: false, tmpPath, maxRowBytes: 8 << 20 });
    expect(r.lines).toBe(3);
    expect(r.badLines.map((b) => [b.line, b.reason, b.raw.length])).toEqual([[2, 'row_too_long', 2000]]);
    expect(await readFile(r.cleanedPath!, 'utf8')).toBe('{"a":1}\n\n{"a":2}');
  });
});

describe('stageFile', () => {
  it('numbers JSONL lines in file order on a file of many chunks', async () => {
    const f = join(dir, 'big.jsonl');
    const N = 200_000;
    const parts: string[] = [];
    for (let i = 1; i <= N; i++) parts.push(i % 50_000 === 0 ? '' : `{"n":${i}}`);
    await writeFile(f, parts.join('\n') + '\n');
    const { conn, close } = await openDb({ threads: 2 });
    try {
      await conn.run(`CREATE TEMP TABLE stg (${STAGING_COLUMNS})`);
      const s = await stageFile(conn, 'stg', 0, f, { format: 'auto', tmpPath, tempFiles: [], maxRowBytes: 8 << 20 });
      expect(s.rows).toBe(N);
      const [r] = await queryRows<{ bad: number; blank: number }>(conn, `SELECT count(*) FILTER (WHERE pre_reason IS NULL AND CAST(raw::JSON->>'n' AS BIGINT) <> line) AS bad, count(*) FILTER (WHERE pre_reason = 'blank_line') AS blank FROM stg`);
      expect(r).toEqual({ bad: 0, blank: 4 });
    } finally { close(); }
  });
});
