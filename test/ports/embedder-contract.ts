import { describe, expect, it } from 'vitest';
import { ClickforgeError } from '../../src/errors.js';
import type { Embedder } from '../../src/ports/index.js';

/** How the suite drives one Embedder implementation. */
export interface EmbedderCase {
  /** A fresh embedder; called inside each test (a loopback server may be started there). The suite closes it. */
  create(): Promise<Embedder>;
  /** Texts the implementation can embed; at least three, distinct. */
  readonly texts?: readonly string[];
}

const TEXTS = ['red running shoes', 'shoes', 'a café, open late!', 'red', 'running shoes for wet roads'];

const rows = (v: Float32Array, dim: number) => Array.from({ length: v.length / dim }, (_, i) => Array.from(v.subarray(i * dim, (i + 1) * dim)));

/**
 * The behaviour every Embedder has (unstorage's `testDriver` pattern): call it once per
 * implementation from that implementation's test file.
 */
export function embedderContract(name: string, c: EmbedderCase): void {
  const texts = c.texts ?? TEXTS;
  describe(`Embedder contract: ${name}`, () => {
    const withEmbedder = async (f: (e: Embedder) => Promise<void>) => {
      const e = await c.create();
      try {
        await f(e);
      } finally {
        await e.close();
      }
    };

    it('has an id and a dimension, and returns texts.length x dim finite values', () =>
      withEmbedder(async (e) => {
        expect(typeof e.id).toBe('string');
        expect(e.id.length).toBeGreaterThan(0);
        expect(Number.isInteger(e.dim) && e.dim > 0).toBe(true);
        const v = await e.embed(texts);
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(texts.length * e.dim);
        expect(v.every(Number.isFinite)).toBe(true);
      }));

    it('is deterministic: the same texts give the same vectors', () =>
      withEmbedder(async (e) => {
        expect(Array.from(await e.embed(texts))).toEqual(Array.from(await e.embed(texts)));
      }));

    it('a batch gives each text the vector it gets alone, in input order', () =>
      withEmbedder(async (e) => {
        const batch = rows(await e.embed(texts), e.dim);
        for (let i = 0; i < texts.length; i++) {
          const alone = rows(await e.embed([texts[i]!]), e.dim)[0]!;
          alone.forEach((x, j) => expect(batch[i]![j]).toBeCloseTo(x, 5));
        }
        const reversed = rows(await e.embed([...texts].reverse()), e.dim).reverse();
        reversed.forEach((r, i) => r.forEach((x, j) => expect(batch[i]![j]).toBeCloseTo(x, 5)));
      }));

    it('no texts give no values', () =>
      withEmbedder(async (e) => {
        const v = await e.embed([]);
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(0);
      }));

    it('close() is idempotent, and embed after it rejects with adapter_closed', async () => {
      const e = await c.create();
      await e.embed(texts.slice(0, 1));
      await e.close();
      await e.close();
      const err = await e.embed(texts.slice(0, 1)).then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(ClickforgeError);
      expect((err as ClickforgeError).code).toBe('adapter_closed');
      expect((err as Error).message).toContain(e.id);
    });
  });
}
