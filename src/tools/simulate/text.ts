import type { Rng } from '../../util/rng.js';

const STOP = new Set(('a an and are as at be by can do does for from how i if in is it its me my of on or the to was what when why with you your ' +
  'this that these those which into not no').split(' '));

/** Lower-case word tokens without stop words: the simulator's (deliberately simple) lexical view. */
export function contentTokens(s: string): string[] {
  const out: string[] = [];
  for (const t of s.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (t.length > 0 && !STOP.has(t)) out.push(t);
  return out;
}

/** Cumulative distribution of weights, for sampling by binary search. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const c = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i] ?? 0;
    c[i] = s;
  }
  return c;
}

/** Index drawn from a cumulative array (last entry = total). */
export function sampleCumulative(c: Float64Array, from: number, to: number, u: number): number {
  const base = from > 0 ? (c[from - 1] ?? 0) : 0;
  const x = base + u * ((c[to - 1] ?? 0) - base);
  let lo = from, hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((c[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function shuffleInPlace<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

const KEYBOARD: Record<string, string> = {
  a: 's', s: 'a', d: 'f', e: 'r', r: 'e', t: 'y', o: 'p', i: 'u', n: 'm', m: 'n', l: 'k', c: 'v', p: 'o', g: 'h', u: 'i',
};

/** One realistic typo (swap, drop, double, neighbour key) in one word of 4+ letters. */
export function misspell(q: string, rng: Rng): string {
  const words = q.split(' ');
  const candidates: number[] = [];
  for (let i = 0; i < words.length; i++) if (/^[a-z]{4,}$/.test(words[i] ?? '')) candidates.push(i);
  if (candidates.length === 0) return `${q}${q.endsWith('s') ? '' : 's'}`;
  const wi = candidates[rng.int(candidates.length)] as number;
  const w = words[wi] as string;
  const p = 1 + rng.int(w.length - 2);
  let typo: string;
  switch (rng.int(4)) {
    case 0: typo = w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2); break;
    case 1: typo = w.slice(0, p) + w.slice(p + 1); break;
    case 2: typo = w.slice(0, p) + w[p] + w.slice(p); break;
    default: typo = w.slice(0, p) + (KEYBOARD[w[p] as string] ?? 'x') + w.slice(p + 1);
  }
  if (typo === w) typo = w.slice(0, p) + w.slice(p + 1);
  words[wi] = typo;
  return words.join(' ');
}

/** Family id -> split, by hash so that it is stable across seeds and world sizes. */
export function splitOf(family: string, testShare: number, hash: (s: string) => number): 'train' | 'test' {
  return hash(`split:${family}`) / 4294967296 < testShare ? 'test' : 'train';
}
