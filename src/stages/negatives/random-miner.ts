import type { NegativeOptions } from './options.js';
import type { NegativeCandidate, NegativeMiner } from './types.js';
import { queryRng } from './window.js';

/** Easy baseline: documents drawn uniformly from the corpus (seeded per query), positives excluded. */
export function createRandomMiner(opts: NegativeOptions['random'], seed: number): NegativeMiner {
  return {
    source: 'random',
    mine(queries, ctx) {
      const n = ctx.docs.length;
      return Promise.resolve(
        queries.map((q) => {
          const rng = queryRng(seed, 'random', q.query_norm);
          const want = Math.min(opts.count, n - q.exclude.size);
          return drawDistinct(rng, n, want, (d) => q.exclude.has(d)).map((d, i): NegativeCandidate => ({ doc: d, source: 'random', rank: i + 1 }));
        }),
      );
    },
  };
}

/**
 * Up to `want` distinct indices of [0, n) drawn uniformly with `rng`, in draw order, skipping those
 * `skip` refuses. Rejection sampling, bounded (want x 20 + 100 draws) so that a pool made almost
 * only of refused items cannot loop forever. The random miner and the random fill share it.
 */
export function drawDistinct(rng: { int(n: number): number }, n: number, want: number, skip: (i: number) => boolean): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (let tries = 0; out.length < want && tries < want * 20 + 100 && n > 0; tries++) {
    const i = rng.int(n);
    if (seen.has(i) || skip(i)) continue;
    seen.add(i);
    out.push(i);
  }
  return out;
}
