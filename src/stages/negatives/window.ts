import { createRng } from '../../util/rng.js';

export interface WindowOptions {
  readonly skipTop: number;
  readonly window: number;
  readonly count: number;
  readonly sampling: 'top' | 'random';
}

/** The RNG for one (miner, query): independent of query order and of the other miners. */
export const queryRng = (seed: number, source: string, queryNorm: string) => createRng(`${seed}\u0000${source}\u0000${queryNorm}`);

/**
 * Positions (0-based, ascending) picked from a ranked list of length `n` by the window options:
 * ranks skipTop+1 .. skipTop+window, then the first `count` ("top") or `count` drawn uniformly
 * without replacement ("random", partial Fisher-Yates), returned in rank order.
 */
export function pickWindow(n: number, o: WindowOptions, rng: () => number): number[] {
  const lo = Math.min(n, o.skipTop);
  const hi = Math.min(n, o.skipTop + o.window);
  const span = hi - lo;
  if (span <= 0) return [];
  if (o.sampling === 'top' || o.count >= span) {
    const out: number[] = [];
    for (let i = lo; i < Math.min(hi, lo + o.count); i++) out.push(i);
    return out;
  }
  const pos = new Int32Array(span);
  for (let i = 0; i < span; i++) pos[i] = lo + i;
  for (let i = 0; i < o.count; i++) {
    const j = i + Math.floor(rng() * (span - i));
    const t = pos[i]!;
    pos[i] = pos[j]!;
    pos[j] = t;
  }
  return Array.from(pos.subarray(0, o.count)).sort((a, b) => a - b);
}
