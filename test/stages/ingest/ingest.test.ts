import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { ClickforgeError, exitCodeFor } from '../../../src/errors.js';
import { ingest, type IngestResult } from '../../../src/stages/ingest/ingest.js';
import { ingestOptions, type IngestOptions } from '../../../src/stages/ingest/options.js';
import type { StageStats } from '../../../src/types.js';

const M = join(import.meta.dirname, '..', '..', 'fixtures', 'messy');
const opts = (o: Record<string, unknown>): IngestOptions => ingestOptions.parse(o);

type Q = { file: string; line: number; reason: string; detail: string; raw: string; input: string };

async function run(o: Record<string, unknown>) {
  const db = await openDb({ threads: 2 });
  const result = await ingest(db.conn, opts(o));
  return { ...db, result };
}

/** rows read = rows loaded + row-level drops; sub-units (clicks./conversions./results.) likewise. */
function expectCountsAddUp(s: StageStats) {
  const sum = (prefix: string) => Object.entries(s.dropped).filter(([k]) => (prefix ? k.startsWith(prefix) : !k.includes('.'))).reduce((a, [, n]) => a + n, 0);
  expect(s.in.rows).toBe((s.out.rows ?? 0) + sum(''));
  for (const unit of ['clicks', 'conversions', 'results'] as const) {
    if (s.stage === 'ingest:serps') {
      const outKey = unit === 'results' ? 'impressions' : unit;
      expect(s.in[unit]).toBe((s.out[outKey] ?? 0) + sum(`${unit}.`));
    }
  }
}

describe('ingest on messy JSONL fixtures', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  let r: IngestResult;
  let q: Q[];
  const qAt = (file: string, line: number) => q.filter((x) => x.file.endsWith(file) && x.line === line).map((x) => x.reason);

  beforeAll(async () => {
    ({ conn, close, result: r } = await run({
      serps: [join(M, 'serps.jsonl'), join(M, 'empty.jsonl')], events: [join(M, 'events.jsonl')],
      corpus: join(M, 'corpus.jsonl'), labels: join(M, 'labels.csv'),
    }));
    q = await queryRows<Q>(conn, 'SELECT * FROM quarantine ORDER BY file, line');
  });
  afterAll(() => close());

  it('counts add up for every input kind, and quarantine holds every drop except blank lines', async () => {
    expect(r.stats.map((s) => s.stage)).toEqual(['ingest:serps', 'ingest:events', 'ingest:corpus', 'ingest:labels']);
    for (const s of r.stats) expectCountsAddUp(s);
    const drops = r.stats.flatMap((s) => Object.entries(s.dropped)).filter(([k]) => !k.endsWith('blank_line')).reduce((a, [, n]) => a + n, 0);
    expect(q.length).toBe(drops);
    expect(r.stats[0]!.in.rows).toBe(14);
  });

  it('quarantines row-level problems of SERP records with the right reason and line', () => {
    expect(qAt('serps.jsonl', 2)).toEqual(['malformed_json']);
    expect(qAt('serps.jsonl', 3)).toEqual([]);
    expect(r.stats[0]!.dropped.blank_line).toBe(1);
    expect(qAt('serps.jsonl', 4)).toEqual(['missing_field']);
    expect(qAt('serps.jsonl', 5)).toEqual(['bad_type']);
    expect(qAt('serps.jsonl', 6)).toEqual(['bad_timestamp']);
    expect(qAt('serps.jsonl', 8)).toEqual(['duplicate_event']);
    expect(qAt('serps.jsonl', 9)).toEqual(['duplicate_serp_id']);
    expect(qAt('serps.jsonl', 10)).toEqual(['invalid_utf8']);
    expect(qAt('serps.jsonl', 11)).toEqual(['malformed_json']);
    expect(qAt('serps.jsonl', 13)).toEqual(['malformed_json']);
    expect(qAt('serps.jsonl', 14)).toEqual(['bad_type']);
    const bt = q.find((x) => x.file.endsWith('serps.jsonl') && x.line === 6)!;
    expect(bt.detail).toContain('yesterday');
  });

  it('handles click-level problems inside a SERP record', async () => {
    expect(qAt('serps.jsonl', 7).sort()).toEqual(['click_not_shown', 'duplicate_event', 'negative_dwell']);
    const clicks = await queryRows<{ doc_id: string; rank: number; dwell_ms: number | null }>(conn, `SELECT doc_id, rank, dwell_ms FROM clicks WHERE serp_id = 's6' ORDER BY click_id`);
    expect(clicks).toEqual([{ doc_id: 'd3', rank: 3, dwell_ms: null }, { doc_id: 'd2', rank: 2, dwell_ms: null }]);
    expect(r.fixed.serps).toEqual({ click_rank_fixed: 1, absurd_dwell_nulled: 1 });
  });

  it('loads valid records: epoch seconds/ms and ISO to epoch ms, pipe lists, conversions, success', async () => {
    const serps = await queryRows<{ serp_id: string; ts: number; session_success: boolean | null; src_line: number }>(conn, `SELECT serp_id, ts, session_success, src_line FROM serps WHERE serp_id LIKE 's%' ORDER BY serp_id`);
    expect(serps).toEqual([
      { serp_id: 's1', ts: Date.parse('2024-01-01T10:00:00Z'), session_success: true, src_line: 1 },
      { serp_id: 's6', ts: 1704103200000, session_success: null, src_line: 7 },
      { serp_id: 's8', ts: 1704114000000, session_success: null, src_line: 12 },
    ]);
    expect(await queryRows(conn, `SELECT doc_id, rank FROM impressions WHERE serp_id = 's8' ORDER BY rank`)).toEqual([{ doc_id: 'd4', rank: 1 }, { doc_id: 'd5', rank: 2 }]);
    expect(await queryRows(conn, `SELECT dwell_ms, ts FROM clicks WHERE serp_id = 's8'`)).toEqual([{ dwell_ms: 1200, ts: 1704114005000 }]);
    expect(await queryRows(conn, `SELECT serp_id, session_id, doc_id, kind, value FROM conversions WHERE serp_id = 's1'`)).toEqual([{ serp_id: 's1', session_id: 'a', doc_id: 'd2', kind: 'purchase', value: 9.5 }]);
    expect(r.timestampFormats[join(M, 'serps.jsonl')]).toBe('iso');
    expect(r.warnings.some((w) => w.includes('serps.jsonl mixes timestamp formats'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('empty.jsonl is empty'))).toBe(true);
  });

  it('links flat events: search, impressions, clicks with and without serp_id, session end', async () => {
    expect(qAt('events.jsonl', 5)).toEqual(['duplicate_event']);
    expect(qAt('events.jsonl', 6)).toEqual(['click_without_serp']);
    expect(qAt('events.jsonl', 8)).toEqual(['unknown_serp']);
    expect(qAt('events.jsonl', 9)).toEqual(['unknown_serp']);
    expect(qAt('events.jsonl', 12)).toEqual(['bad_type']);
    expect(qAt('events.jsonl', 13)).toEqual(['conflicting_impression']);
    expect(qAt('events.jsonl', 14)).toEqual(['duplicate_serp_id']);
    expect(qAt('events.jsonl', 15)).toEqual(['negative_dwell']);
    const clicks = await queryRows(conn, `SELECT serp_id, doc_id, rank, src_line FROM clicks WHERE serp_id = 'e1' ORDER BY click_id`);
    expect(clicks).toEqual([{ serp_id: 'e1', doc_id: 'd2', rank: 2, src_line: 4 }, { serp_id: 'e1', doc_id: 'd1', rank: 1, src_line: 7 }]);
    expect(r.fixed.events).toEqual({ click_serp_linked: 1, click_rank_fixed: 1 });
    expect(await queryRows(conn, `SELECT session_success FROM serps WHERE serp_id = 'e1'`)).toEqual([{ session_success: true }]);
    expect(await queryRows(conn, `SELECT serp_id, session_id, kind FROM conversions WHERE src_file LIKE '%events.jsonl'`)).toEqual([{ serp_id: null, session_id: 'x1', kind: 'signup' }]);
  });

  it('validates the corpus and labels; clicked docs missing from the corpus are only a warning', async () => {
    expect(qAt('corpus.jsonl', 3)).toEqual(['duplicate_doc_id']);
    expect(qAt('corpus.jsonl', 4)).toEqual(['empty_text']);
    expect(qAt('corpus.jsonl', 6)).toEqual(['missing_field']);
    expect(qAt('corpus.jsonl', 7)).toEqual(['duplicate_event']);
    const d1 = await queryRows<{ extra: string; published_at: number | null }>(conn, `SELECT extra, published_at FROM corpus ORDER BY doc_id`);
    expect(JSON.parse(d1[0]!.extra)).toEqual({ lang: 'en', tags: ['okta'] });
    expect(d1[1]!.published_at).toBe(Date.parse('2023-05-01T00:00:00Z'));
    expect(r.fixed.corpus).toEqual({ published_at_unparsed: 1 });
    expect(qAt('labels.csv', 3)).toEqual(['bad_grade']);
    expect(qAt('labels.csv', 4)).toEqual(['wrong_columns']);
    expect(await queryRows(conn, `SELECT doc_id, grade, src_line FROM labels ORDER BY src_line`)).toEqual([{ doc_id: 'd1', grade: 3, src_line: 2 }, { doc_id: 'd4', grade: 0, src_line: 6 }]);
    expect(r.warnings.some((w) => /\d+ clicked doc ids are not in the corpus/.test(w))).toBe(true);
  });
});

describe('ingest: CSV, Parquet, column mapping, errors', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cf-ingest-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reads SERP CSV with JSON-text cells, pipe lists, a column mapping and true line numbers', async () => {
    const { conn, close, result } = await run({ serps: [join(M, 'serps.csv')], columns: { serps: { query: 'search_text' } } });
    try {
      expectCountsAddUp(result.stats[0]!);
      expect(await queryRows(conn, `SELECT serp_id, query, src_line FROM serps ORDER BY src_line`)).toEqual([
        { serp_id: 'c1', query: 'reset okta', src_line: 2 }, { serp_id: 'c2', query: 'vpn', src_line: 3 }, { serp_id: 'c5', query: 'fine', src_line: 6 }]);
      const q = await queryRows<Q>(conn, `SELECT line, reason FROM quarantine ORDER BY line`);
      expect(q).toEqual([{ line: 4, reason: 'bad_type' }, { line: 5, reason: 'wrong_columns' }]);
      expect(await queryRows(conn, `SELECT count(*)::INT AS n FROM impressions WHERE serp_id = 'c2'`)).toEqual([{ n: 3 }]);
    } finally { close(); }
  });

  it('rejects a mapping key that is not a field', async () => {
    const db = await openDb();
    await expect(ingest(db.conn, opts({ serps: [join(M, 'serps.csv')], columns: { serps: { qeury: 'x' } } }))).rejects.toThrow(/qeury/);
    db.close();
  });

  it('reads Parquet with row numbers and nested lists/structs', async () => {
    const pq = join(dir, 'serps.parquet');
    const db0 = await openDb();
    await db0.conn.run(`COPY (SELECT * FROM (VALUES
      ('p1', 1704103200000, 'q one', ['a', 'b'], [{'doc_id': 'b', 'dwell_ms': 100}]),
      ('p2', 1704103300000, 'q two', ['c'], [{'doc_id': 'zz', 'dwell_ms': 5}])) t(serp_id, ts, query, results, clicks)) TO '${pq}' (FORMAT parquet)`);
    db0.close();
    const { conn, close, result } = await run({ serps: [pq] });
    try {
      expectCountsAddUp(result.stats[0]!);
      expect(result.timestampFormats[pq]).toBe('epoch_ms');
      expect(await queryRows(conn, `SELECT serp_id, src_line FROM serps ORDER BY serp_id`)).toEqual([{ serp_id: 'p1', src_line: 1 }, { serp_id: 'p2', src_line: 2 }]);
      expect(await queryRows(conn, `SELECT doc_id, rank, dwell_ms FROM clicks`)).toEqual([{ doc_id: 'b', rank: 2, dwell_ms: 100 }]);
      expect(await queryRows(conn, `SELECT line, reason FROM quarantine`)).toEqual([{ line: 2, reason: 'click_not_shown' }]);
    } finally { close(); }
  });

  it('forces a timestamp format when configured', async () => {
    const f = join(dir, 'ts.jsonl');
    await writeFile(f, '{"serp_id":"a","ts":1704103200,"query":"q","results":["d"]}\n{"serp_id":"b","ts":"2024-01-01","query":"q","results":["d"]}\n');
    const { conn, close, result } = await run({ serps: [f], timestamps: 'epoch_s' });
    try {
      expect(result.timestampFormats[f]).toBe('epoch_s');
      expect(await queryRows(conn, `SELECT serp_id, ts FROM serps`)).toEqual([{ serp_id: 'a', ts: 1704103200000 }]);
      expect(await queryRows(conn, `SELECT line, reason FROM quarantine`)).toEqual([{ line: 2, reason: 'bad_timestamp' }]);
    } finally { close(); }
  });

  it('throws an input error (exit code 3) naming a missing file', async () => {
    const db = await openDb();
    const missing = join(dir, 'nope.jsonl');
    const err = await ingest(db.conn, opts({ serps: [missing] })).catch((e: unknown) => e);
    db.close();
    expect(err).toBeInstanceOf(ClickforgeError);
    expect((err as Error).message).toContain(missing);
    expect(exitCodeFor(err)).toBe(3);
  });

  it('needs a click log', async () => {
    const db = await openDb();
    await expect(ingest(db.conn, opts({ corpus: join(M, 'corpus.jsonl') }))).rejects.toThrow(/input.serps/);
    db.close();
  });
});
