import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRerankJudge } from '../../../src/adapters/judges/index.js';
import { fileSinks } from '../../../src/adapters/sinks/index.js';
import { parseConfig } from '../../../src/config.js';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { exportDataset, type ExportInput } from '../../../src/stages/export/export.js';
import { exportOptions } from '../../../src/stages/export/options.js';
import { flagEmbeddingRow, marginMseRow } from '../../../src/stages/export/schemas.js';
import type { TrainingRecord } from '../../../src/stages/negatives/types.js';
import type { Doc } from '../../../src/types.js';
import { json, useLoopback } from '../../adapters/loopback.js';

const ENV = 'CLICKFORGE_TEST_TEACHER_KEY';
const loop = useLoopback({ env: ENV, key: 'teacher-key', tmpPrefix: 'cf-teacher-' });

/** The loopback reranker's score: share of the query's words in the document (sorted results, as real rerankers reply). */
const overlap = (query: string, doc: string) => { const q = query.split(' '); return q.filter((w) => doc.split(' ').includes(w)).length / q.length; };
function rerankReply(body: unknown, drop: string | undefined) {
  const { query, documents } = body as { query: string; documents: string[] };
  const results = documents.map((d, index) => ({ index, relevance_score: overlap(query, d) })).filter((r) => documents[r.index] !== drop);
  return { results: results.sort((a, b) => b.relevance_score - a.relevance_score) };
}

const texts = ['red running shoes for men', 'red shoes', 'blue hat', 'running', 'green apple pie', 'apple', 'apple tart recipe', 'pie crust', 'shoes'];
const docs: Doc[] = texts.map((text, i) => ({ kind: 'Doc', doc_id: `d${i}`, text }));
const rec = (q: string, family: string, pos: number[], neg: number[]): TrainingRecord => ({
  kind: 'TrainingRecord', query: q, query_norm: q, family,
  positives: pos.map((i) => ({ doc_id: `d${i}`, text: texts[i]!, grade: 2, weight: 1, score: 7 })),
  negatives: neg.map((i, r) => ({ doc_id: `d${i}`, text: texts[i]!, source: 'bm25' as const, rank: r + 1, score: 3 })),
});
const records = [rec('red running shoes', 'f1', [0], [1, 2, 3]), rec('apple pie', 'f2', [4, 6], [5, 7]), rec('shoes', 'f3', [8], [1, 2])];
const splitOf = new Map([['f1', 'train' as const], ['f2', 'train' as const], ['f3', 'dev' as const]]);
const readJsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const opts = exportOptions.parse({ negatives: 2, batchSize: 0, teacherScores: 'judge', formats: ['flagembedding', 'margin-mse'] });

describe('export.teacherScores "judge" (GPL pseudo-labels from a rerank judge)', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb()));
  afterAll(() => close());

  async function run(url: string, cacheDir?: string) {
    const teacher = await createRerankJudge({ apiKeyEnv: ENV, model: 'rr', baseUrl: url, ...(cacheDir ? { cacheDir } : {}) });
    const outDir = await mkdtemp(join(tmpdir(), 'cf-teacher-out-'));
    const input: ExportInput = { records, splitOf, docs, outDir, sinks: fileSinks, scorer: { kind: 'bm25' }, teacher };
    const r = await exportDataset(conn, input, opts);
    await teacher.close();
    return { r, outDir };
  }

  it('FlagEmbedding pos_scores / neg_scores are the reranker\'s scores of the exported texts; MarginMSE label = score(pos) - score(neg)', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body, undefined)));
    const { r, outDir } = await run(server.url);
    const fe = readJsonl(join(outDir, 'flagembedding', 'train.jsonl'));
    expect(fe).toHaveLength(2);
    for (const row of fe) {
      expect(flagEmbeddingRow.safeParse(row).success).toBe(true);
      const q = row.query as string;
      expect(row.pos_scores).toEqual((row.pos as string[]).map((d) => Math.fround(overlap(q, d))));
      expect(row.neg_scores).toEqual((row.neg as string[]).map((d) => Math.fround(overlap(q, d))));
    }
    // only the first k=2 negatives are scored and exported: "running" (index 3) is never sent
    expect(server.requests.some((x) => (x.body as { documents: string[] }).documents.includes('running'))).toBe(false);
    const mm = readJsonl(join(outDir, 'margin-mse', 'train.jsonl'));
    // 1 positive x 2 negatives + 2 positives x 2 negatives
    expect(mm).toHaveLength(6);
    for (const row of mm) {
      expect(marginMseRow.safeParse(row).success).toBe(true);
      const q = row.query as string;
      expect(row.label).toBeCloseTo(Math.fround(overlap(q, row.positive as string)) - Math.fround(overlap(q, row.negative as string)), 12);
    }
    expect(readJsonl(join(outDir, 'margin-mse', 'dev.jsonl'))).toHaveLength(2);
    expect(r.teacherScores).toContain('rerank:rr@');
    expect(r.stats.out).toMatchObject({ teacher_scored: 3, teacher_unscored: 0 });
  });

  it('a re-run with the cache sends no request and writes the same bytes', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body, undefined)));
    const first = await run(server.url, loop.dir);
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    const second = await run(server.url, loop.dir);
    expect(server.requests.length).toBe(sent);
    for (const f of ['flagembedding/train.jsonl', 'margin-mse/train.jsonl', 'margin-mse/dev.jsonl']) {
      expect(readFileSync(join(second.outDir, f), 'utf8')).toBe(readFileSync(join(first.outDir, f), 'utf8'));
    }
  });

  it('a record with a text the reranker left unscored keeps no score: counted, no margin rows, no mixed scale', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body, 'pie crust')));
    const { r, outDir } = await run(server.url);
    expect(r.stats.out).toMatchObject({ teacher_scored: 2, teacher_unscored: 1 });
    const apple = readJsonl(join(outDir, 'flagembedding', 'train.jsonl')).find((x) => x.query === 'apple pie')!;
    expect('pos_scores' in apple || 'neg_scores' in apple).toBe(false);
    expect(readJsonl(join(outDir, 'margin-mse', 'train.jsonl')).map((x) => x.query)).toEqual(['red running shoes', 'red running shoes']);
    expect(r.stats.notes?.some((n) => n.includes('1 train/dev records have no teacher scores'))).toBe(true);
  });

  it('"judge" without a teacher fails with the fix; the config needs a judge of kind rerank', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'cf-teacher-out-'));
    await expect(exportDataset(conn, { records, splitOf, docs, outDir, sinks: fileSinks }, opts)).rejects.toMatchObject({ code: 'teacher_missing' });
    expect(() => parseConfig({ export: { teacherScores: 'judge' } })).toThrow(/judge of kind rerank/);
    expect(() => parseConfig({ export: { teacherScores: 'judge' }, judge: { kind: 'llm', baseUrl: 'http://127.0.0.1:1', model: 'm' } })).toThrow(/now: kind llm/);
    expect(parseConfig({ export: { teacherScores: 'judge' }, judge: { kind: 'rerank', baseUrl: 'http://127.0.0.1:1', model: 'm' } }).export.teacherScores).toBe('judge');
  });
});
