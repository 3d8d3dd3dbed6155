import type { CellCounts } from './counts.js';

export interface RelativeCurveResult {
  /** Examination relative to rank 1 (rank 1 = 1). NaN for a rank with no usable evidence. */
  readonly relative: Float64Array;
  /** Rank pairs (k, k') that entered the fit. */
  readonly rankPairsUsed: number;
  /** (query, document) pairs seen at two or more ranks: the harvested interventions. */
  readonly harvestedPairs: number;
  readonly notes: readonly string[];
}

/**
 * Intervention harvesting (Agarwal, Zaitsev, Wang, Li, Najork, Joachims, WSDM 2019, "Estimating
 * Position Bias without Intrusive Interventions"): the same (query, document) shown at different
 * ranks on different pages is a natural swap experiment, because its relevance is the same on both.
 *
 * We use the pairwise ratio estimator, not the paper's weighted extremum estimator: for ranks k, k'
 * and the set S of pairs seen at both,
 *
 *   p_k' / p_k  ~=  sum_S w * ctr_k'(q,d)  /  sum_S w * ctr_k(q,d),   w = n_k n_k' / (n_k + n_k')
 *
 * (harmonic impression weight: a pair counts as much as its scarcer side allows). Since
 * E[ctr_k(q,d)] = p_k * rel(q,d) under the position-based model, the relevance cancels. All rank
 * pairs are then combined by weighted least squares on log ratios with log p_1 = 0 (the "AllPairs"
 * idea of Agarwal et al. 2019b), each log ratio weighted by its inverse approximate variance
 * 1 / (1/A + 1/B) with A, B the weighted click sums. This needs no relevance model and no EM;
 * the extremum estimator is more efficient when interventions are scarce.
 */
export function interventionHarvest(cells: CellCounts, nPairs: number, nRanks: number, opts: { readonly minClicks: number }): RelativeCurveResult {
  const R = nRanks;
  // Counting sort of cells by pair so each pair's ranks are contiguous.
  const start = new Int32Array(nPairs + 1);
  for (let i = 0; i < cells.length; i++) start[(cells.pair[i] as number) + 1]! += 1;
  for (let p = 0; p < nPairs; p++) start[p + 1]! += start[p] as number;
  const order = new Int32Array(cells.length);
  const fill = start.slice(0, nPairs);
  for (let i = 0; i < cells.length; i++) order[fill[cells.pair[i] as number]!++] = i;

  const A = new Float64Array(R * R); // weighted ctr at the upper rank k of (k, k')
  const B = new Float64Array(R * R); // weighted ctr at the lower rank k'
  const n = new Float64Array(R);
  const c = new Float64Array(R);
  let harvested = 0;
  for (let p = 0; p < nPairs; p++) {
    const s = start[p] as number;
    const e = start[p + 1] as number;
    if (e - s < 2) continue;
    n.fill(0);
    c.fill(0);
    let distinct = 0;
    for (let j = s; j < e; j++) {
      const i = order[j] as number;
      const r = cells.rank[i] as number;
      if (r >= R) continue;
      if (n[r] === 0 && (cells.impressions[i] as number) > 0) distinct++;
      n[r] = (n[r] as number) + (cells.impressions[i] as number);
      c[r] = (c[r] as number) + (cells.clicks[i] as number);
    }
    if (distinct < 2) continue;
    harvested++;
    for (let k = 0; k < R; k++) {
      const nk = n[k] as number;
      if (nk <= 0) continue;
      for (let k2 = k + 1; k2 < R; k2++) {
        const nk2 = n[k2] as number;
        if (nk2 <= 0) continue;
        const w = (nk * nk2) / (nk + nk2);
        A[k * R + k2] = (A[k * R + k2] as number) + (w * (c[k] as number)) / nk;
        B[k * R + k2] = (B[k * R + k2] as number) + (w * (c[k2] as number)) / nk2;
      }
    }
  }

  // Weighted least squares on x_k = log p_k with x_0 = 0, over the component connected to rank 1.
  const eqs: { k: number; k2: number; y: number; wt: number }[] = [];
  const adj: number[][] = Array.from({ length: R }, () => []);
  for (let k = 0; k < R; k++) {
    for (let k2 = k + 1; k2 < R; k2++) {
      const a = A[k * R + k2] as number;
      const b = B[k * R + k2] as number;
      if (a < opts.minClicks || b < opts.minClicks || a <= 0 || b <= 0) continue;
      eqs.push({ k, k2, y: Math.log(b / a), wt: 1 / (1 / a + 1 / b) });
      adj[k]!.push(k2);
      adj[k2]!.push(k);
    }
  }
  const reached = new Uint8Array(R);
  reached[0] = 1;
  const queue = [0];
  while (queue.length > 0) {
    const k = queue.pop() as number;
    for (const j of adj[k] ?? []) if (!reached[j]) { reached[j] = 1; queue.push(j); }
  }
  const idx = new Int32Array(R).fill(-1);
  let m = 0;
  for (let k = 1; k < R; k++) if (reached[k]) idx[k] = m++;
  const M = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  let used = 0;
  for (const { k, k2, y, wt } of eqs) {
    if (!reached[k] || !reached[k2]) continue;
    used++;
    const i = idx[k] as number;
    const j = idx[k2] as number;
    // residual: x_j - x_i - y
    if (j >= 0) { M[j * m + j]! += wt; rhs[j]! += wt * y; }
    if (i >= 0) { M[i * m + i]! += wt; rhs[i]! -= wt * y; }
    if (i >= 0 && j >= 0) { M[i * m + j]! -= wt; M[j * m + i]! -= wt; }
  }
  const x = solve(M, rhs, m);
  const relative = new Float64Array(R).fill(Number.NaN);
  relative[0] = 1;
  for (let k = 1; k < R; k++) if (idx[k]! >= 0) relative[k] = Math.exp(x[idx[k] as number] as number);
  const notes: string[] = [];
  const missing = [];
  for (let k = 1; k < R; k++) if (!reached[k]) missing.push(k + 1);
  if (missing.length > 0) {
    notes.push(`intervention harvesting: ranks ${missing.join(', ')} share no document with rank 1 (directly or through other ranks) with at least minHarvestClicks clicks on both sides; their propensity is unknown (NaN). More pages, or lower minHarvestClicks.`);
  }
  return { relative, rankPairsUsed: used, harvestedPairs: harvested, notes };
}

/** Gaussian elimination with partial pivoting on a small dense system (m <= 31). */
function solve(M: Float64Array, b: Float64Array, m: number): Float64Array {
  const a = M.slice();
  const x = b.slice();
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col] as number) > Math.abs(a[piv * m + col] as number)) piv = r;
    if (piv !== col) {
      for (let c = 0; c < m; c++) {
        const t = a[col * m + c] as number;
        a[col * m + c] = a[piv * m + c] as number;
        a[piv * m + c] = t;
      }
      const t = x[col] as number;
      x[col] = x[piv] as number;
      x[piv] = t;
    }
    const d = a[col * m + col] as number;
    if (Math.abs(d) < 1e-300) continue;
    for (let r = col + 1; r < m; r++) {
      const f = (a[r * m + col] as number) / d;
      if (f === 0) continue;
      for (let c = col; c < m; c++) a[r * m + c] = (a[r * m + c] as number) - f * (a[col * m + c] as number);
      x[r] = (x[r] as number) - f * (x[col] as number);
    }
  }
  for (let r = m - 1; r >= 0; r--) {
    let s = x[r] as number;
    for (let c = r + 1; c < m; c++) s -= (a[r * m + c] as number) * (x[c] as number);
    const d = a[r * m + r] as number;
    x[r] = Math.abs(d) < 1e-300 ? Number.NaN : s / d;
  }
  return x;
}
