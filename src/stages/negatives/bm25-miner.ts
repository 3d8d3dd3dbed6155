import type { NegativeOptions } from './options.js';
import type { NegativeCandidate, NegativeMiner } from './types.js';
import { pickWindow, queryRng } from './window.js';

/**
 * Lexical lookalikes: the BM25 ranking of the query over the corpus with the positives excluded,
 * cut by the rank window. Ranks are 1-based among non-positive documents.
 */
export function createBm25Miner(opts: NegativeOptions['bm25'], seed: number): NegativeMiner {
  return {
    source: 'bm25',
    mine(queries, ctx) {
      const index = ctx.bm25();
      return Promise.resolve(
        queries.map((q) => {
          const res = index.search(q.query, opts.skipTop + opts.window, { exclude: q.exclude });
          const rng = queryRng(seed, 'bm25', q.query_norm);
          return pickWindow(res.ids.length, opts, () => rng.next()).map(
            (i): NegativeCandidate => ({ doc: res.ids[i]!, source: 'bm25', rank: i + 1, minerScore: res.scores[i]! }),
          );
        }),
      );
    },
  };
}
