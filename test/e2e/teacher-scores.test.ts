import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/pipeline.js';
import { buildHelpdeskWorld, simulateLog, simulateOptions } from '../../src/tools/simulate/index.js';
import { json, startServer, type TestServer } from '../adapters/loopback.js';

/**
 * export.teacherScores "judge" through `build`: the configured rerank judge (a real HTTP server on
 * loopback) gives the FlagEmbedding scores and the margin-mse labels of a click-log build.
 */
const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const words = (s: string) => s.toLowerCase().match(/\w+/g) ?? [];
const overlap = (q: string, d: string) => { const dw = new Set(words(d)); const qw = words(q); return qw.filter((w) => dw.has(w)).length / Math.max(1, qw.length); };

describe('build with export.teacherScores "judge"', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cf-teacher-e2e-'));
  let server: TestServer;
  let out: string;
  let stats: Record<string, number>;
  beforeAll(async () => {
    const opts = simulateOptions.parse({ sessions: 1500, seed: 7 });
    await simulateLog(buildHelpdeskWorld(opts), opts, join(tmp, 'sim'));
    server = await startServer((_req, body, res) => {
      const { query, documents } = body as { query: string; documents: string[] };
      json(res, 200, { results: documents.map((d, index) => ({ index, relevance_score: overlap(query, d) })) });
    });
    const r = await build({
      input: { serps: [join(tmp, 'sim', 'serps.jsonl')], corpus: join(tmp, 'sim', 'corpus.jsonl') },
      output: join(tmp, 'out'), seed: 7,
      judge: { kind: 'rerank', baseUrl: server.url, model: 'overlap', cacheDir: join(tmp, 'cache') },
      export: { teacherScores: 'judge' },
    });
    out = join(r.outDir, 'dataset');
    stats = r.report.stages.find((s) => s.stage === 'export')!.out as Record<string, number>;
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('every train/dev record is scored or counted unscored; the scores are the reranker\'s', () => {
    expect(stats.teacher_scored).toBeGreaterThan(0);
    expect(stats.teacher_scored! + stats.teacher_unscored!).toBe(stats.train! + stats.dev!);
    const fe = lines(join(out, 'flagembedding', 'train.jsonl'));
    for (const r of fe) {
      expect(r.pos_scores).toEqual((r.pos as string[]).map((d) => Math.fround(overlap(r.query as string, d))));
      expect(r.neg_scores).toEqual((r.neg as string[]).map((d) => Math.fround(overlap(r.query as string, d))));
    }
  });

  it('margin-mse rows are the FlagEmbedding rows\' pos x neg margins, in order', () => {
    const expected = lines(join(out, 'flagembedding', 'train.jsonl')).flatMap((r) =>
      (r.pos as string[]).flatMap((p, i) => (r.neg as string[]).map((n, j) => ({ query: r.query, positive: p, negative: n, label: (r.pos_scores as number[])[i]! - (r.neg_scores as number[])[j]! }))));
    expect(expected.length).toBeGreaterThan(0);
    expect(lines(join(out, 'margin-mse', 'train.jsonl'))).toEqual(expected);
  });
});
