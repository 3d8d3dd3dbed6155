import { usageError } from '../../errors.js';
import type { Embedder } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';
import { openVectorCache, sha256, type VectorCache } from './vector-cache.js';

export interface CachedEmbedderOptions {
  /** Folder of the cache files (one file per embedder id). */
  readonly cacheDir: string;
}

export interface CachedEmbedder extends Embedder {
  readonly cache: VectorCache;
  /** hits: texts served from the cache; misses: texts sent to the inner embedder; innerCalls: its embed() calls. */
  readonly stats: { hits: number; misses: number; innerCalls: number };
}

/**
 * Wrap an embedder with a disk cache keyed by (embedder id, sha256 of the text). The id is the
 * inner embedder's id, so a different model (or model file, or normalisation) gets its own file.
 * Texts repeated within one call are embedded once.
 */
export async function createCachedEmbedder(inner: Embedder, opts: CachedEmbedderOptions): Promise<CachedEmbedder> {
  if (!inner || typeof inner.embed !== 'function') throw usageError('bad_embedder_options', 'createCachedEmbedder needs an Embedder to wrap.');
  if (!opts?.cacheDir) throw usageError('bad_embedder_options', 'createCachedEmbedder: cacheDir is required (a writable folder for the cache files).');
  const dim = inner.dim;
  const cache = await openVectorCache(opts.cacheDir, inner.id, dim);
  const stats = { hits: 0, misses: 0, innerCalls: 0 };
  // the wrapped embedder's resources (an ONNX session) are released with the cache
  const life = lifecycle(`cached embedder ${inner.id}`, () => inner.close());
  return {
    id: inner.id,
    dim,
    cache,
    stats,
    async embed(texts) {
      life.assertOpen();
      const out = new Float32Array(texts.length * dim);
      const keys = texts.map((t) => sha256(t));
      const missText: string[] = [];
      const missKey: Buffer[] = [];
      const missRows = new Map<string, number[]>(); // key hex -> output rows
      for (let i = 0; i < texts.length; i++) {
        if (cache.getInto(keys[i]!, out, i * dim)) {
          stats.hits++;
          continue;
        }
        const hex = keys[i]!.toString('hex');
        const rows = missRows.get(hex);
        if (rows) rows.push(i);
        else {
          missRows.set(hex, [i]);
          missText.push(texts[i]!);
          missKey.push(keys[i]!);
        }
      }
      if (missText.length === 0) return out;
      stats.misses += missText.length;
      stats.innerCalls++;
      const v = await inner.embed(missText);
      if (v.length !== missText.length * dim) {
        throw usageError('bad_embedder_output', `embedder ${inner.id} returned ${v.length} values for ${missText.length} texts x dim ${dim}.`);
      }
      for (let m = 0; m < missKey.length; m++) {
        for (const i of missRows.get(missKey[m]!.toString('hex'))!) out.set(v.subarray(m * dim, (m + 1) * dim), i * dim);
      }
      await cache.put(missKey, v);
      return out;
    },
    close: life.close,
  };
}
