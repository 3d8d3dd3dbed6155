import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbedder, embedderKind, embedderSpec } from '../../../src/adapters/embedders/index.js';
import { createModel } from '../../../src/model/bi-encoder.js';
import { embeddingsReply, json, startServer, type TestServer } from '../loopback.js';

let server: TestServer | undefined;
const tmp: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const d of tmp.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('createEmbedder(spec)', () => {
  it('has one registry entry per spec kind, and the kind enum follows the registry', () => {
    expect(embedderKind.options).toEqual(['builtin', 'openai', 'onnx']);
    expect(embedderSpec.options.map((o) => o.shape.kind.value)).toEqual(embedderKind.options);
  });
  it('documents defaults in the schema', () => {
    const s = embedderSpec.parse({ kind: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'm' });
    expect(s).toMatchObject({ path: '/v1/embeddings', batchSize: 32, normalize: true, apiKeyEnv: 'OPENAI_API_KEY', concurrency: 4, cacheDir: null });
    expect(embedderSpec.parse({ kind: 'onnx', modelDir: 'x' })).toMatchObject({ pooling: 'mean', maxLength: 256, tokenizer: 'auto' });
  });

  it('rejects unknown kinds and unknown options by name', async () => {
    await expect(createEmbedder({ kind: 'nope' } as never)).rejects.toThrow(/embedder\.kind/);
    await expect(createEmbedder({ kind: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'm', apiKey: 'sk-x' } as never)).rejects.toThrow(/apiKey/);
  });

  it('builds a cached OpenAI embedder from a plain object', async () => {
    server = await startServer((_req, body, res) => json(res, 200, embeddingsReply(body, 2)));
    const dir = await mkdtemp(join(tmpdir(), 'cf-fac-'));
    tmp.push(dir);
    const spec = { kind: 'openai' as const, baseUrl: server.url, model: 'm', dim: 2, cacheDir: dir };
    await (await createEmbedder(spec)).embed(['a', 'b']);
    await (await createEmbedder(spec)).embed(['b', 'a']);
    expect(server.requests).toHaveLength(1);
  });

  it('builds a builtin embedder from a model object or a file', async () => {
    const m = createModel({ dim: 8, buckets: 256 });
    const dir = await mkdtemp(join(tmpdir(), 'cf-fac-'));
    tmp.push(dir);
    await m.save(join(dir, 'm.bin'));
    const a = await createEmbedder({ kind: 'builtin', model: m });
    const b = await createEmbedder({ kind: 'builtin', modelPath: join(dir, 'm.bin') });
    expect(a.id).toBe(b.id);
    expect(Array.from(await b.embed(['x y']))).toEqual(Array.from(m.embed(['x y'])));
  });
});
