import { describe, expect, it } from 'vitest';
import { denseTopK } from '../../src/retrieval/dense.js';
import { createRng } from '../../src/util/rng.js';

describe('denseTopK', () => {
  it('matches brute force for every query of an odd-sized block', () => {
    const r = createRng(4);
    const dim = 5, nc = 40, nq = 7, k = 6;
    const C = Float32Array.from({ length: nc * dim }, () => r.normal());
    const Q = Float32Array.from({ length: nq * dim }, () => r.normal());
    const res = denseTopK(Q, C, dim, k);
    for (let q = 0; q < nq; q++) {
      const s = Array.from({ length: nc }, (_, i) => {
        let t = 0;
        for (let j = 0; j < dim; j++) t += Q[q * dim + j]! * C[i * dim + j]!;
        return [Math.fround(t), i] as const;
      }).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      expect(Array.from(res.ids.subarray(q * k, q * k + k))).toEqual(s.slice(0, k).map((x) => x[1]));
    }
  });
  it('pads when the corpus is smaller than k', () => {
    const res = denseTopK(new Float32Array([1, 0]), new Float32Array([0, 1, 1, 0]), 2, 3);
    expect(Array.from(res.ids)).toEqual([1, 0, -1]);
  });
});
