import { annRecall, buildApproxDense, type ApproxDenseIndex } from '../../retrieval/ann.js';
import type { DenseTopKResult } from '../../retrieval/dense.js';
import { TopK } from '../../retrieval/topk.js';
import type { NegativeOptions } from './options.js';
import type { MineQuery, NegativeCandidate, NegativeMiner } from './types.js';
import { pickWindow, queryRng } from './window.js';

/**
 * Semantic lookalikes: exact top-k by cosine (unit vectors, so a dot product) over the whole
 * corpus, scanned in blocks of documents for all queries of the batch at once, positives excluded.
 */
export function createDenseMiner(opts: NegativeOptions['dense'], seed: number): NegativeMiner {
  const ap = opts.approximate;
  let index: Promise<ApproxDenseIndex> | undefined;
  let sampled = 0, recallSum = 0;
  /** Exact top-k of queries [0, nq) by the block scan, positives excluded. */
  const exact = (Q: Float32Array, D: Float32Array, dim: number, n: number, queries: readonly MineQuery[], nq: number, k: number): { ids: Int32Array; scores: Float32Array }[] => {
    const heaps = queries.slice(0, nq).map((q) => new TopK(Math.min(k, Math.max(0, n - q.exclude.size))));
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
    return heaps.map((h) => h.result());
  };
  const row = (r: DenseTopKResult, qi: number): { ids: Int32Array; scores: Float32Array } => {
    let m = 0;
    while (m < r.k && r.ids[qi * r.k + m]! >= 0) m++;
    return { ids: r.ids.subarray(qi * r.k, qi * r.k + m), scores: r.scores.subarray(qi * r.k, qi * r.k + m) };
  };
  return {
    source: 'dense',
    notes: () => (sampled > 0 ? [`dense miner: approximate search (${ap!.method}) recall@${opts.skipTop + opts.window} ${(recallSum / sampled).toFixed(3)} against exact on ${sampled} sampled queries.`] : []),
    async close() {
      if (index) await (await index).close();
    },
    async mine(queries, ctx) {
      const emb = ctx.embedder;
      if (!emb) return queries.map(() => []);
      const dim = emb.dim;
      const D = await ctx.docVectors();
      const n = ctx.docs.length;
      const nq = queries.length;
      const Q = await ctx.queryVectors(queries.map((q) => q.query));
      const k = opts.skipTop + opts.window;
      let results: { ids: Int32Array; scores: Float32Array }[];
      if (ap && n >= ap.minCorpus) {
        index ??= buildApproxDense(D, dim, ap.method === 'ivf' ? { method: 'ivf', nprobe: ap.nprobe, seed } : { method: 'hnsw' });
        const r = await (await index).search(Q, k, { exclude: queries.map((q) => q.exclude) });
        results = queries.map((_, qi) => row(r, qi));
        const m = Math.min(nq, ap.recallSample - sampled);
        if (m > 0) {
          const truth = exact(Q, D, dim, n, queries, m, k);
          const pack = (rs: { ids: Int32Array }[]) => {
            const ids = new Int32Array(m * k).fill(-1);
            rs.forEach((x, i) => ids.set(x.ids, i * k));
            return { k, ids, scores: new Float32Array(m * k) };
          };
          recallSum += annRecall(pack(results.slice(0, m)), pack(truth)) * m;
          sampled += m;
        }
      } else {
        results = exact(Q, D, dim, n, queries, nq, k);
      }
      return queries.map((q, qi) => {
        const res = results[qi]!;
        const rng = queryRng(seed, 'dense', q.query_norm);
        return pickWindow(res.ids.length, opts, () => rng.next()).map(
          (i): NegativeCandidate => ({ doc: res.ids[i]!, source: 'dense', rank: i + 1, minerScore: res.scores[i]! }),
        );
      });
    },
  };
}
