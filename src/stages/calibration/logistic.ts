/**
 * L2-regularised logistic regression, fitted by Newton's method on standardised features.
 *
 * Small and exact: a few thousand labelled pairs and about fifteen features, so every Newton
 * step solves the full (d+1) x (d+1) system. The intercept is not penalised. A feature that is
 * constant over the training rows gets weight 0 (its standard deviation is set to 1).
 * Deterministic: no random start, rows summed in the order given.
 */

export interface LogisticModel {
  readonly intercept: number;
  /** One weight per feature, on the standardised scale ((x - mean) / sd). */
  readonly weights: readonly number[];
  readonly mean: readonly number[];
  readonly sd: readonly number[];
  readonly l2: number;
  readonly iterations: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** The model's probability for one feature vector (raw scale). */
export function predictLogistic(m: LogisticModel, x: readonly number[]): number {
  let z = m.intercept;
  for (let j = 0; j < m.weights.length; j++) z += m.weights[j]! * ((x[j]! - m.mean[j]!) / m.sd[j]!);
  return sigmoid(z);
}

/** Solve A x = b (A symmetric positive definite, row-major) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const piv = M[c]![c]!;
    if (Math.abs(piv) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    const piv = M[r]![r]!;
    x[r] = Math.abs(piv) < 1e-300 ? 0 : s / piv;
  }
  return x;
}

/**
 * Fit y ~ sigmoid(b + w . z), z the standardised features, minimising the negative
 * log-likelihood + l2 / 2 * |w|^2.
 */
export function fitLogistic(X: readonly (readonly number[])[], y: readonly number[], l2: number, opts: { maxIter?: number; tol?: number } = {}): LogisticModel {
  const n = X.length;
  const d = n > 0 ? X[0]!.length : 0;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const x of X) for (let j = 0; j < d; j++) mean[j]! += x[j]! / n;
  for (const x of X) for (let j = 0; j < d; j++) sd[j]! += (x[j]! - mean[j]!) ** 2 / n;
  const constant = sd.map((v) => !(v > 1e-12));
  for (let j = 0; j < d; j++) sd[j] = constant[j] ? 1 : Math.sqrt(sd[j]!);
  const Z = X.map((x) => x.map((v, j) => (constant[j] ? 0 : (v - mean[j]!) / sd[j]!)));

  // theta[0] = intercept, theta[1..d] = weights; start at the base rate
  const yMean = n > 0 ? y.reduce((a, b) => a + b, 0) / n : 0.5;
  const clamp = Math.min(1 - 1e-6, Math.max(1e-6, yMean));
  let theta = [Math.log(clamp / (1 - clamp)), ...new Array<number>(d).fill(0)];
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-10;
  let it = 0;
  for (; it < maxIter; it++) {
    const g = new Array<number>(d + 1).fill(0);
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const z = Z[i]!;
      let s = theta[0]!;
      for (let j = 0; j < d; j++) s += theta[j + 1]! * z[j]!;
      const p = sigmoid(s);
      const r = p - y[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      g[0]! += r;
      H[0]![0]! += w;
      for (let j = 0; j < d; j++) {
        g[j + 1]! += r * z[j]!;
        H[0]![j + 1]! += w * z[j]!;
        for (let k = j; k < d; k++) H[j + 1]![k + 1]! += w * z[j]! * z[k]!;
      }
    }
    for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) H[j]![k] = H[k]![j]!;
    for (let j = 1; j <= d; j++) {
      g[j]! += l2 * theta[j]!;
      H[j]![j]! += l2;
    }
    // a constant feature has an all-zero column: pin its weight at 0
    for (let j = 0; j < d; j++) if (constant[j]) { H[j + 1]![j + 1] = 1; g[j + 1] = 0; }
    const step = solve(H, g);
    theta = theta.map((t, j) => t - step[j]!);
    if (Math.max(...step.map(Math.abs)) < tol) { it++; break; }
  }
  return { intercept: theta[0]!, weights: theta.slice(1), mean, sd, l2, iterations: it };
}

/** Mean negative log-likelihood of probabilities p for outcomes y (p clipped to [1e-9, 1 - 1e-9]). */
export function logLoss(p: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-9, Math.max(1e-9, p[i]!));
    s -= y[i]! ? Math.log(q) : Math.log(1 - q);
  }
  return p.length ? s / p.length : 0;
}

/** Area under the ROC curve of scores s for outcomes y (ties count half); null when one class is absent. */
export function auc(s: readonly number[], y: readonly number[]): number | null {
  const idx = s.map((_, i) => i).sort((a, b) => s[a]! - s[b]!);
  let pos = 0, neg = 0, rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && s[idx[j + 1]!] === s[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]!]) { rankSum += avgRank; pos++; } else neg++;
    i = j + 1;
  }
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
