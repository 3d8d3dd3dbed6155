import { internalError } from '../../errors.js';
import type { Embedder } from '../../ports/index.js';

/** Embed in batches and L2-normalise each row (a zero vector stays zero). */
export async function embedNormalized(embedder: Embedder, texts: readonly string[], batchSize = 256): Promise<Float32Array> {
  const dim = embedder.dim;
  const out = new Float32Array(texts.length * dim);
  for (let s = 0; s < texts.length; s += batchSize) {
    const part = texts.slice(s, s + batchSize);
    const v = await embedder.embed(part);
    if (v.length !== part.length * dim) {
      throw internalError('bad_embedder_output', `embedder ${embedder.id} returned ${v.length} values for ${part.length} texts x dim ${dim}; an Embedder must return texts.length x dim values.`, { stage: 'negatives' });
    }
    out.set(v, s * dim);
  }
  for (let r = 0; r < texts.length; r++) {
    const o = r * dim;
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += out[o + j]! * out[o + j]!;
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < dim; j++) out[o + j]! *= inv;
    }
  }
  return out;
}

export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ao + j]! * b[bo + j]!;
  return s;
}
