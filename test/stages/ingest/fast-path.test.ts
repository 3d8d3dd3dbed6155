import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { ingest } from '../../../src/stages/ingest/ingest.js';
import { NoUsableRowsError } from '../../../src/stages/ingest/no-usable-rows.js';
import { ingestOptions } from '../../../src/stages/ingest/options.js';
import { typedClickFields } from '../../../src/stages/ingest/serps.js';

/** The typed Parquet path and the json_transform JSONL path must agree with each other and keep every check. */
describe('ingest fast paths (typed Parquet, one-parse JSONL)', () => {
  let dir: string;
  let jsonl: string;
  let pq: string;
  const lines = [
    '{"serp_id":"a","ts":1704103200000,"query":"q1","results":["d1","d2","d3"],"clicks":[{"doc_id":"d3","dwell_ms":5},{"doc_id":"d3","dwell_ms":5},{"doc_id":"zz"}]}',
    '{"serp_id":"b","ts":1704103300000,"query":"q2","results":["d4","","d5"],"clicks":[]}',
    '{"serp_id":"a","ts":1704103200000,"query":"q1","results":["d1","d2","d3"],"clicks":[{"doc_id":"d3","dwell_ms":5},{"doc_id":"d3","dwell_ms":5},{"doc_id":"zz"}]}',
    '{"serp_id":"a","ts":1704103999000,"query":"other","results":["d9"],"clicks":[]}',
    '{"serp_id":"c","ts":1704104000000,"query":"q3","results":"d6|d7","clicks":[{"doc_id":"d7"}]}',
  ];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-fast-'));
    jsonl = join(dir, 'serps.jsonl');
    pq = join(dir, 'serps.parquet');
    await writeFile(jsonl, `${lines.join('\n')}\n`);
    const db = await openDb();
    await db.conn.run(`COPY (SELECT * FROM read_json('${jsonl}', format = 'newline_delimited', columns = {serp_id: 'VARCHAR', ts: 'BIGINT', query: 'VARCHAR', results: 'JSON', clicks: 'STRUCT(doc_id VARCHAR, dwell_ms BIGINT)[]'})) TO '${pq}' (FORMAT parquet)`);
    db.close();
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  async function load(file: string) {
    const db = await openDb({ threads: 2 });
    try {
      const r = await ingest(db.conn, ingestOptions.parse({ serps: [file] }));
      const q = await queryRows<{ line: number; reason: string; raw: string }>(db.conn, 'SELECT line, reason, raw FROM quarantine ORDER BY line, reason');
      const imp = await queryRows(db.conn, 'SELECT serp_id, doc_id, rank FROM impressions');
      const clicks = await queryRows(db.conn, 'SELECT click_id, serp_id, doc_id, rank, dwell_ms, src_line FROM clicks ORDER BY click_id');
      return { r, q, imp, clicks };
    } finally { db.close(); }
  }

  for (const which of ['jsonl', 'parquet'] as const) {
    it(`${which}: duplicates, bad result items, click checks, impressions in input order`, async () => {
      const { r, q, imp, clicks } = await load(which === 'jsonl' ? jsonl : pq);
      expect(q.map((x) => [x.line, x.reason])).toEqual([
        [1, 'click_not_shown'], [1, 'duplicate_event'], [2, 'bad_result_item'], [3, 'duplicate_event'], [4, 'duplicate_serp_id'],
      ]);
      expect(q.find((x) => x.line === 3)!.raw).toContain('"serp_id":"a"');
      // physical order of impressions = input order (no sort was needed)
      expect(imp).toEqual([
        { serp_id: 'a', doc_id: 'd1', rank: 1 }, { serp_id: 'a', doc_id: 'd2', rank: 2 }, { serp_id: 'a', doc_id: 'd3', rank: 3 },
        { serp_id: 'b', doc_id: 'd4', rank: 1 }, { serp_id: 'b', doc_id: 'd5', rank: 3 },
        { serp_id: 'c', doc_id: 'd6', rank: 1 }, { serp_id: 'c', doc_id: 'd7', rank: 2 },
      ]);
      expect(clicks).toEqual([
        { click_id: 1, serp_id: 'a', doc_id: 'd3', rank: 3, dwell_ms: 5, src_line: 1 },
        { click_id: 2, serp_id: 'c', doc_id: 'd7', rank: 2, dwell_ms: null, src_line: 5 },
      ]);
      const s = r.stats[0]!;
      expect(s.in).toEqual({ rows: 5, results: 8, clicks: 4, conversions: 0 });
      expect(s.out).toEqual({ rows: 3, impressions: 7, clicks: 2, conversions: 0 });
    });
  }

  it('reads a Parquet file whose columns are renamed by the mapping and whose results are not a list', async () => {
    const f = join(dir, 'mapped.parquet');
    const db0 = await openDb();
    await db0.conn.run(`COPY (SELECT * FROM (VALUES ('m1', 1704103200, 'q', 'd1|d2'), ('m2', NULL, 'q', 'd1')) t(id, time, query, results)) TO '${f}' (FORMAT parquet)`);
    db0.close();
    const db = await openDb();
    try {
      await ingest(db.conn, ingestOptions.parse({ serps: [f], columns: { serps: { serp_id: 'id', ts: 'time' } } }));
      expect(await queryRows(db.conn, 'SELECT serp_id, ts FROM serps')).toEqual([{ serp_id: 'm1', ts: 1704103200000 }]);
      expect(await queryRows(db.conn, 'SELECT doc_id, rank FROM impressions')).toEqual([{ doc_id: 'd1', rank: 1 }, { doc_id: 'd2', rank: 2 }]);
      const q = await queryRows<{ line: number; reason: string; raw: string }>(db.conn, 'SELECT line, reason, raw FROM quarantine');
      expect(q.map((x) => [x.line, x.reason])).toEqual([[2, 'missing_field']]);
      expect(JSON.parse(q[0]!.raw)).toEqual({ id: 'm2', time: null, query: 'q', results: 'd1' });
    } finally { db.close(); }
  });

  it('typed Parquet scalars (integer ids and query, empty and null values) get the same reasons and details as the JSON path', async () => {
    const f = join(dir, 'typed.parquet');
    const j = join(dir, 'typed.jsonl');
    const rows: [number | null, number | null, string | null, number | null, string][] = [
      [1, 7, 'u1', 1704103200, '["d1"]'], // integer serp_id and query: query is a bad_type
      [2, null, 'u1', 1704103200, '["d1"]'], // query missing
      [3, null, null, null, '["d1"]'], // ts missing (query checked first)
      [null, null, null, null, '["d1"]'], // serp_id missing
    ];
    await writeFile(j, `${rows.map(([id, q, u, t, r]) => JSON.stringify({ serp_id: id, query: q, user_id: u, ts: t, results: JSON.parse(r) as string[] })).join('\n')}\n`);
    const db0 = await openDb();
    await db0.conn.run(`COPY (SELECT serp_id::BIGINT AS serp_id, query::INTEGER AS query, user_id, ts::BIGINT AS ts, results FROM read_json('${j}', format = 'newline_delimited',
      columns = {serp_id: 'BIGINT', query: 'INTEGER', user_id: 'VARCHAR', ts: 'BIGINT', results: 'VARCHAR[]'})) TO '${f}' (FORMAT parquet)`);
    db0.close();
    const reasons = async (file: string) => {
      const db = await openDb();
      try {
        // every row is rejected: ingest stops, the quarantine table is filled all the same
        await expect(ingest(db.conn, ingestOptions.parse({ serps: [file] }))).rejects.toBeInstanceOf(NoUsableRowsError);
        return await queryRows<{ line: number; reason: string; detail: string }>(db.conn, 'SELECT line, reason, detail FROM quarantine ORDER BY line');
      } finally { db.close(); }
    };
    const fromPq = await reasons(f);
    expect(fromPq.map((x) => [x.line, x.reason])).toEqual([[1, 'bad_type'], [2, 'missing_field'], [3, 'missing_field'], [4, 'missing_field']]);
    expect(fromPq[0]!.detail).toContain('"query" must be a string');
    expect(fromPq[2]!.detail).toContain('"query" is missing');
    expect(fromPq).toEqual(await reasons(j));
  });

  it('typed Parquet clicks (list of structs) give the same quarantine rows, raw texts and clicks as the same clicks read as JSON', async () => {
    const typed = join(dir, 'clicks-typed.parquet');
    const asJson = join(dir, 'clicks-json.parquet');
    const db0 = await openDb();
    await db0.conn.run(`CREATE TABLE t AS SELECT * FROM (VALUES
 ('a', 1704103200000, 'q', ['d1','d2','d3'], [{'doc_id': 'd1', 'ts': '1704103201000', 'dwell_ms': 5, 'rank': 1, 'x': 1.5::DOUBLE}, NULL, {'doc_id': NULL, 'ts': NULL, 'dwell_ms': NULL, 'rank': NULL, 'x': NULL}]),
 ('b', 1704103200000, 'q', ['d1','d2','d3'], [{'doc_id': 'd2', 'ts': 'garbage', 'dwell_ms': 5, 'rank': 2, 'x': 1}, {'doc_id': 'd2', 'ts': NULL, 'dwell_ms': -4, 'rank': 2, 'x': 1}, {'doc_id': 'zz', 'ts': NULL, 'dwell_ms': 1, 'rank': 2, 'x': 1}, {'doc_id': ' ', 'ts': NULL, 'dwell_ms': 1, 'rank': 2, 'x': 1}]),
 ('c', 1704103200000, 'q', ['d1','d2','d3'], [{'doc_id': 'd3', 'ts': '2024-01-01T10:00:00Z', 'dwell_ms': 99999999999, 'rank': 9, 'x': 1}, {'doc_id': 'd3', 'ts': '2024-01-01T10:00:00Z', 'dwell_ms': 99999999999, 'rank': 9, 'x': 1}]),
 ('d', 1704103200000, 'q', ['d1'], []),
 ('e', 1704103200000, 'q', ['d1'], NULL)
) t(serp_id, ts, query, results, clicks);
COPY t TO '${typed}' (FORMAT parquet);
COPY (SELECT * REPLACE (to_json(clicks)::VARCHAR AS clicks) FROM t) TO '${asJson}' (FORMAT parquet)`);
    db0.close();
    const read = async (file: string) => {
      const db = await openDb();
      try {
        const r = await ingest(db.conn, ingestOptions.parse({ serps: [file] }));
        const q = await queryRows<{ line: number; reason: string; detail: string; raw: string }>(db.conn, 'SELECT line, reason, detail, raw FROM quarantine ORDER BY line, detail');
        const clicks = await queryRows(db.conn, 'SELECT click_id, serp_id, doc_id, rank, ts, dwell_ms, src_line FROM clicks ORDER BY click_id');
        return { stats: r.stats, q, clicks };
      } finally { db.close(); }
    };
    const described = await openDb();
    const [col] = await queryRows<{ column_type: string }>(described.conn, `SELECT column_type FROM (DESCRIBE SELECT clicks FROM read_parquet('${typed}'))`);
    described.close();
    expect([...typedClickFields(col!.column_type)!].sort()).toEqual(['doc_id', 'dwell_ms', 'rank', 'ts']); // the typed path is taken
    expect(typedClickFields('STRUCT(doc_id VARCHAR, ts DOUBLE)[]')).toBeUndefined();
    expect(typedClickFields('VARCHAR')).toBeUndefined();
    const t = await read(typed);
    expect(t.q.map((x) => x.reason)).toEqual(['bad_type', 'missing_field', 'bad_timestamp', 'negative_dwell', 'click_not_shown', 'click_not_shown', 'duplicate_event']);
    expect(t.q[0]!.raw).toBe('null');
    expect(t.q[1]!.raw).toBe('{"doc_id":null,"ts":null,"dwell_ms":null,"rank":null,"x":null}');
    expect(t.clicks.map((c) => c.serp_id)).toEqual(['a', 'c']);
    expect(t).toEqual(await read(asJson));
  });
});
