import { usageError } from '../errors.js';
import { TopK } from './topk.js';

/**
 * Exact dense top-k by inner product (cosine for unit vectors): every query against every row.
 * Queries are scored four at a time so each corpus row is read once per block.
 * Returns nq x k arrays (rows padded with -1 / -Infinity when the corpus has fewer than k rows).
 */
export function denseTopK(queries: Float32Array, corpus: Float32Array, dim: number, k: number): { ids: Int32Array; scores: Float32Array; k: number } {
  if (queries.length % dim !== 0 || corpus.length % dim !== 0) throw usageError('bad_dense_shape', `denseTopK: array lengths (${queries.length}, ${corpus.length}) are not multiples of dim ${dim}.`);
  const nq = queries.length / dim;
  const nc = corpus.length / dim;
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(-Infinity);
  const heaps = [new TopK(k), new TopK(k), new TopK(k), new TopK(k)];
  for (let q0 = 0; q0 < nq; q0 += 4) {
    const nb = Math.min(4, nq - q0);
    for (const h of heaps) h.reset();
    const a = q0 * dim, b = a + dim, c = b + dim, d = c + dim;
    for (let r = 0; r < nc; r++) {
      const o = r * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < dim; j++) {
        const x = corpus[o + j]!;
        s0 += x * queries[a + j]!;
        if (nb > 1) s1 += x * queries[b + j]!;
        if (nb > 2) s2 += x * queries[c + j]!;
        if (nb > 3) s3 += x * queries[d + j]!;
      }
      heaps[0]!.push(s0, r);
      if (nb > 1) heaps[1]!.push(s1, r);
      if (nb > 2) heaps[2]!.push(s2, r);
      if (nb > 3) heaps[3]!.push(s3, r);
    }
    for (let i = 0; i < nb; i++) {
      const res = heaps[i]!.result();
      ids.set(res.ids, (q0 + i) * k);
      scores.set(res.scores, (q0 + i) * k);
    }
  }
  return { ids, scores, k };
}
