/** Binomial rates with Wilson score intervals, and a seeded percentile bootstrap over groups. */
import { createRng } from './rng.js';

/** Wilson score interval for k successes in n trials (95% by default); [NaN, NaN] when n = 0. */
export function wilson(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [NaN, NaN];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

export interface Rate {
  readonly n: number;
  readonly relevant: number;
  /** relevant / n (NaN when n = 0). */
  readonly rate: number;
  readonly lo: number;
  readonly hi: number;
}

export function rateOf(relevant: number, n: number): Rate {
  const [lo, hi] = wilson(relevant, n);
  return { n, relevant, rate: n ? relevant / n : NaN, lo, hi };
}

/** The share of `items` (those `keep` selects) that are relevant, with its Wilson interval. */
export function rateAmong<T>(items: readonly T[], relevant: (t: T) => boolean, keep: (t: T, i: number) => boolean = () => true): Rate {
  let n = 0, k = 0;
  items.forEach((t, i) => {
    if (!keep(t, i)) return;
    n++;
    if (relevant(t)) k++;
  });
  return rateOf(k, n);
}

/**
 * Percentile bootstrap (95%) of a statistic over groups: `samples` resamples of the groups with
 * replacement, seeded. `stat` gets the multiplicity of each group (same order as `groups`) and
 * returns a number or null (not defined on that resample: skipped). Null when no resample is defined.
 */
export function bootstrapGroups(groups: number, stat: (multiplicity: Uint32Array) => number | null, samples: number, seed: number): [number, number] | null {
  if (groups === 0 || samples === 0) return null;
  const rng = createRng(seed);
  const vals: number[] = [];
  const m = new Uint32Array(groups);
  for (let b = 0; b < samples; b++) {
    m.fill(0);
    for (let i = 0; i < groups; i++) m[Math.floor(rng.next() * groups)]!++;
    const v = stat(m);
    if (v !== null && Number.isFinite(v)) vals.push(v);
  }
  if (vals.length === 0) return null;
  vals.sort((a, b) => a - b);
  const q = (p: number) => vals[Math.min(vals.length - 1, Math.max(0, Math.floor(p * vals.length)))]!;
  return [q(0.025), q(0.975)];
}
