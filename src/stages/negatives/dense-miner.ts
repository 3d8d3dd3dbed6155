import { TopK } from '../../retrieval/topk.js';
import type { NegativeOptions } from './options.js';
import type { NegativeCandidate, NegativeMiner } from './types.js';
import { pickWindow, queryRng } from './window.js';

/**
 * Semantic lookalikes: exact top-k by cosine (unit vectors, so a dot product) over the whole
 * corpus, scanned in blocks of documents for all queries of the batch at once, positives excluded.
 */
export function createDenseMiner(opts: NegativeOptions['dense'], seed: number): NegativeMiner {
  return {
    source: 'dense',
    async mine(queries, ctx) {
      const emb = ctx.embedder;
      if (!emb) return queries.map(() => []);
      const dim = emb.dim;
      const D = await ctx.docVectors();
      const n = ctx.docs.length;
      const nq = queries.length;
      const Q = new Float32Array(nq * dim);
      for (let i = 0; i < nq; i++) Q.set(await ctx.queryVector(queries[i]!.query), i * dim);
      const k = opts.skipTop + opts.window;
      const heaps = queries.map((q) => new TopK(Math.min(k, Math.max(0, n - q.exclude.size))));
      for (let b0 = 0; b0 < n; b0 += opts.blockSize) {
        const b1 = Math.min(n, b0 + opts.blockSize);
        for (let qi = 0; qi < nq; qi++) {
          const heap = heaps[qi]!;
          const ex = queries[qi]!.exclude;
          const qo = qi * dim;
          for (let d = b0; d < b1; d++) {
            const doff = d * dim;
            let s = 0;
            for (let j = 0; j < dim; j++) s += Q[qo + j]! * D[doff + j]!;
            if (s >= heap.threshold() && !ex.has(d)) heap.push(s, d);
          }
        }
      }
      return queries.map((q, qi) => {
        const res = heaps[qi]!.result();
        const rng = queryRng(seed, 'dense', q.query_norm);
        return pickWindow(res.ids.length, opts, () => rng.next()).map(
          (i): NegativeCandidate => ({ doc: res.ids[i]!, source: 'dense', rank: i + 1, minerScore: res.scores[i]! }),
        );
      });
    },
  };
}
