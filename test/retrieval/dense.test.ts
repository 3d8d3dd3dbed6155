import { describe, expect, it } from 'vitest';
import { createDenseSearcher, createOnnxDenseTopK, denseTopK } from '../../src/retrieval/dense.js';
import { createRng } from '../../src/util/rng.js';

function brute(Q: Float32Array, C: Float32Array, dim: number, q: number): (readonly [number, number])[] {
  const nc = C.length / dim;
  return Array.from({ length: nc }, (_, i) => {
    let t = 0;
    for (let j = 0; j < dim; j++) t += Q[q * dim + j]! * C[i * dim + j]!;
    return [Math.fround(t), i] as const;
  }).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
}

const r = createRng(4);
// Sizes that are not multiples of the 4 x 2 register tile nor of the 32 x 128 blocks.
const dim = 13, nc = 301, nq = 37, k = 9;
const C = Float32Array.from({ length: nc * dim }, () => r.normal());
const Q = Float32Array.from({ length: nq * dim }, () => r.normal());

describe('denseTopK', () => {
  it('matches brute force for every query, across block and tile edges', () => {
    const res = denseTopK(Q, C, dim, k);
    for (let q = 0; q < nq; q++) {
      const s = brute(Q, C, dim, q);
      expect(Array.from(res.ids.subarray(q * k, q * k + k))).toEqual(s.slice(0, k).map((x) => x[1]));
      expect(Array.from(res.scores.subarray(q * k, q * k + k))).toEqual(s.slice(0, k).map((x) => x[0]));
    }
  });
  it('pads when the corpus is smaller than k, breaks ties by lower row', () => {
    expect(Array.from(denseTopK(new Float32Array([1, 0]), new Float32Array([0, 1, 1, 0]), 2, 3).ids)).toEqual([1, 0, -1]);
    expect(Array.from(denseTopK(new Float32Array([1, 0]), new Float32Array([1, 0, 0, 1, 1, 0]), 2, 2).ids)).toEqual([0, 2]);
  });
  it('rejects shapes that do not fit', () => {
    expect(() => denseTopK(new Float32Array(3), new Float32Array(4), 2, 1)).toThrow(/multiples of dim 2/);
  });
});

describe('createOnnxDenseTopK', () => {
  it('gives the brute-force top-k (up to float rounding) and pads past the corpus size', async () => {
    const s = await createOnnxDenseTopK(C, dim, k, { batch: 5 });
    const res = await s.search(Q);
    for (let q = 0; q < nq; q++) {
      const b = brute(Q, C, dim, q);
      for (let j = 0; j < k; j++) {
        expect(res.scores[q * k + j]).toBeCloseTo(b[j]![0], 4);
        // Same row unless two scores are within rounding of each other.
        if (Math.abs(b[j]![0] - (b[j + 1]?.[0] ?? -Infinity)) > 1e-4 && (j === 0 || Math.abs(b[j]![0] - b[j - 1]![0]) > 1e-4)) expect(res.ids[q * k + j]).toBe(b[j]![1]);
      }
    }
    await s.close();
    const small = await createOnnxDenseTopK(new Float32Array([0, 1, 1, 0]), 2, 3);
    expect(Array.from((await small.search(new Float32Array([1, 0]))).ids)).toEqual([1, 0, -1]);
    await small.close();
  });
  it('createDenseSearcher uses ONNX when it loads, and the TS engine on request', async () => {
    const auto = await createDenseSearcher(C, dim, k);
    expect(auto.engine).toBe('onnx');
    const ts = await createDenseSearcher(C, dim, k, { engine: 'ts' });
    expect(ts.engine).toBe('ts');
    expect(Array.from((await ts.search(Q)).ids)).toEqual(Array.from(denseTopK(Q, C, dim, k).ids));
    await auto.close();
  });
});
