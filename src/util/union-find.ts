/**
 * Disjoint sets over 0..n-1 on typed arrays: path halving, and the smaller index stays the root,
 * so the partition and its roots do not depend on the order of the unions.
 */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const gp = p[p[x]!]!;
      p[x] = gp;
      x = gp;
    }
    return x;
  }

  /** Members in the set of x. */
  sizeOf(x: number): number {
    return this.size[this.find(x)]!;
  }

  /** 1 = joined, 0 = already one set, -1 = refused: the joined set would exceed maxSize. */
  union(a: number, b: number, maxSize = Number.POSITIVE_INFINITY): 1 | 0 | -1 {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return 0;
    if (this.size[ra]! + this.size[rb]! > maxSize) return -1;
    if (rb < ra) { const t = ra; ra = rb; rb = t; }
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return 1;
  }
}
