import { usageError } from '../../errors.js';
import { createRng } from '../../util/rng.js';

/** qid -> (doc id -> graded relevance). Grades <= 0 are not relevant. */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;
/** qid -> ranked doc ids, best first. */
export type Run = ReadonlyMap<string, readonly string[]>;

export interface MetricsResult {
  /** Evaluated queries (those with at least one relevant document), in qrels order. */
  readonly qids: readonly string[];
  /** metric name -> one value per qid. */
  readonly perQuery: Readonly<Record<string, number[]>>;
  readonly mean: Readonly<Record<string, number>>;
}

/**
 * recall@k, mrr@k and nDCG@k (linear gain = grade, log2 discount, as pytrec_eval/BEIR) for each k.
 * Queries without any relevant document are skipped (as BEIR does); a query missing from the run
 * scores 0.
 */
export function retrievalMetrics(run: Run, qrels: Qrels, ks: readonly number[] = [10, 100]): MetricsResult {
  const names = ks.flatMap((k) => [`recall@${k}`, `mrr@${k}`, `ndcg@${k}`]);
  const perQuery: Record<string, number[]> = {};
  for (const n of names) perQuery[n] = [];
  const qids: string[] = [];
  for (const [qid, rels] of qrels) {
    const gains: number[] = [];
    for (const g of rels.values()) if (g > 0) gains.push(g);
    if (gains.length === 0) continue;
    gains.sort((x, y) => y - x);
    qids.push(qid);
    const ranked = run.get(qid) ?? [];
    for (const k of ks) {
      let hit = 0, rr = 0, dcg = 0, idcg = 0;
      const seen = new Set<string>();
      for (let i = 0; i < Math.min(k, ranked.length); i++) {
        const d = ranked[i]!;
        if (seen.has(d)) continue;
        seen.add(d);
        const g = rels.get(d) ?? 0;
        if (g > 0) {
          hit++;
          if (rr === 0) rr = 1 / (i + 1);
          dcg += g / Math.log2(i + 2);
        }
      }
      for (let i = 0; i < Math.min(k, gains.length); i++) idcg += gains[i]! / Math.log2(i + 2);
      perQuery[`recall@${k}`]!.push(hit / gains.length);
      perQuery[`mrr@${k}`]!.push(rr);
      perQuery[`ndcg@${k}`]!.push(idcg > 0 ? dcg / idcg : 0);
    }
  }
  const mean: Record<string, number> = {};
  for (const n of names) mean[n] = avg(perQuery[n]!);
  return { qids, perQuery, mean };
}

const avg = (a: readonly number[]): number => {
  let s = 0;
  for (const x of a) s += x;
  return a.length ? s / a.length : 0;
};

export interface BootstrapOptions {
  /** Resamples. 1,000 is the customary minimum for 95% percentile intervals (Efron & Tibshirani 1993). */
  readonly samples?: number;
  /** Two-sided level: 0.05 gives a 95% interval. */
  readonly alpha?: number;
  readonly seed?: number;
}

function bootstrapMeans(values: readonly number[], opts: BootstrapOptions): Float64Array {
  const samples = opts.samples ?? 1000;
  const rng = createRng(opts.seed ?? 42).fork('bootstrap');
  const n = values.length;
  const out = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)]!;
    out[s] = sum / n;
  }
  return out.sort();
}

function percentiles(sorted: Float64Array, alpha: number): [number, number] {
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * (sorted.length - 1) + 0.5)))]!;
  return [at(alpha / 2), at(1 - alpha / 2)];
}

/** Percentile bootstrap confidence interval of the mean over queries. [NaN, NaN] for no values. */
export function bootstrapCI(perQuery: readonly number[], opts: BootstrapOptions = {}): [number, number] {
  if (perQuery.length === 0) return [NaN, NaN];
  return percentiles(bootstrapMeans(perQuery, opts), opts.alpha ?? 0.05);
}

/** Mean of a - b over the same queries with a paired percentile bootstrap interval. */
export function pairedBootstrapDiff(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): { mean: number; lo: number; hi: number } {
  if (a.length !== b.length) throw usageError('unpaired', `paired bootstrap needs the same queries on both sides (got ${a.length} and ${b.length} values).`);
  const d = a.map((x, i) => x - b[i]!);
  const [lo, hi] = bootstrapCI(d, opts);
  return { mean: avg(d), lo, hi };
}
