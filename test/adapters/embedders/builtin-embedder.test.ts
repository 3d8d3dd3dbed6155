import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuiltinEmbedder } from '../../../src/adapters/embedders/builtin-embedder.js';
import { createModel } from '../../../src/model/bi-encoder.js';
import { embedderContract } from '../../ports/embedder-contract.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-builtin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createBuiltinEmbedder', () => {
  it('embeds like the model and has an id that changes with the weights', async () => {
    const m = createModel({ dim: 16, buckets: 1024, seed: 1 });
    const e = await createBuiltinEmbedder({ model: m });
    expect(e.dim).toBe(16);
    expect(Array.from(await e.embed(['red shoes']))).toEqual(Array.from(m.embed(['red shoes'])));
    const other = await createBuiltinEmbedder({ model: createModel({ dim: 16, buckets: 1024, seed: 2 }) });
    expect(other.id).not.toBe(e.id);
    const same = await createBuiltinEmbedder({ model: createModel({ dim: 16, buckets: 1024, seed: 1 }) });
    expect(same.id).toBe(e.id);
  });

  it('loads a saved model file with the same id', async () => {
    const m = createModel({ dim: 8, buckets: 256 });
    const path = join(dir, 'm.cfbe');
    await m.save(path);
    const a = await createBuiltinEmbedder({ modelPath: path });
    const b = await createBuiltinEmbedder({ model: m });
    expect(a.id).toBe(b.id);
  });

  it('fails fast on missing or conflicting options', async () => {
    await expect(createBuiltinEmbedder({})).rejects.toThrow(/give `modelPath`/);
    await expect(createBuiltinEmbedder({ modelPath: join(dir, 'missing.cfbe') })).rejects.toThrow(/cannot read model file/);
  });
});

const small = { dim: 16, buckets: 1024, seed: 7 };
embedderContract('builtin (model object)', { create: () => createBuiltinEmbedder({ model: createModel(small) }) });
embedderContract('builtin (model file)', {
  create: async () => {
    const path = join(dir, 'contract.cfbe');
    await createModel(small).save(path);
    return createBuiltinEmbedder({ modelPath: path });
  },
});
