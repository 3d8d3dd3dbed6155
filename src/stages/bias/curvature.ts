import type { CellCounts } from './counts.js';

/** Attractiveness at or above this is at PyClick's clamp (1 - 1e-6): such a pair's attractiveness is not free. */
const AT_CLAMP = 1 - 2e-6;

/**
 * Gradient and Hessian of each query's profile log-likelihood of the examination curve (every
 * pair's attractiveness at its maximum for the curve), at a fitted PBM, for maximum likelihood on
 * the curve-fit cells (no prior).
 *
 * Why per query: the bootstrap draws query q m_q times, which multiplies the impressions and clicks
 * of q's cells by m_q. Without a prior a pair's best attractiveness for a given curve does not
 * change when its counts are multiplied, so a replicate's profile log-likelihood is exactly
 * sum_q m_q P_q(E): its Newton step from the full fit needs only these per-query sums.
 */
export interface QueryCurvature {
  readonly nQueries: number;
  readonly nRanks: number;
  /** nQueries x nRanks: dP_q/dE_r. */
  readonly gradient: Float64Array;
  /** nQueries x nRanks x nRanks: d2P_q/dE_r dE_s. */
  readonly hessian: Float64Array;
  /** Per pair: dl/da, d2l/da2 (0 = attractiveness not free), and nPairs x nRanks d2l/da dE_r: what moves its attractiveness with the curve. */
  readonly pairGradient: Float64Array;
  readonly pairCurvature: Float64Array;
  readonly pairCross: Float64Array;
}

/** Per-cell derivatives of l = c ln(ea) + (n-c) ln(1-ea). */
function cellTerms(n: number, c: number, e: number, a: number): { ga: number; ge: number; haa: number; hee: number; hae: number } {
  const s = n - c;
  const q = 1 - e * a;
  const q2 = q * q;
  return {
    ga: c / a - (s * e) / q,
    ge: c / e - (s * a) / q,
    haa: -c / (a * a) - (s * e * e) / q2,
    hee: -c / (e * e) - (s * a * a) / q2,
    hae: -s / q2,
  };
}

/**
 * `cells` are the curve-fit cells (pairs renumbered, ranks < nRanks), `pairQuery` the query of each
 * pair, `examination` / `attractiveness` the fit. Pairs never clicked carry no information (their
 * best attractiveness is 0 whatever the curve) and are left out; a pair at the attractiveness clamp
 * keeps it fixed (no correction term).
 */
export function queryCurvature(cells: CellCounts, pairQuery: Int32Array, nQueries: number, examination: ArrayLike<number>, attractiveness: ArrayLike<number>): QueryCurvature {
  const R = examination.length;
  const gradient = new Float64Array(nQueries * R);
  const hessian = new Float64Array(nQueries * R * R);
  const nPairs = pairQuery.length;
  const clicked = new Float64Array(nPairs);
  for (let i = 0; i < cells.length; i++) clicked[cells.pair[i] as number]! += cells.clicks[i] as number;
  // per pair: its cells' ranks and cross terms, gathered in one pass (cells of a pair need not be adjacent)
  const ga = new Float64Array(nPairs);
  const haa = new Float64Array(nPairs);
  const hae = new Float64Array(nPairs * R);
  for (let i = 0; i < cells.length; i++) {
    const p = cells.pair[i] as number;
    if ((clicked[p] as number) <= 0) continue;
    const r = cells.rank[i] as number;
    const a = attractiveness[p] as number;
    const t = cellTerms(cells.impressions[i] as number, cells.clicks[i] as number, examination[r] as number, a);
    const q = pairQuery[p] as number;
    gradient[q * R + r]! += t.ge;
    hessian[(q * R + r) * R + r]! += t.hee;
    ga[p]! += t.ga;
    haa[p]! += t.haa;
    hae[p * R + r]! += t.hae;
  }
  // profile out each free attractiveness: g_E -= h_aE g_a / h_aa, H_EE -= h_aE h_aE' / h_aa
  for (let p = 0; p < nPairs; p++) {
    const h = haa[p] as number;
    if ((clicked[p] as number) <= 0 || (attractiveness[p] as number) >= AT_CLAMP || !(h < 0)) {
      haa[p] = 0;
      continue;
    }
    const q = pairQuery[p] as number;
    const g = ga[p] as number;
    for (let r = 0; r < R; r++) {
      const x = hae[p * R + r] as number;
      if (x === 0) continue;
      gradient[q * R + r]! -= (x * g) / h;
      for (let s = 0; s < R; s++) {
        const y = hae[p * R + s] as number;
        if (y !== 0) hessian[(q * R + r) * R + s]! -= (x * y) / h;
      }
    }
  }
  return { nQueries, nRanks: R, gradient, hessian, pairGradient: ga, pairCurvature: haa, pairCross: hae };
}

/**
 * One Newton step of the weighted profile log-likelihood sum_q weight_q P_q from the fit, with
 * rank 1 held fixed (the PBM scale is not identified): the replicate's examination curve relative to
 * rank 1. Null when the weighted Hessian is not negative definite (no maximum to step to).
 */
export function newtonCurve(k: QueryCurvature, weight: Float64Array, examination: ArrayLike<number>): Float64Array | null {
  const R = k.nRanks;
  const m = R - 1;
  const g = new Float64Array(m);
  const H = new Float64Array(m * m);
  for (let q = 0; q < k.nQueries; q++) {
    const w = weight[q] as number;
    if (w === 0) continue;
    const go = q * R;
    const ho = q * R * R;
    for (let r = 1; r < R; r++) {
      g[r - 1]! += w * (k.gradient[go + r] as number);
      for (let s = r; s < R; s++) H[(r - 1) * m + (s - 1)]! += w * (k.hessian[ho + r * R + s] as number);
    }
  }
  for (let r = 0; r < m; r++) for (let s = 0; s < r; s++) H[r * m + s] = H[s * m + r] as number;
  // solve (-H) x = g by Cholesky; -H must be positive definite
  for (let i = 0; i < m * m; i++) H[i] = -(H[i] as number);
  const step = choleskySolve(H, g, m);
  if (!step) return null;
  const e0 = examination[0] as number;
  const out = new Float64Array(R);
  out[0] = 1;
  for (let r = 1; r < R; r++) out[r] = ((examination[r] as number) + (step[r - 1] as number)) / e0;
  return out;
}

/**
 * Attractiveness that goes with the curve `examination + step` (absolute, rank 1 fixed), to first
 * order: a_p - (dl/da + sum_r d2l/dadE_r step_r) / d2l/da2, clamped to (0, 1 - 1e-6]. Pairs whose
 * attractiveness is not free keep it.
 */
export function attractivenessFor(k: QueryCurvature, attractiveness: ArrayLike<number>, examination: ArrayLike<number>, relative: ArrayLike<number>): { examination: Float64Array; attractiveness: Float64Array } {
  const R = k.nRanks;
  const e0 = examination[0] as number;
  const E = new Float64Array(R);
  for (let r = 0; r < R; r++) E[r] = Math.min((relative[r] as number) * e0, 1 - 1e-6);
  const nPairs = k.pairCurvature.length;
  const A = Float64Array.from(attractiveness);
  for (let p = 0; p < nPairs; p++) {
    const h = k.pairCurvature[p] as number;
    if (h === 0) continue;
    let g = k.pairGradient[p] as number;
    for (let r = 0; r < R; r++) g += (k.pairCross[p * R + r] as number) * ((E[r] as number) - (examination[r] as number));
    const a = (A[p] as number) - g / h;
    A[p] = Math.min(Math.max(a, 1e-9), 1 - 1e-6);
  }
  return { examination: E, attractiveness: A };
}

/** x with A x = b for a symmetric positive definite A (m x m, row major; overwritten); null when A is not. */
function choleskySolve(A: Float64Array, b: Float64Array, m: number): Float64Array | null {
  for (let j = 0; j < m; j++) {
    let d = A[j * m + j] as number;
    for (let k = 0; k < j; k++) d -= (A[j * m + k] as number) ** 2;
    if (!(d > 0)) return null;
    const l = Math.sqrt(d);
    A[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = A[i * m + j] as number;
      for (let k = 0; k < j; k++) s -= (A[i * m + k] as number) * (A[j * m + k] as number);
      A[i * m + j] = s / l;
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (A[i * m + k] as number) * (y[k] as number);
    y[i] = s / (A[i * m + i] as number);
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < m; k++) s -= (A[k * m + i] as number) * (x[k] as number);
    x[i] = s / (A[i * m + i] as number);
  }
  return x;
}
