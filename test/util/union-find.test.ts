import { describe, expect, it } from 'vitest';
import { UnionFind } from '../../src/util/union-find.js';

describe('UnionFind', () => {
  it('joins sets, keeps the smallest index as root and counts sizes', () => {
    const uf = new UnionFind(5);
    expect(uf.union(3, 4)).toBe(1);
    expect(uf.union(4, 1)).toBe(1);
    expect(uf.union(1, 3)).toBe(0);
    expect(uf.find(4)).toBe(1);
    expect(uf.sizeOf(3)).toBe(3);
    expect(uf.find(0)).toBe(0);
  });
  it('refuses a union that would exceed maxSize and leaves both sets as they were', () => {
    const uf = new UnionFind(4);
    uf.union(0, 1);
    uf.union(2, 3);
    expect(uf.union(1, 3, 3)).toBe(-1);
    expect(uf.find(3)).toBe(2);
    expect(uf.union(1, 3, 4)).toBe(1);
    expect(uf.sizeOf(0)).toBe(4);
  });
  it('gives the same roots whatever the order of the unions', () => {
    const pairs: [number, number][] = [[5, 2], [7, 5], [1, 6], [6, 3], [0, 9]];
    const roots = (ps: [number, number][]) => { const uf = new UnionFind(10); for (const [a, b] of ps) uf.union(a, b); return Array.from({ length: 10 }, (_, i) => uf.find(i)); };
    expect(roots([...pairs].reverse())).toEqual(roots(pairs));
    expect(roots(pairs)).toEqual([0, 1, 2, 1, 4, 2, 1, 2, 8, 0]);
  });
});
