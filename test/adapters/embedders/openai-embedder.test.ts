import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCachedEmbedder } from '../../../src/adapters/embedders/cached-embedder.js';
import { createOpenAIEmbedder } from '../../../src/adapters/embedders/openai-embedder.js';
import { ClickforgeError } from '../../../src/errors.js';
import { mineNegatives } from '../../../src/stages/negatives/mine.js';
import { doc, multi } from '../../stages/negatives/fixtures.js';
import { embedderContract } from '../../ports/embedder-contract.js';
import { delay, embeddingsReply, fakeVector, json, useLoopback } from '../loopback.js';

const KEY = 'sk-loopback-TOPSECRET-abcdef0123456789';
const ENV = 'CLICKFORGE_TEST_EMBED_KEY';
const loop = useLoopback({ env: ENV, key: KEY, tmpPrefix: 'cf-openai-' });

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const fast = { apiKeyEnv: ENV, maxRetries: 3, model: 'm1' };

describe('createOpenAIEmbedder', () => {
  it('batches, keeps input order when data comes back reversed, normalises, sends the key in Authorization', async () => {
    const server = await loop.start(async (_req, body, res) => {
      await delay(20);
      json(res, 200, embeddingsReply(body, 4, true));
    });
    const texts = ['alpha', 'beta gamma', 'delta', 'epsilon zeta eta', 'theta'];
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 4, batchSize: 2, concurrency: 2 });
    const v = await e.embed(texts);
    expect(server.requests.map((r) => (r.body as { input: string[] }).input)).toEqual(expect.arrayContaining([['alpha', 'beta gamma'], ['delta', 'epsilon zeta eta'], ['theta']]));
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.path === '/v1/embeddings' && (r.body as { model: string }).model === 'm1')).toBe(true);
    expect(server.requests.every((r) => r.auth === `Bearer ${KEY}`)).toBe(true);
    expect(server.counters.maxInFlight).toBeLessThanOrEqual(2);
    texts.forEach((t, i) => {
      const want = unit(fakeVector(t, 4));
      for (let j = 0; j < 4; j++) expect(v[i * 4 + j]).toBeCloseTo(want[j]!, 6);
    });
    expect(e.id).toBe(`openai:m1@${new URL(server.url).host}:4d:norm`);
    expect(`${e.id} ${JSON.stringify(e.options)} ${JSON.stringify(e)}`).not.toContain(KEY);
  });

  it('normalize: false returns the raw vectors; dim is probed when not given', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, embeddingsReply(body, 3)));
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, normalize: false });
    expect(e.dim).toBe(3);
    expect(server.requests).toHaveLength(1); // the probe
    expect(Array.from(await e.embed(['ab']))).toEqual(fakeVector('ab', 3));
  });

  it('no Authorization header when the key variable is unset', async () => {
    delete process.env[ENV];
    const server = await loop.start((_req, body, res) => json(res, 200, embeddingsReply(body, 2)));
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 2 });
    await e.embed(['x']);
    expect(server.requests[0]!.auth).toBeUndefined();
  });

  it('survives a 429 with Retry-After and a 500 (server counts the retries)', async () => {
    const server = await loop.start((_req, body, res, n) => {
      if (n === 1) return json(res, 429, { error: { message: 'rate limit' } }, { 'retry-after': '0' });
      if (n === 2) return json(res, 500, { error: 'boom' });
      json(res, 200, embeddingsReply(body, 2));
    });
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 2 });
    await e.embed(['a', 'b']);
    expect(server.requests).toHaveLength(3);
    expect(e.stats).toMatchObject({ retries: 2, rateLimited: 1, batches: 1 });
  });

  it('malformed responses fail with a message naming the problem', async () => {
    const replies: unknown[] = [
      { nothing: true },
      { data: [{ index: 0, embedding: [1, 2] }] },
      { data: [{ index: 0, embedding: [1, 'x'] }, { index: 1, embedding: [1, 2] }] },
      { data: [{ index: 0, embedding: [1, 2] }, { index: 0, embedding: [1, 2] }] },
      { data: [{ index: 0, embedding: [1, 2, 3] }, { index: 1, embedding: [1, 2, 3] }] },
    ];
    const server = await loop.start((_req, _body, res, n) => json(res, 200, replies[n - 1]));
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 2 });
    const msgs: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const err = (await e.embed(['a', 'b']).catch((x: unknown) => x)) as ClickforgeError;
      expect(err).toBeInstanceOf(ClickforgeError);
      expect(err.code).toBe('bad_embedding_response');
      msgs.push(err.message);
    }
    expect(msgs[0]).toMatch(/no "data" array/);
    expect(msgs[1]).toMatch(/1 embeddings for 2 inputs/);
    expect(msgs[2]).toMatch(/not a list of finite numbers/);
    expect(msgs[3]).toMatch(/out of range or repeated/);
    expect(msgs[4]).toMatch(/3 values, expected dim 2/);
  });

  it('a slow server hits the timeout; the key is in no error, even when the server echoes it', async () => {
    const server = await loop.start(async (req, _body, res) => {
      if (req.url === '/slow/v1/embeddings') {
        await delay(300);
        return json(res, 200, {});
      }
      json(res, 401, { error: `invalid api key: ${req.headers.authorization}` });
    });
    const slow = await createOpenAIEmbedder({ ...fast, baseUrl: `${server.url}/slow`, dim: 2, timeoutMs: 50, maxRetries: 1 });
    const e1 = (await slow.embed(['a']).catch((x: unknown) => x)) as ClickforgeError;
    expect(e1.message).toMatch(/timeoutMs=50/);
    expect(slow.stats.timeouts).toBe(2);

    const auth = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 2 });
    const e2 = (await auth.embed(['a']).catch((x: unknown) => x)) as ClickforgeError;
    expect(e2.code).toBe('http_auth');
    expect(server.requests.at(-1)!.auth).toBe(`Bearer ${KEY}`);
    for (const err of [e1, e2]) {
      expect(`${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${String(err.cause)}`).not.toContain(KEY);
    }
  });

  it('fails fast on missing options, naming them', async () => {
    await expect(createOpenAIEmbedder({ model: 'm' } as never)).rejects.toThrow(/embedder\(openai\)\.baseUrl/);
    await expect(createOpenAIEmbedder({ baseUrl: 'http://127.0.0.1:1' } as never)).rejects.toThrow(/embedder\(openai\)\.model/);
    await expect(createOpenAIEmbedder({ baseUrl: 'http://127.0.0.1:1', model: 'm', apiKeyEnv: 'sk-abc def' })).rejects.toThrow(/environment variable NAME/);
  });

  it('with a disk cache, a second run makes no request and the cache file holds no key', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, embeddingsReply(body, 4)));
    const texts = ['one', 'two', 'three', 'two'];
    const e1 = await createCachedEmbedder(await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 4 }), { cacheDir: loop.dir });
    const v1 = await e1.embed(texts);
    expect(server.requests).toHaveLength(1);
    expect((server.requests[0]!.body as { input: string[] }).input).toEqual(['one', 'two', 'three']);

    const e2 = await createCachedEmbedder(await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 4 }), { cacheDir: loop.dir });
    expect(Array.from(await e2.embed(texts))).toEqual(Array.from(v1));
    expect(server.requests).toHaveLength(1);
    expect(e2.stats).toMatchObject({ hits: 4, misses: 0, innerCalls: 0 });
    for (const f of await readdir(loop.dir)) expect((await readFile(join(loop.dir, f))).includes(KEY)).toBe(false);
  });

  it('dense mining sends queries and documents in requests of batchSize texts, not one query per request', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, embeddingsReply(body, 8)));
    const e = await createOpenAIEmbedder({ ...fast, baseUrl: server.url, dim: 8, batchSize: 16 });
    const docs = Array.from({ length: 60 }, (_, i) => doc(`d${i}`, `topic${i % 7} word${i} filler${i % 3}`));
    const positives = Array.from({ length: 50 }, (_, i) => multi(`topic${i % 7} q${i}`, [{ doc_id: `d${i}`, text: docs[i]!.text }]));
    await mineNegatives({ docs, positives, evidence: [], embedder: e }, { miners: ['bm25', 'dense'] });
    const sizes = server.requests.map((r) => (r.body as { input: string[] }).input.length);
    expect(sizes.every((n) => n <= 16)).toBe(true);
    // 60 documents and 50 queries in batches of 16: 4 + 4 requests (the last of each partly filled)
    expect(sizes).toHaveLength(8);
    expect(sizes.filter((n) => n === 1)).toEqual([]);
  });
});

const contractServer = () => loop.start((_req, body, res) => json(res, 200, embeddingsReply(body, 4, true)));
embedderContract('openai-compatible (loopback, dim probed, 2 texts a request)', {
  create: async () => createOpenAIEmbedder({ ...fast, baseUrl: (await contractServer()).url, batchSize: 2 }),
});
embedderContract('cached (over openai-compatible, loopback)', {
  create: async () => createCachedEmbedder(await createOpenAIEmbedder({ ...fast, baseUrl: (await contractServer()).url, dim: 4 }), { cacheDir: loop.dir }),
});
