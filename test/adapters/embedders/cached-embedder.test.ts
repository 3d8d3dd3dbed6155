import { appendFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuiltinEmbedder } from '../../../src/adapters/embedders/builtin-embedder.js';
import { createCachedEmbedder } from '../../../src/adapters/embedders/cached-embedder.js';
import { cacheFileFor } from '../../../src/adapters/embedders/vector-cache.js';
import { createModel } from '../../../src/model/bi-encoder.js';
import type { Embedder } from '../../../src/ports/index.js';
import { embedderContract } from '../../ports/embedder-contract.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fake embedder that counts the texts it is asked for. */
function counting(id = 'fake:v1', dim = 3) {
  const seen: string[] = [];
  const e: Embedder = {
    id,
    dim,
    async embed(texts) {
      seen.push(...texts);
      const out = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => {
        for (let j = 0; j < dim; j++) out[i * dim + j] = t.length * 10 + j + (id === 'fake:v1' ? 0 : 0.5);
      });
      return out;
    },
    close: async () => undefined,
  };
  return { e, seen };
}

describe('createCachedEmbedder', () => {
  it('serves repeats from disk across runs and embeds duplicates within a call once', async () => {
    const a = counting();
    const c1 = await createCachedEmbedder(a.e, { cacheDir: dir });
    const v1 = await c1.embed(['x', 'yy', 'x', 'zzz']);
    expect(a.seen).toEqual(['x', 'yy', 'zzz']);
    expect(Array.from(v1.subarray(0, 3))).toEqual([10, 11, 12]);
    expect(Array.from(v1.subarray(6, 9))).toEqual([10, 11, 12]);

    const b = counting();
    const c2 = await createCachedEmbedder(b.e, { cacheDir: dir });
    expect(c2.cache.size).toBe(3);
    const v2 = await c2.embed(['zzz', 'x', 'new!']);
    expect(b.seen).toEqual(['new!']);
    expect(Array.from(v2)).toEqual([30, 31, 32, 10, 11, 12, 40, 41, 42]);
    expect(c2.stats).toEqual({ hits: 2, misses: 1, innerCalls: 1 });

    const c3 = await createCachedEmbedder(counting().e, { cacheDir: dir });
    expect(c3.cache.size).toBe(4);
  });

  it('keeps one file per embedder id, so models do not mix', async () => {
    const v1 = counting('fake:v1');
    const v2 = counting('fake:v2');
    await (await createCachedEmbedder(v1.e, { cacheDir: dir })).embed(['a']);
    const c2 = await createCachedEmbedder(v2.e, { cacheDir: dir });
    expect(Array.from(await c2.embed(['a']))).toEqual([10.5, 11.5, 12.5]);
    expect(v2.seen).toEqual(['a']);
    expect((await readdir(dir)).length).toBe(2);
  });

  it('ignores a torn last record and rejects a file of another embedder', async () => {
    const a = counting();
    await (await createCachedEmbedder(a.e, { cacheDir: dir })).embed(['a', 'b']);
    const file = cacheFileFor(dir, 'fake:v1');
    const size = (await stat(file)).size;
    await appendFile(file, Buffer.alloc(10, 7)); // a crash mid-append
    const b = counting();
    const c = await createCachedEmbedder(b.e, { cacheDir: dir });
    expect(c.cache.size).toBe(2);
    await c.embed(['c']);
    expect((await stat(file)).size).toBe(size + 32 + 12); // the torn bytes were overwritten

    await writeFile(file, Buffer.from('NOPE....'));
    await expect(createCachedEmbedder(counting().e, { cacheDir: dir })).rejects.toThrow(/not a clickforge vector cache.*Delete the file/);
  });

  it('releases the wrapped embedder on close (an ONNX session behind a cache is not leaked)', async () => {
    let closed = 0;
    const inner: Embedder = { ...counting().e, close: async () => { closed++; } };
    const cached = await createCachedEmbedder(inner, { cacheDir: dir });
    await cached.embed(['a']);
    await cached.close();
    await cached.close();
    expect(closed).toBe(1);
  });

  it('fails fast without cacheDir', async () => {
    await expect(createCachedEmbedder(counting().e, { cacheDir: '' })).rejects.toThrow(/cacheDir is required/);
  });
});

embedderContract('cached (over builtin)', {
  create: async () => createCachedEmbedder(await createBuiltinEmbedder({ model: createModel({ dim: 16, buckets: 1024, seed: 3 }) }), { cacheDir: dir }),
});
