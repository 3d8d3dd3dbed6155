import { describe, expect, it } from 'vitest';
import { bootstrapCI, pairedBootstrapDiff, retrievalMetrics } from '../../../src/tools/evaluate/metrics.js';
import { createRng } from '../../../src/util/rng.js';

const qrels = new Map([
  ['q1', new Map([['a', 2], ['b', 1], ['z', 0]])],
  ['q2', new Map([['c', 1]])],
  ['q3', new Map([['x', 0]])], // no relevant doc: skipped
]);

describe('retrievalMetrics', () => {
  it('computes recall, MRR and graded nDCG by hand', () => {
    const run = new Map([
      ['q1', ['z', 'b', 'a']],
      ['q2', ['d', 'e']],
    ]);
    const m = retrievalMetrics(run, qrels, [2, 10]);
    expect(m.qids).toEqual(['q1', 'q2']);
    // q1: rel at ranks 2 (g=1) and 3 (g=2). ideal: 2, 1.
    const dcg10 = 1 / Math.log2(3) + 2 / Math.log2(4);
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3);
    expect(m.perQuery['ndcg@10']![0]).toBeCloseTo(dcg10 / idcg, 10);
    expect(m.perQuery['ndcg@2']![0]).toBeCloseTo(1 / Math.log2(3) / idcg, 10);
    expect(m.perQuery['recall@2']![0]).toBe(0.5);
    expect(m.perQuery['recall@10']![0]).toBe(1);
    expect(m.perQuery['mrr@10']![0]).toBe(0.5);
    expect(m.perQuery['mrr@10']![1]).toBe(0);
    expect(m.mean['recall@10']).toBe(0.5);
    expect(m.mean['mrr@10']).toBe(0.25);
  });
  it('scores a perfect run 1 and a missing query 0', () => {
    const m = retrievalMetrics(new Map([['q1', ['a', 'b']]]), qrels, [10]);
    expect(m.perQuery['ndcg@10']).toEqual([1, 0]);
    expect(m.mean['mrr@10']).toBe(0.5);
  });
});

describe('bootstrap', () => {
  const sample = (n: number, seed: number) => {
    const r = createRng(seed);
    return Array.from({ length: n }, () => r.next());
  };
  it('CI contains the mean and narrows with more queries', () => {
    const small = sample(30, 1), big = sample(1000, 2);
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const [lo, hi] = bootstrapCI(small, { seed: 1 });
    expect(lo).toBeLessThan(mean(small));
    expect(hi).toBeGreaterThan(mean(small));
    const [lo2, hi2] = bootstrapCI(big, { seed: 1 });
    expect(lo2).toBeLessThan(mean(big));
    expect(hi2).toBeGreaterThan(mean(big));
    expect(hi2 - lo2).toBeLessThan((hi - lo) / 3);
    expect(bootstrapCI(small, { seed: 1 })).toEqual([lo, hi]);
    expect(bootstrapCI([])).toEqual([NaN, NaN]);
  });
  it('paired difference of identical inputs is 0; a real shift is detected', () => {
    const a = sample(200, 3);
    expect(pairedBootstrapDiff(a, a, { seed: 2 })).toEqual({ mean: 0, lo: 0, hi: 0 });
    const b = a.map((x) => x - 0.1);
    const d = pairedBootstrapDiff(a, b, { seed: 2 });
    expect(d.mean).toBeCloseTo(0.1, 10);
    expect(d.lo).toBeCloseTo(0.1, 6);
    const noisy = a.map((x, i) => x - 0.05 + (i % 2 ? 0.2 : -0.2));
    const dn = pairedBootstrapDiff(a, noisy, { seed: 2 });
    expect(dn.lo).toBeLessThan(dn.mean);
    expect(dn.hi).toBeGreaterThan(dn.mean);
    expect(() => pairedBootstrapDiff([1], [1, 2])).toThrow(/same queries/);
  });
});
