import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annRecall } from '../../src/retrieval/ann.js';
import { denseTopK } from '../../src/retrieval/dense.js';
import { buildIvf, defaultIvfLists, type IvfIndex } from '../../src/retrieval/ivf.js';
import { clusteredVectors } from './fixtures.js';

const dim = 16;
/** Well-separated clusters of unit vectors (seeded). */
const clustered = (rows: number, seed: number): Float32Array => clusteredVectors(rows, seed, { dim, clusters: 12, spread: 0.3, centreSeed: 7 });

describe('buildIvf', () => {
  const C = clustered(2000, 1);
  const Q = clustered(50, 2);
  let ivf: IvfIndex;
  beforeAll(async () => {
    ivf = await buildIvf(C, dim, { lists: 24, nprobe: 4, seed: 3 });
  });
  afterAll(async () => {
    await ivf.close();
  });

  it('partitions every row into exactly one cell', () => {
    expect(ivf.lists).toBe(24);
    expect(ivf.listSizes.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(ivf.assignment.length).toBe(2000);
    for (const c of ivf.assignment) expect(c >= 0 && c < 24).toBe(true);
  });

  it('probing every cell is exact: same ids as denseTopK, exact inner-product scores', async () => {
    const all = ivf.withProbes(24);
    const r = await all.search(Q, 10);
    const exact = denseTopK(Q, C, dim, 10);
    expect(annRecall(r, exact)).toBe(1);
    for (let i = 0; i < r.scores.length; i++) expect(r.scores[i]).toBeCloseTo(exact.scores[i]!, 5);
  });

  it('recall grows with nprobe and is high on clustered data at a few cells', async () => {
    const exact = denseTopK(Q, C, dim, 10);
    const r1 = annRecall(await ivf.withProbes(1).search(Q, 10), exact);
    const r4 = annRecall(await ivf.search(Q, 10), exact);
    expect(r4).toBeGreaterThanOrEqual(r1);
    expect(r4).toBeGreaterThan(0.9);
    // Results are best first, and the k rows are distinct.
    const r = await ivf.search(Q, 10);
    for (let q = 0; q < 50; q++) {
      expect(new Set(r.ids.subarray(q * 10, q * 10 + 10)).size).toBe(10);
      for (let j = 1; j < 10; j++) expect(r.scores[q * 10 + j]!).toBeLessThanOrEqual(r.scores[q * 10 + j - 1]!);
    }
  });

  it('finds a corpus row as its own nearest neighbour (known answer)', async () => {
    const r = await ivf.search(C.slice(17 * dim, 18 * dim), 1);
    expect(r.ids[0]).toBe(17);
    expect(r.scores[0]).toBeCloseTo(1, 5);
  });

  it('is deterministic for a seed; another batch size changes scores by float rounding only', async () => {
    const again = await buildIvf(C, dim, { lists: 24, nprobe: 4, seed: 3, batch: 7 });
    const same = await buildIvf(C, dim, { lists: 24, nprobe: 4, seed: 3 });
    try {
      expect(Array.from(again.assignment)).toEqual(Array.from(ivf.assignment));
      const a = await ivf.search(Q, 10);
      const s = await same.search(Q, 10);
      expect(Array.from(s.ids)).toEqual(Array.from(a.ids));
      expect(Array.from(s.scores)).toEqual(Array.from(a.scores));
      const b = await again.search(Q, 10);
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      for (let i = 0; i < a.scores.length; i++) expect(Math.abs(b.scores[i]! - a.scores[i]!)).toBeLessThan(1e-6);
    } finally {
      await again.close();
      await same.close();
    }
  });

  it('gives the same result with 1 or 3 search threads', async () => {
    const one = await buildIvf(C, dim, { lists: 24, nprobe: 4, seed: 3, threads: 1 });
    const three = await buildIvf(C, dim, { lists: 24, nprobe: 4, seed: 3, threads: 3 });
    try {
      expect(one.threads).toBe(1);
      expect(three.threads).toBe(3);
      const a = await one.search(Q, 10);
      const b = await three.search(Q, 10);
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
      expect(Array.from(a.ids)).toEqual(Array.from((await ivf.search(Q, 10)).ids));
    } finally {
      await one.close();
      await three.close();
    }
  });

  it('never returns excluded rows, and fills k from the next best', async () => {
    const all = ivf.withProbes(24);
    const plain = await all.search(Q.subarray(0, 2 * dim), 5);
    const ex = new Set([plain.ids[0]!, plain.ids[2]!]);
    const r = await all.search(Q.subarray(0, 2 * dim), 5, { exclude: [ex, undefined] });
    const exact6 = denseTopK(Q.subarray(0, dim), C, dim, 7);
    expect(Array.from(r.ids.subarray(0, 5))).toEqual(Array.from(exact6.ids).filter((d) => !ex.has(d)).slice(0, 5));
    expect(Array.from(r.ids.subarray(5))).toEqual(Array.from(plain.ids.subarray(5))); // query 2 unaffected
    await expect(all.search(Q.subarray(0, dim), 5, { exclude: [] })).rejects.toThrow(/exclude has 0 entries for 1 queries/);
    await expect(all.search(Q.subarray(0, dim), 5, { exclude: [new Set([2000])] })).rejects.toThrow(/exclude\[0\] holds 2000/);
  });

  it('refuses to search after close()', async () => {
    const tmp = await buildIvf(C.subarray(0, 40 * dim), dim, { lists: 2 });
    await tmp.close();
    await expect(tmp.search(Q.subarray(0, dim), 3)).rejects.toThrow(/after close\(\)/);
  });

  it('pads when a query sees fewer than k rows, and handles k = 0 and no queries', async () => {
    const tiny = await buildIvf(C.subarray(0, 3 * dim), dim, { lists: 1 });
    try {
      const r = await tiny.search(Q.subarray(0, dim), 5);
      expect(Array.from(r.ids.subarray(3))).toEqual([-1, -1]);
      expect(r.scores[4]).toBe(-Infinity);
      expect((await tiny.search(Q.subarray(0, dim), 0)).ids.length).toBe(0);
      expect((await tiny.search(new Float32Array(0), 5)).ids.length).toBe(0);
    } finally {
      await tiny.close();
    }
  });

  it('rejects bad input with a message that says what to fix', async () => {
    await expect(ivf.search(new Float32Array(dim + 3), 5)).rejects.toThrow(/not a multiple of dim 16/);
    await expect(ivf.search(Q, -1)).rejects.toThrow(/k must be a non-negative integer/);
    await expect(buildIvf(C.subarray(0, 10), dim)).rejects.toThrow(/not a multiple of dim/);
    await expect(buildIvf(new Float32Array(0), dim)).rejects.toThrow(/empty/);
    await expect(buildIvf(C.subarray(0, 5 * dim), dim, { lists: 6 })).rejects.toThrow(/lists \(6\) exceeds the corpus size \(5\)/);
    await expect(buildIvf(C, dim, { nprobe: 0 })).rejects.toThrow(/nprobe must be a positive integer/);
    const bad = C.slice(0, 40 * dim);
    bad[3 * dim + 2] = Number.NaN;
    await expect(buildIvf(bad, dim, { lists: 4 })).rejects.toThrow(/row 3 has a non-finite value at column 2/);
    expect(() => ivf.withProbes(0)).toThrow(/nprobe must be a positive integer/);
  });

  it('default lists: round(2 sqrt(n)), at most n', () => {
    expect(defaultIvfLists(200_000)).toBe(894);
    expect(defaultIvfLists(1)).toBe(1);
    expect(defaultIvfLists(3)).toBe(3);
  });
});
