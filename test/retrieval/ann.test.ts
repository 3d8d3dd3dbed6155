import { describe, expect, it } from 'vitest';
import { annRecall, buildAnn, buildApproxDense } from '../../src/retrieval/ann.js';
import { denseTopK } from '../../src/retrieval/dense.js';
import { clusteredVectors } from './fixtures.js';

const dim = 24;
/** Well-separated clusters of unit vectors (seeded). */
const clustered = (rows: number, seed: number): Float32Array => clusteredVectors(rows, seed, { dim, clusters: 20, spread: 0.5, centreSeed: 99 });

describe('annRecall', () => {
  it('is the mean share of the exact list found, ignoring padding', () => {
    const exact = { k: 2, ids: Int32Array.from([1, 2, 3, -1]), scores: new Float32Array(4) };
    const approx = { k: 2, ids: Int32Array.from([2, 9, 3, 4]), scores: new Float32Array(4) };
    expect(annRecall(approx, exact)).toBeCloseTo((0.5 + 1) / 2, 9);
    expect(annRecall(approx, exact, 1)).toBeCloseTo((0 + 1) / 2, 9);
    expect(() => annRecall(approx, { ...exact, k: 1, ids: exact.ids.subarray(0, 1) })).toThrow(/same queries/);
  });
});

describe('buildAnn (usearch)', () => {
  const C = clustered(3000, 1);
  const Q = clustered(60, 2);
  it.each(['i8', 'f32'] as const)('finds the exact top-10 with recall above 0.9 on small clustered data (%s), inner-product scores', async (quantization) => {
    const ann = await buildAnn(C, dim, { quantization });
    const approx = ann.search(Q, 10);
    const exact = denseTopK(Q, C, dim, 10);
    expect(annRecall(approx, exact)).toBeGreaterThan(0.9);
    // Scores are inner products (1 - usearch's ip distance) and come best first.
    const d0 = approx.ids[0]!;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += Q[j]! * C[d0 * dim + j]!;
    expect(approx.scores[0]).toBeCloseTo(dot, 4);
    for (let j = 1; j < 10; j++) expect(approx.scores[j]!).toBeLessThanOrEqual(approx.scores[j - 1]!);
  });
  it('reads typed-array views at their offset (usearch alone would not), single queries included', async () => {
    const big = new Float32Array(dim * 5 + C.length);
    big.set(C, dim * 5);
    const ann = await buildAnn(big.subarray(dim * 5), dim);
    const buf = new Float32Array(dim * 3);
    buf.set(Q.subarray(0, dim), dim * 2);
    const one = ann.search(buf.subarray(dim * 2), 5);
    expect(Array.from(one.ids)).toEqual(Array.from(ann.search(Q.slice(0, dim), 5).ids));
    expect(Array.from(one.ids)).toEqual(Array.from(denseTopK(Q.subarray(0, dim), C, dim, 5).ids));
  });
  it('withExpansionSearch reloads the same graph with another ef: recall does not drop as ef grows', async () => {
    const ann = await buildAnn(C, dim, { expansionSearch: 10, oversample: 1, quantization: 'f32' });
    const exact = denseTopK(Q, C, dim, 10);
    const low = annRecall(ann.search(Q, 10), exact);
    const wide = ann.withExpansionSearch(400);
    expect(wide.expansionSearch).toBe(400);
    expect(annRecall(wide.search(Q, 10), exact)).toBeGreaterThanOrEqual(low);
    expect(annRecall(wide.search(Q, 10), exact)).toBeGreaterThan(0.97);
  });
  it('withExpansionSearch(ef, oversample) re-ranks ceil(k x oversample) candidates of the same graph; fractional values accepted', async () => {
    const ann = await buildAnn(C, dim, { expansionSearch: 16, oversample: 1 });
    expect(ann.oversample).toBe(1);
    const exact = denseTopK(Q, C, dim, 10);
    const plain = ann.search(Q, 10);
    const wider = ann.withExpansionSearch(16, 3.5);
    expect(wider.oversample).toBe(3.5);
    expect(wider.expansionSearch).toBe(16);
    const r = wider.search(Q, 10);
    expect(annRecall(r, exact)).toBeGreaterThanOrEqual(annRecall(plain, exact));
    // Re-ranked scores are exact float32 inner products, best first.
    const d0 = r.ids[0]!;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += Q[j]! * C[d0 * dim + j]!;
    expect(r.scores[0]).toBeCloseTo(dot, 5);
    for (let j = 1; j < 10; j++) expect(r.scores[j]!).toBeLessThanOrEqual(r.scores[j - 1]!);
    expect(ann.search(Q, 10).ids).toEqual(plain.ids); // the original object is unchanged
    expect(() => ann.withExpansionSearch(16, 0.5)).toThrow(/oversample must be a number >= 1/);
    await expect(buildAnn(C, dim, { oversample: Number.NaN })).rejects.toThrow(/oversample must be a number >= 1/);
  });
  it('pads past the corpus size and rejects bad options', async () => {
    const ann = await buildAnn(C.subarray(0, 3 * dim), dim);
    expect(Array.from(ann.search(Q.subarray(0, dim), 5).ids.subarray(3))).toEqual([-1, -1]);
    await expect(buildAnn(C, dim, { connectivity: 0 })).rejects.toThrow(/connectivity must be a positive integer/);
  });
  it('excludes rows per query (fetching k + the largest exclusion set) and rejects a dimension mismatch', async () => {
    const ann = await buildAnn(C, dim, { quantization: 'f32', expansionSearch: 200 });
    expect(ann.kind).toBe('hnsw');
    const q2 = Q.subarray(0, 2 * dim);
    const plain = ann.search(q2, 5);
    const ex = new Set([plain.ids[0]!, plain.ids[1]!]);
    const r = ann.search(q2, 5, { exclude: [ex, undefined] });
    expect(Array.from(r.ids.subarray(0, 3))).toEqual(Array.from(plain.ids.subarray(2, 5)));
    for (const d of r.ids.subarray(0, 5)) expect(ex.has(d)).toBe(false);
    expect(Array.from(r.ids.subarray(5))).toEqual(Array.from(plain.ids.subarray(5)));
    expect(() => ann.search(q2, 5, { exclude: [ex] })).toThrow(/exclude has 1 entries for 2 queries/);
    expect(() => ann.search(new Float32Array(dim + 1), 5)).toThrow(/not a multiple of dim 24/);
    await ann.close();
  });
});

describe('buildApproxDense', () => {
  const C = clustered(1500, 3);
  const Q = clustered(30, 4);
  it.each(['ivf', 'hnsw'] as const)('%s: one interface for the miner, recall against exact above 0.9', async (method) => {
    const idx = await buildApproxDense(C, dim, method === 'ivf' ? { method, lists: 20, nprobe: 6 } : { method });
    try {
      expect(idx.kind).toBe(method);
      expect(idx.size).toBe(1500);
      const r = await idx.search(Q, 10);
      expect(annRecall(r, denseTopK(Q, C, dim, 10))).toBeGreaterThan(0.9);
    } finally {
      await idx.close();
    }
  });
  it('rejects an unknown method', async () => {
    await expect(buildApproxDense(C, dim, { method: 'lsh' } as never)).rejects.toThrow(/method must be 'ivf' or 'hnsw'/);
  });
});
