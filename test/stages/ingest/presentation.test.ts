import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows } from '../../../src/db/duckdb.js';
import { ingest } from '../../../src/stages/ingest/ingest.js';
import { ingestOptions } from '../../../src/stages/ingest/options.js';
import type { StageStats } from '../../../src/types.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cf-pres-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function load(name: string, text: string, kind: 'serps' | 'events') {
  const file = join(dir, name);
  await writeFile(file, text);
  const { conn, close } = await openDb({ threads: 1 });
  try {
    const r = await ingest(conn, ingestOptions.parse({ [kind]: [file] }));
    const features = await queryRows<{ serp_id: string; rank: number; feature: string; value: string }>(conn, 'SELECT * FROM impression_features ORDER BY serp_id, rank, feature');
    const q = await queryRows<{ line: number; reason: string; detail: string; raw: string }>(conn, 'SELECT line, reason, detail, raw FROM quarantine ORDER BY line, detail');
    const counts = await queryRows<{ t: string; n: number }>(conn, `SELECT 'serps' AS t, count(*) AS n FROM serps UNION ALL SELECT 'impressions', count(*) FROM impressions UNION ALL SELECT 'clicks', count(*) FROM clicks ORDER BY t`);
    return { stats: r.stats[0]!, features, q, counts: Object.fromEntries(counts.map((c) => [c.t, c.n])) };
  } finally {
    close();
  }
}

const presentationAddsUp = (s: StageStats) => {
  const drops = Object.entries(s.dropped).filter(([k]) => k.startsWith('presentation.')).reduce((a, [, n]) => a + n, 0);
  expect(s.in.presentation).toBe((s.out.presentation ?? 0) + drops);
};

describe('ingest: SERP presentation', () => {
  const lines = [
    '{"serp_id":"s1","ts":1700000000,"query":"a","results":["d1","d2","d3"],"clicks":[{"doc_id":"d2"}],"presentation":[{"thumbnail":true,"badge":"new"},null,{"bold":false,"score":3,"x":null}]}',
    '{"serp_id":"s2","ts":1700000001,"query":"a","results":["d1","d2"],"clicks":[{"doc_id":"d1"}],"presentation":"oops"}',
    '{"serp_id":"s3","ts":1700000002,"query":"a","results":["d1","d2"],"presentation":[5,{"x":[1]},{"y":true}]}',
    '{"serp_id":"s4","ts":1700000003,"query":"a","results":["d1"],"presentation":[{"":true}]}',
    '{"serp_id":"s5","ts":1700000004,"query":"a","results":["d1"]}',
  ];
  it('stores non-null features per (serp, rank), quarantines bad items alone, and the counts add up', async () => {
    const r = await load('s.jsonl', lines.join('\n') + '\n', 'serps');
    expect(r.features).toEqual([
      { serp_id: 's1', rank: 1, feature: 'badge', value: 'new' },
      { serp_id: 's1', rank: 1, feature: 'thumbnail', value: 'true' },
      { serp_id: 's1', rank: 3, feature: 'bold', value: 'false' },
      { serp_id: 's1', rank: 3, feature: 'score', value: '3' },
    ]);
    // every record and click is kept
    expect(r.counts).toEqual({ clicks: 2, impressions: 9, serps: 5 });
    expect(r.stats.out.rows).toBe(5);
    expect(r.q.map((x) => [x.line, x.reason])).toEqual([[2, 'bad_type'], [3, 'bad_type'], [3, 'bad_value'], [3, 'beyond_results'], [4, 'bad_value']]);
    expect(r.q[0]!.detail).toContain('must be an array aligned with results');
    expect(r.q[2]!.detail).toContain('presentation item #2 of serp "s3"');
    expect(r.q[2]!.raw).toBe('{"x":[1]}');
    expect(r.stats.dropped).toEqual({ 'presentation.bad_type': 2, 'presentation.bad_value': 2, 'presentation.beyond_results': 1 });
    expect(r.stats.in.presentation).toBe(8); // 3 + 1 (not a list) + 3 + 1
    presentationAddsUp(r.stats);
  });

  it('reads presentation as JSON text from a CSV cell', async () => {
    const csv = 'serp_id,ts,query,results,presentation\ns1,1700000000,a,d1|d2,"[{""thumbnail"":true},{""badge"":""sale""}]"\n';
    const r = await load('s.csv', csv, 'serps');
    expect(r.features.map((f) => [f.rank, f.feature, f.value])).toEqual([[1, 'thumbnail', 'true'], [2, 'badge', 'sale']]);
    expect(r.q).toEqual([]);
  });

  it('has no presentation counts and an empty table when no record has presentation', async () => {
    const r = await load('plain.jsonl', lines[4]! + '\n', 'serps');
    expect(r.features).toEqual([]);
    expect(r.stats.in.presentation).toBeUndefined();
  });
});

describe('ingest: impression events with presentation', () => {
  it('stores the object of an impression, quarantines a bad one and keeps the impression', async () => {
    const ev = [
      '{"type":"search","ts":1700000000,"serp_id":"e1","query":"a"}',
      '{"type":"impression","ts":1700000000,"serp_id":"e1","doc_id":"d1","rank":1,"presentation":{"thumbnail":true,"badge":"new"}}',
      '{"type":"impression","ts":1700000000,"serp_id":"e1","doc_id":"d2","rank":2,"presentation":[1]}',
      '{"type":"impression","ts":1700000000,"serp_id":"e1","doc_id":"d3","rank":3,"presentation":{"badge":{"a":1}}}',
      '{"type":"impression","ts":1700000000,"serp_id":"e1","doc_id":"d4","rank":4}',
    ];
    const r = await load('e.jsonl', ev.join('\n') + '\n', 'events');
    expect(r.features.map((f) => [f.rank, f.feature, f.value])).toEqual([[1, 'badge', 'new'], [1, 'thumbnail', 'true']]);
    expect(r.counts.impressions).toBe(4);
    expect(r.q.map((x) => [x.line, x.reason])).toEqual([[3, 'bad_type'], [4, 'bad_value']]);
    expect(r.q[0]!.detail).toContain('at rank 2 of serp "e1"');
    expect(r.stats.in.rows).toBe(r.stats.out.rows);
    presentationAddsUp(r.stats);
  });
});
