/**
 * Exact top-k with a bounded min-heap. Ties are broken by the lower index, so results never depend
 * on the order candidates arrive in.
 */
export class TopK {
  private readonly k: number;
  private size = 0;
  private readonly hs: Float32Array;
  private readonly hi: Int32Array;

  constructor(k: number) {
    this.k = k;
    this.hs = new Float32Array(Math.max(1, k));
    this.hi = new Int32Array(Math.max(1, k));
  }

  reset(): void {
    this.size = 0;
  }

  /** True when (s, i) ranks below (t, j): lower score, or equal score and higher index. */
  private static worse(s: number, i: number, t: number, j: number): boolean {
    return s < t || (s === t && i > j);
  }

  push(score: number, index: number): void {
    const { hs, hi } = this;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!TopK.worse(score, index, hs[p]!, hi[p]!)) break;
        hs[c] = hs[p]!;
        hi[c] = hi[p]!;
        c = p;
      }
      hs[c] = score;
      hi[c] = index;
      return;
    }
    if (this.k === 0 || !TopK.worse(hs[0]!, hi[0]!, score, index)) return;
    const n = this.size;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && TopK.worse(hs[r]!, hi[r]!, hs[l]!, hi[l]!) ? r : l;
      if (!TopK.worse(hs[m]!, hi[m]!, score, index)) break;
      hs[c] = hs[m]!;
      hi[c] = hi[m]!;
      c = m;
    }
    hs[c] = score;
    hi[c] = index;
  }

  /** The smallest score kept so far (-Infinity until k items were pushed). */
  threshold(): number {
    return this.size < this.k ? -Infinity : this.hs[0]!;
  }

  /** Best first. */
  result(): { ids: Int32Array; scores: Float32Array } {
    const n = this.size;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const { hs, hi } = this;
    order.sort((a, b) => (hs[b]! - hs[a]!) || (hi[a]! - hi[b]!));
    const ids = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = hi[order[i]!]!;
      scores[i] = hs[order[i]!]!;
    }
    return { ids, scores };
  }
}
