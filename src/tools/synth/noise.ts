import type { Rng } from '../../util/rng.js';

/** The noise operations, in the order a draw considers them. */
export const NOISE_KINDS = ['typo', 'drop', 'case'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** Keys next to each letter on a QWERTY keyboard (same row and the rows above and below). */
export const ADJACENT: Readonly<Record<string, string>> = (() => {
  const at = new Map<string, [number, number]>();
  ROWS.forEach((r, i) => [...r].forEach((c, j) => at.set(c, [i, j + i * 0.5])));
  const out: Record<string, string> = {};
  for (const [c, [r, x]] of at) {
    let n = '';
    for (const [d, [r2, x2]] of at) if (d !== c && Math.abs(r2 - r) <= 1 && Math.abs(x2 - x) <= 1) n += d;
    out[c] = n;
  }
  return out;
})();

/** A typo in one word of four letters or more: an adjacent key, two letters swapped, one dropped or doubled. */
export function typo(q: string, rng: Rng): string | undefined {
  const words = q.split(' ');
  const cand = words.map((w, i) => ({ w, i })).filter(({ w }) => /^[a-z]{4,}$/i.test(w));
  if (cand.length === 0) return undefined;
  const { w, i } = cand[rng.int(cand.length)]!;
  const at = 1 + rng.int(w.length - 1); // the first letter is rarely mistyped
  const c = w[at]!;
  let out: string;
  switch (rng.int(4)) {
    case 0: {
      const adj = ADJACENT[c.toLowerCase()];
      if (!adj) return undefined;
      const r = adj[rng.int(adj.length)]!;
      out = w.slice(0, at) + (c === c.toUpperCase() ? r.toUpperCase() : r) + w.slice(at + 1);
      break;
    }
    case 1:
      out = at + 1 < w.length ? w.slice(0, at) + w[at + 1] + c + w.slice(at + 2) : w.slice(0, at - 1) + c + w[at - 1] + w.slice(at + 1);
      break;
    case 2:
      out = w.slice(0, at) + w.slice(at + 1);
      break;
    default:
      out = w.slice(0, at) + c + w.slice(at);
  }
  if (out === w) return undefined;
  words[i] = out;
  return words.join(' ');
}

/** Drop one word that is not the first, from queries of three words or more. */
export function dropWord(q: string, rng: Rng): string | undefined {
  const words = q.split(' ');
  if (words.length < 3) return undefined;
  words.splice(1 + rng.int(words.length - 1), 1);
  return words.join(' ');
}

/** Change the casing: all lower, a capital first letter, or one word in capitals. */
export function recase(q: string, rng: Rng): string | undefined {
  const r = rng.int(3);
  let out: string;
  if (r === 0) out = q.toLowerCase();
  else if (r === 1) out = q.charAt(0).toUpperCase() + q.slice(1);
  else {
    const words = q.split(' ');
    const i = rng.int(words.length);
    words[i] = words[i]!.toUpperCase();
    out = words.join(' ');
  }
  return out === q ? undefined : out;
}

const OPS: Readonly<Record<NoiseKind, (q: string, rng: Rng) => string | undefined>> = { typo, drop: dropWord, case: recase };

/**
 * With probability `rate`, apply one noise operation drawn by `weights` (an operation that cannot
 * apply, such as dropping a word from a two-word query, is skipped for the next one).
 */
export function applyNoise(q: string, rate: number, weights: Readonly<Record<NoiseKind, number>>, rng: Rng): { query: string; noise: NoiseKind[] } {
  if (rate <= 0 || rng.next() >= rate) return { query: q, noise: [] };
  let total = 0;
  for (const k of NOISE_KINDS) total += weights[k];
  if (total <= 0) return { query: q, noise: [] };
  let r = rng.next() * total;
  let first = 0;
  for (let i = 0; i < NOISE_KINDS.length; i++) {
    r -= weights[NOISE_KINDS[i]!];
    if (r < 0) {
      first = i;
      break;
    }
  }
  for (let j = 0; j < NOISE_KINDS.length; j++) {
    const k = NOISE_KINDS[(first + j) % NOISE_KINDS.length]!;
    if (weights[k] <= 0) continue;
    const out = OPS[k](q, rng);
    if (out !== undefined && out.trim() !== '') return { query: out, noise: [k] };
  }
  return { query: q, noise: [] };
}
