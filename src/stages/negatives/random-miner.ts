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
          const seen = new Set<number>();
          const out: NegativeCandidate[] = [];
          // Rejection sampling; bounded so a corpus made almost only of positives cannot loop forever.
          for (let tries = 0; out.length < want && tries < want * 20 + 100; tries++) {
            const d = rng.int(n);
            if (q.exclude.has(d) || seen.has(d)) continue;
            seen.add(d);
            out.push({ doc: d, source: 'random', rank: out.length + 1 });
          }
          return out;
        }),
      );
    },
  };
}
