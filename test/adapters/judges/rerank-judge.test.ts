import { describe, expect, it } from 'vitest';
import { createJudge, createRerankJudge } from '../../../src/adapters/judges/index.js';
import { createJudgeFilter } from '../../../src/stages/false-negatives/judge.js';
import { falseNegativeOptions } from '../../../src/stages/false-negatives/options.js';
import type { ClickforgeError } from '../../../src/errors.js';
import { judgeContract } from '../../ports/judge-contract.js';
import { delay, json, useLoopback } from '../loopback.js';

const KEY = 'rk-loopback-SECRET-42424242';
const ENV = 'CLICKFORGE_TEST_RERANK_KEY';
const loop = useLoopback({ env: ENV, key: KEY, tmpPrefix: 'cf-rerank-' });

/** Relevance = share of query words in the document; results sorted by score (as real rerankers do). */
function rerankReply(body: unknown, drop?: number) {
  const { query, documents } = body as { query: string; documents: string[] };
  const q = query.split(' ');
  const results = documents
    .map((d, index) => ({ index, relevance_score: q.filter((w) => d.split(' ').includes(w)).length / q.length }))
    .filter((r) => r.index !== drop)
    .sort((a, b) => b.relevance_score - a.relevance_score);
  return { id: 'x', results };
}
const docs = (texts: string[]) => texts.map((text, i) => ({ doc_id: `d${i}`, text }));
const base = { apiKeyEnv: ENV, model: 'rr' };

describe('createRerankJudge', () => {
  it('maps sorted results back to input order and applies the threshold; key in Authorization', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body)));
    const j = await createRerankJudge({ ...base, baseUrl: server.url, threshold: 0.5 });
    const out = await j.judge('red running shoes', docs(['blue hat', 'red running shoes', 'red shoes', 'running']));
    expect(out).toEqual([false, true, true, false]);
    expect(server.requests[0]!.path).toBe('/v1/rerank');
    expect(server.requests[0]!.body).toEqual({ model: 'rr', query: 'red running shoes', documents: ['blue hat', 'red running shoes', 'red shoes', 'running'] });
    expect(server.requests[0]!.auth).toBe(`Bearer ${KEY}`);
    expect(j.stats).toMatchObject({ asked: 4, relevant: 2, notRelevant: 2, unparsable: 0 });
    expect(j.id).not.toContain(KEY);
  });

  it('a document missing from results is null (counted), not guessed', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body, 1)));
    const j = await createRerankJudge({ ...base, baseUrl: server.url });
    expect(await j.judge('a b', docs(['a b', 'a b', 'c']))).toEqual([true, null, false]);
    expect(j.stats.unparsable).toBe(1);
  });

  it('batches documents, holds the concurrency limit, retries a 429 and a 500', async () => {
    const server = await loop.start(async (_req, body, res, n) => {
      if (n === 1) return json(res, 429, { message: 'rate limited' }, { 'retry-after': '0' });
      if (n === 2) return json(res, 502, 'bad gateway');
      await delay(30);
      json(res, 200, rerankReply(body));
    });
    const j = await createRerankJudge({ ...base, baseUrl: server.url, batchSize: 2, concurrency: 2, sendTopN: true });
    const texts = ['q', 'x', 'q', 'y', 'q', 'z', 'q'];
    expect(await j.judge('q', docs(texts))).toEqual(texts.map((t) => t === 'q'));
    const ok = server.requests.slice(2).map((r) => r.body as { documents: string[]; top_n: number });
    expect(ok.map((b) => b.documents.length).sort()).toEqual([1, 2, 2, 2]);
    expect(ok.every((b) => b.top_n === b.documents.length)).toBe(true);
    expect(server.counters.maxInFlight).toBeLessThanOrEqual(2);
    expect(j.stats.http).toMatchObject({ retries: 2, rateLimited: 1 });
  });

  it('caches scores: a second judge (another threshold) makes no request', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body)));
    const first = await createRerankJudge({ ...base, baseUrl: server.url, cacheDir: loop.dir });
    expect(await first.judge('a b', docs(['a', 'a b', 'c']))).toEqual([true, true, false]);
    const second = await createRerankJudge({ ...base, baseUrl: server.url, cacheDir: loop.dir, threshold: 0.75 });
    expect(await second.judge('a b', docs(['a', 'a b', 'c']))).toEqual([false, true, false]);
    expect(server.requests).toHaveLength(1);
    expect(second.stats.cacheHits).toBe(3);
  });

  it('a response without results fails with a clear message; the key never shows', async () => {
    const server = await loop.start((req, _body, res) => json(res, 200, { echo: req.headers.authorization }));
    const j = await createRerankJudge({ ...base, baseUrl: server.url });
    const err = (await j.judge('q', docs(['a'])).catch((e: unknown) => e)) as ClickforgeError;
    expect(err.code).toBe('bad_rerank_response');
    expect(`${err.message}${err.stack}${JSON.stringify(err)}`).not.toContain(KEY);
  });

  it('works inside the false-negative judge filter', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, rerankReply(body)));
    const judge = await createJudge({ kind: 'rerank', ...base, baseUrl: server.url });
    const f = createJudgeFilter(falseNegativeOptions.parse({}).judge, judge);
    const cands = docs(['red shoes', 'green tea']).map((d, i) => ({ ...d, doc: i, source: 'bm25' as const, rank: i, score: 0, bm25: 0 }));
    const rec = { query: 'red shoes', query_norm: 'red shoes', family: 'f', positives: [], bm25Max: 1, perRecord: 4 };
    const out = await f.apply(rec, cands);
    expect(out[0]?.code).toBe('judged_relevant');
    expect(out[1]).toBeNull();
  });

  it('fails fast on missing options', async () => {
    await expect(createJudge({ kind: 'rerank', model: 'm' } as never)).rejects.toThrow(/judge\.baseUrl/);
    await expect(createRerankJudge({ baseUrl: 'http://127.0.0.1:1' } as never)).rejects.toThrow(/judge\(rerank\)\.model/);
  });
});

const rerankCase = (extra: { cacheDir?: string } = {}) => ({
  create: async () => createRerankJudge({ ...base, baseUrl: (await loop.start((_req, body, res) => json(res, 200, rerankReply(body)))).url, batchSize: 2, ...extra }),
  query: 'red running shoes',
  docs: docs(['blue hat', 'red running shoes', 'red shoes', 'running', 'shoes red running']),
});
judgeContract('rerank (loopback, 2 documents a request)', rerankCase());
judgeContract('rerank (loopback, disk cache)', { ...rerankCase(), create: () => rerankCase({ cacheDir: loop.dir }).create() });
