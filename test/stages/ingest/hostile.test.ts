import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { exitCodeFor } from '../../../src/errors.js';
import { ingest, type IngestResult } from '../../../src/stages/ingest/ingest.js';
import { NoUsableRowsError } from '../../../src/stages/ingest/no-usable-rows.js';
import { ingestOptions } from '../../../src/stages/ingest/options.js';
import type { StageStats } from '../../../src/types.js';

type Q = { input: string; file: string; line: number; reason: string; detail: string; raw: string };

let dir: string;
let runs = 0;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cf-hostile-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const serp = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ serp_id: `s${i}`, ts: 1704103200000 + i * 1000, query: `q${i}`, results: ['d1', 'd2'], ...extra });
const jsonl = (rows: string[]) => `${rows.join('\n')}\n`;

async function run(o: Record<string, unknown>, quarantineFile?: string): Promise<{ result?: IngestResult; error?: unknown; q: Q[] }> {
  const { conn, close } = await openDb({ threads: 2 });
  try {
    let result: IngestResult | undefined;
    let error: unknown;
    try {
      result = await ingest(conn, ingestOptions.parse(o), quarantineFile ? { quarantineFile } : {});
    } catch (e) { error = e; }
    const q = await queryRows<Q>(conn, 'SELECT input, file, line, reason, detail, raw FROM quarantine ORDER BY input, file, line').catch(() => []);
    return { ...(result ? { result } : {}), error, q };
  } finally { close(); }
}

/** rows read = rows loaded + row-level drops (reasons without a '.'). */
const addsUp = (s: StageStats) => expect(s.in.rows).toBe((s.out.rows ?? 0) + Object.entries(s.dropped).filter(([k]) => !k.includes('.')).reduce((a, [, n]) => a + n, 0));

describe('input.maxRowBytes: one long row does not stop the build', () => {
  it('a 9 MB SERP line and a 9 MB CSV corpus row are quarantined as row_too_long with their beginning; a 2.5 MB document loads', async () => {
    const serps = join(dir, 'long-serps.jsonl');
    await writeFile(serps, jsonl([serp(1), serp(2, { query: `q${'x'.repeat(9 << 20)}` }), serp(3)]));
    const corpus = join(dir, 'long-corpus.csv');
    await writeFile(corpus, `doc_id,text\nd1,short\nd2,${'y'.repeat(9 << 20)}\nd3,${'z'.repeat(2_500_000)}\n`);
    const { result, error, q } = await run({ serps: [serps], corpus });
    expect(error).toBeUndefined();
    const [s, c] = result!.stats;
    addsUp(s!);
    addsUp(c!);
    expect(s!.out.rows).toBe(2);
    expect(c!.out.rows).toBe(2);
    const long = q.filter((x) => x.reason === 'row_too_long');
    expect(long.map((x) => [x.input, x.line])).toEqual([['corpus', 3], ['serps', 2]]);
    for (const x of long) {
      expect(x.raw.length).toBe(2000);
      expect(x.detail).toMatch(/9,437,\d+ bytes, above input\.maxRowBytes \(8,388,608\)/);
    }
    expect(long[1]!.raw.startsWith('{"serp_id":"s2"')).toBe(true);
  });

  it('input.maxRowBytes is the limit: a smaller one quarantines a 2.5 MB document', async () => {
    const corpus = join(dir, 'docs.jsonl');
    await writeFile(corpus, jsonl([JSON.stringify({ doc_id: 'd1', text: 'a' }), JSON.stringify({ doc_id: 'd2', text: 'b'.repeat(2_500_000) })]));
    const serps = join(dir, 'ok.jsonl');
    await writeFile(serps, jsonl([serp(1)]));
    const { result, q } = await run({ serps: [serps], corpus, maxRowBytes: 1_000_000 });
    expect(result!.stats[1]!.dropped).toEqual({ row_too_long: 1 });
    expect(q.map((x) => [x.line, x.reason])).toEqual([[2, 'row_too_long']]);
    expect(ingestOptions.parse({}).maxRowBytes).toBe(8 * 1024 * 1024);
  });
});

describe('no usable click-log row: an input error naming the reasons and files, quarantine written', () => {
  const corpus = () => join(dir, 'c.jsonl');
  beforeAll(async () => { await writeFile(corpus(), jsonl([JSON.stringify({ doc_id: 'd1', text: 'a' })])); });

  async function expectNoUsable(o: Record<string, unknown>, message: RegExp[], reasons: Record<string, number>) {
    const qf = join(dir, `q-${runs++}`, 'quarantine.jsonl');
    const { error, q } = await run({ corpus: corpus(), ...o }, qf);
    expect(error).toBeInstanceOf(NoUsableRowsError);
    expect(exitCodeFor(error)).toBe(3);
    const e = error as NoUsableRowsError;
    expect(e.code).toBe('no_usable_rows');
    for (const m of message) expect(e.message).toMatch(m);
    expect(e.message).not.toMatch(/estimator|pbm/);
    const got: Record<string, number> = {};
    for (const r of e.reasons) got[r.reason] = (got[r.reason] ?? 0) + r.rows;
    expect(got).toEqual(reasons);
    const written = (await readFile(qf, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Q);
    expect(written.length).toBe(q.length);
    expect(e.quarantined).toBe(q.length);
    expect(e.message).toContain(qf);
    return e;
  }

  it('a wrong column mapping', async () => {
    const f = join(dir, 'mapped.jsonl');
    await writeFile(f, jsonl([serp(1), serp(2), serp(3)]));
    await expectNoUsable({ serps: [f], columns: { serps: { query: 'search_text' } } },
      [/no usable click-log row/, /mapped\.jsonl: 3 rows read/, /missing_field x 3 in mapped\.jsonl \(first at line 1: "query" \(column "search_text"\) is missing\)/, /has no column "search_text": set input\.columns\.serps\.query/, /columns serp_id, ts, query, results/],
      { missing_field: 3 });
  });

  it('Parquet with wrong column types', async () => {
    const f = join(dir, 'types.parquet');
    const db = await openDb();
    await db.conn.run(`COPY (SELECT * FROM (VALUES ('p1', true, 'q', 5), ('p2', false, 'q', 6)) t(serp_id, ts, query, results)) TO '${f}' (FORMAT parquet)`);
    db.close();
    await expectNoUsable({ serps: [f] }, [/types\.parquet: 2 rows read/, /bad_timestamp x 2 in types\.parquet/], { bad_timestamp: 2 });
  });

  it('a forced timestamp form that the file does not use', async () => {
    const f = join(dir, 'iso.jsonl');
    await writeFile(f, jsonl([1, 2].map((i) => JSON.stringify({ serp_id: `s${i}`, ts: '2024-01-01T10:00:00Z', query: 'q', results: ['d1'] }))));
    await expectNoUsable({ serps: [f], timestamps: 'epoch_ms' }, [/bad_timestamp x 2 in iso\.jsonl/, /input\.timestamps is 'epoch_ms'/], { bad_timestamp: 2 });
  });

  it('a header-only CSV', async () => {
    const f = join(dir, 'header.csv');
    await writeFile(f, 'serp_id,ts,query,results\n');
    await expectNoUsable({ serps: [f] }, [/header\.csv: a header line and no data rows/, /the file has no data rows/], {});
  });

  it('an empty file (and events with no search)', async () => {
    const f = join(dir, 'empty.jsonl');
    await writeFile(f, '');
    const ev = join(dir, 'events.jsonl');
    await writeFile(ev, jsonl([JSON.stringify({ type: 'click', ts: 1704103200000, serp_id: 'zz', doc_id: 'd1' })]));
    await expectNoUsable({ serps: [f], events: [ev] }, [/empty\.jsonl: empty/, /events\.jsonl: 1 rows read/, /unknown_serp x 1 in events\.jsonl/], { unknown_serp: 1 });
  });

  it('without a quarantine path the error says the quarantine table holds the rows; a corpus with no usable row is the same error', async () => {
    const f = join(dir, 'fine.jsonl');
    await writeFile(f, jsonl([serp(1)]));
    const bad = join(dir, 'bad-corpus.jsonl');
    await writeFile(bad, jsonl([JSON.stringify({ id: 'd1', body: 'a' })]));
    const { error } = await run({ serps: [f], corpus: bad });
    expect(error).toBeInstanceOf(NoUsableRowsError);
    expect((error as NoUsableRowsError).input).toBe('corpus');
    expect((error as Error).message).toMatch(/no usable corpus row: no document was loaded.*missing_field x 1 in bad-corpus\.jsonl.*The quarantine table holds 1 rows/);
  });
});

describe('CSV: one stray quote', () => {
  it('151 SERP rows with a stray quote in one query: 150 loaded, the bad row quarantined (before: 50 loaded, 101 quarantined)', async () => {
    const f = join(dir, 'stray.csv');
    const rows = ['serp_id,query,ts,results,clicks'];
    for (let i = 1; i <= 151; i++) rows.push([`s${i}`, i === 40 ? '"how to reset okta' : `query ${i}`, '2024-03-01T10:00:00Z', 'd1|d2', i % 3 ? '"[{""doc_id"":""d2""}]"' : ''].join(','));
    await writeFile(f, `${rows.join('\n')}\n`);
    const { result, q } = await run({ serps: [f] });
    const s = result!.stats[0]!;
    addsUp(s);
    expect(s.out.rows).toBe(150);
    expect(s.out.clicks).toBe(100);
    expect(q.map((x) => [x.line, x.reason])).toEqual([[41, 'malformed_csv']]);
    expect(q[0]!.raw).toBe('s40,"how to reset okta,2024-03-01T10:00:00Z,d1|d2,"[{""doc_id"":""d2""}]"');
  });
});

describe('non-finite numbers and implausible times', () => {
  it('NaN / Infinity dwell, value and rank (strings or JSON literals) are quarantined, not taken as numbers', async () => {
    const f = join(dir, 'nan.jsonl');
    await writeFile(f, [
      serp(1, { clicks: [{ doc_id: 'd1', dwell_ms: 'NaN' }, { doc_id: 'd2', dwell_ms: 5 }] }),
      serp(2, { clicks: [{ doc_id: 'd1', dwell_ms: 'x' }] }).replace('"x"', 'Infinity'),
      serp(3, { conversions: [{ doc_id: 'd1', kind: 'buy', value: 'x' }] }).replace('"x"', 'NaN'),
    ].join('\n') + '\n');
    const ev = join(dir, 'nan-events.jsonl');
    await writeFile(ev, jsonl([
      JSON.stringify({ type: 'search', ts: 1704103200000, serp_id: 'e1', query: 'q' }),
      JSON.stringify({ type: 'impression', ts: 1704103200000, serp_id: 'e1', doc_id: 'd1', rank: 1 }),
      JSON.stringify({ type: 'impression', ts: 1704103200000, serp_id: 'e1', doc_id: 'd2', rank: 'x' }).replace('"x"', 'NaN'),
      JSON.stringify({ type: 'click', ts: 1704103201000, serp_id: 'e1', doc_id: 'd1', dwell_ms: 'Infinity' }),
    ]));
    const { result, q, error } = await run({ serps: [f], events: [ev] });
    expect(error).toBeUndefined();
    expect(q.map((x) => [x.input, x.line, x.reason])).toEqual([['events', 3, 'bad_type'], ['events', 4, 'bad_type'], ['serps', 1, 'bad_type'], ['serps', 2, 'bad_type'], ['serps', 3, 'bad_type']]);
    expect(q.find((x) => x.input === 'serps' && x.line === 1)!.detail).toContain('dwell_ms "NaN" is not a finite number');
    expect(result!.fixed.serps ?? {}).toEqual({});
    const [sr] = result!.stats;
    expect(sr!.dropped).toEqual({ 'clicks.bad_type': 2, 'conversions.bad_type': 1 });
  });

  it('times before 1990 or from 2100 on are timestamp_out_of_range; a time more than a day ahead of the clock is a warning', async () => {
    const future = Date.now() + 3 * 24 * 3600 * 1000;
    const f = join(dir, 'times.jsonl');
    await writeFile(f, jsonl([
      JSON.stringify({ serp_id: 'a', ts: '0001-01-01T00:00:00Z', query: 'q', results: ['d1'] }),
      JSON.stringify({ serp_id: 'b', ts: '275760-01-01', query: 'q', results: ['d1'] }),
      JSON.stringify({ serp_id: 'c', ts: 1704103200000 * 1000, query: 'q', results: ['d1'] }),
      JSON.stringify({ serp_id: 'd', ts: 1704103200000, query: 'q', results: ['d1'], clicks: [{ doc_id: 'd1', ts: 5000 }] }),
      JSON.stringify({ serp_id: 'e', ts: future, query: 'q', results: ['d1'] }),
      JSON.stringify({ serp_id: 'f', ts: 'NaN', query: 'q', results: ['d1'] }),
    ]));
    const { result, q } = await run({ serps: [f] });
    expect(q.map((x) => [x.line, x.reason])).toEqual([[1, 'timestamp_out_of_range'], [2, 'timestamp_out_of_range'], [3, 'timestamp_out_of_range'], [4, 'timestamp_out_of_range'], [6, 'bad_timestamp']]);
    expect(q[0]!.detail).toMatch(/"ts" value "0001-01-01T00:00:00Z" is about the year 1, outside 1990-01-01 \.\. 2100-01-01/);
    expect(q[2]!.detail).toContain('microseconds or nanoseconds');
    expect(q[3]!.detail).toMatch(/^click #1 of serp "d": ts value "5000" is about the year 1970/);
    expect(result!.stats[0]!.out.rows).toBe(2);
    expect(result!.warnings.some((w) => /^1 result pages have a time more than a day after this machine's clock \(earliest .* at .*times\.jsonl:5\)/.test(w))).toBe(true);
  });
});
