import type { ResultPages } from '../../ports/index.js';
import type { CellCounts } from './counts.js';

/** PyClick's guard against log(0): parameters never exceed 1 - 1e-6. */
const PROB_MAX = 1 - 1e-6;

/** x * ln(y) with 0 * ln(0) = 0 (a cell with no clicks at a zero probability is certain, not NaN). */
const xlogy = (x: number, y: number): number => (x === 0 ? 0 : x * Math.log(y));

export interface PbmFitOptions {
  readonly iterations: number;
  readonly init: number;
  readonly priorWeight: number;
  readonly tolerance: number;
  /** Keep examination fixed at these values (per rank) and fit attractiveness only. */
  readonly fixedExamination?: ArrayLike<number>;
  /**
   * Also stop when the relative curve (examination / examination at rank 1) moves less than this
   * in one iteration. Without a prior the PBM scale is not identified (e*k, a/k fit equally), so
   * raw parameters keep drifting along that ridge for thousands of iterations after the relative
   * curve has settled.
   */
  readonly curveTolerance?: number;
  /**
   * Multiply each pair's impressions and clicks by this weight (per pair; 0 leaves the pair out):
   * a bootstrap replicate's query multiplicities, without copying the cells.
   */
  readonly pairWeight?: ArrayLike<number>;
  /** Compute the training log-likelihood at the end (default true); bootstrap replicates only need the curve. */
  readonly logLikelihood?: boolean;
  /** Start from these parameters instead of `init` (bootstrap replicates start at the full fit). */
  readonly warmStart?: { readonly examination: ArrayLike<number>; readonly attractiveness: ArrayLike<number> };
}

export interface HeldOutMetrics {
  readonly pages: number;
  readonly observations: number;
  /** Mean over ranks of the per-rank perplexity. */
  readonly perplexity: number;
  readonly perplexityByRank: readonly number[];
  /** Mean log-likelihood (natural log) per observation; equals PyClick's when every page is full. */
  readonly logLikelihood: number;
}

/** A fitted position-based model: P(click at rank r on pair p) = examination[r] * attractiveness[p]. */
export class PbmModel {
  constructor(
    readonly examination: Float64Array,
    readonly attractiveness: Float64Array,
    /** Attractiveness of a pair never seen in training (PyClick: a fresh parameter, 0.5). */
    readonly unseenAttractiveness: number,
    readonly iterations: number,
    readonly converged: boolean,
    readonly trainLogLikelihood: number,
  ) {}

  get nRanks(): number {
    return this.examination.length;
  }

  attractivenessOf(pair: number): number {
    return pair >= 0 && pair < this.attractiveness.length ? (this.attractiveness[pair] as number) : this.unseenAttractiveness;
  }

  /** Click probability per rank of a page given as pair indices in rank order (-1 or unknown = unseen pair). */
  predictClickProbs(pagePairs: ArrayLike<number>): Float64Array {
    const n = Math.min(pagePairs.length, this.nRanks);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = (this.examination[r] as number) * this.attractivenessOf(pagePairs[r] as number);
    return out;
  }

  /** Held-out metrics over aggregated cells: O(cells). */
  evaluate(cells: CellCounts): HeldOutMetrics {
    const R = this.nRanks;
    const log2Sum = new Float64Array(R);
    const nAt = new Float64Array(R);
    let lnSum = 0;
    let obs = 0;
    for (let i = 0; i < cells.length; i++) {
      const r = cells.rank[i] as number;
      if (r >= R) continue;
      const n = cells.impressions[i] as number;
      const c = cells.clicks[i] as number;
      const p = (this.examination[r] as number) * this.attractivenessOf(cells.pair[i] as number);
      const l = xlogy(c, p) + xlogy(n - c, 1 - p);
      lnSum += l;
      log2Sum[r] = (log2Sum[r] as number) + l / Math.LN2;
      nAt[r] = (nAt[r] as number) + n;
      obs += n;
    }
    return finishMetrics(log2Sum, nAt, lnSum / obs, cells.pages, obs);
  }

  /**
   * Held-out metrics page by page with PyClick's exact definitions (per-rank sums divided by the
   * number of pages, log-likelihood = mean over pages of the mean over the page's ranks).
   * `pairOf(query, doc)` maps the page set's indices to this model's pair indices (-1 = unseen).
   */
  evaluatePages(pages: ResultPages, pairOf: (query: number, doc: number) => number): HeldOutMetrics {
    const R = Math.min(this.nRanks, pages.nRanks);
    const log2Sum = new Float64Array(R);
    const nAt = new Float64Array(R).fill(pages.nPages);
    let llSum = 0;
    let obs = 0;
    for (let i = 0; i < pages.nPages; i++) {
      const q = pages.query[i] as number;
      const mask = pages.clicks[i] as number;
      let pageLn = 0;
      let k = 0;
      for (let r = 0; r < R; r++) {
        const d = pages.docs[i * pages.nRanks + r] as number;
        if (d < 0) continue;
        const p1 = (this.examination[r] as number) * this.attractivenessOf(pairOf(q, d));
        const p = (mask >>> r) & 1 ? p1 : 1 - p1;
        const l = Math.log(p);
        pageLn += l;
        log2Sum[r] = (log2Sum[r] as number) + l / Math.LN2;
        k++;
      }
      if (k > 0) llSum += pageLn / k;
      obs += k;
    }
    return finishMetrics(log2Sum, nAt, llSum / pages.nPages, pages.nPages, obs);
  }
}

function finishMetrics(log2Sum: Float64Array, nAt: Float64Array, ll: number, pages: number, obs: number): HeldOutMetrics {
  const byRank: number[] = [];
  let sum = 0;
  let k = 0;
  for (let r = 0; r < log2Sum.length; r++) {
    const n = nAt[r] as number;
    if (n <= 0) {
      byRank.push(Number.NaN);
      continue;
    }
    const p = 2 ** (-(log2Sum[r] as number) / n);
    byRank.push(p);
    sum += p;
    k++;
  }
  return { pages, observations: obs, perplexity: k > 0 ? sum / k : Number.NaN, perplexityByRank: byRank, logLikelihood: ll };
}

/**
 * The cells grouped by pair: runs of consecutive cells of one pair (`runPair[k]`, cells
 * `runStart[k]..runStart[k+1]-1`), in cell order. The builders emit a pair's cells next to each
 * other; a pair over several runs (two raw queries that normalise alike) is `split`: its
 * attractiveness is updated after the pass, as if the cells were visited one by one.
 */
interface PairRuns {
  readonly cells: CellCounts;
  readonly nRanks: number;
  readonly runPair: Int32Array;
  readonly runStart: Int32Array;
  /** 1 for the pairs with a cell below nRanks. */
  readonly used: Uint8Array;
  /** 1 for the pairs with cells in more than one run, and those pairs. */
  readonly split: Uint8Array;
  readonly splitPairs: Int32Array;
}

/** Runs per cell set, kept while the cells live: bootstrap replicates fit the same cells with other weights. */
const runsCache = new WeakMap<CellCounts, PairRuns>();

function cachedRuns(cells: CellCounts, nPairs: number, nRanks: number): PairRuns {
  const hit = runsCache.get(cells);
  if (hit && hit.used.length === nPairs && hit.nRanks === nRanks) return hit;
  const runs = pairRuns(cells, nPairs, nRanks);
  runsCache.set(cells, runs);
  return runs;
}

function pairRuns(cells: CellCounts, nPairs: number, nRanks: number): PairRuns {
  const runPair: number[] = [];
  const runStart: number[] = [];
  const seen = new Uint8Array(nPairs);
  const split = new Uint8Array(nPairs);
  const splitPairs: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    const p = cells.pair[i] as number;
    if (runPair.length > 0 && runPair[runPair.length - 1] === p) continue;
    if (seen[p] && !split[p]) {
      split[p] = 1;
      splitPairs.push(p);
    }
    seen[p] = 1;
    runPair.push(p);
    runStart.push(i);
  }
  runStart.push(cells.length);
  const used = new Uint8Array(nPairs);
  for (let i = 0; i < cells.length; i++) if ((cells.rank[i] as number) < nRanks) used[cells.pair[i] as number] = 1;
  return { cells, nRanks, runPair: Int32Array.from(runPair), runStart: Int32Array.from(runStart), used, split, splitPairs: Int32Array.from(splitPairs) };
}

/**
 * Impressions per pair and per rank (times the pair's weight) plus the prior weight: the M-step
 * denominators, the same in every iteration; and the pairs without a weighted cell.
 */
function denominators(g: PairRuns, nPairs: number, nRanks: number, w: number, weight: ArrayLike<number> | undefined): { denA: Float64Array; denE: Float64Array; absent: Int32Array } {
  const denA = new Float64Array(nPairs).fill(w);
  const denE = new Float64Array(nRanks).fill(w);
  const { rank, impressions } = g.cells;
  for (let k = 0; k < g.runPair.length; k++) {
    const p = g.runPair[k] as number;
    const wp = weight ? (weight[p] as number) : 1;
    if (wp === 0) continue;
    for (let i = g.runStart[k] as number; i < (g.runStart[k + 1] as number); i++) {
      const r = rank[i] as number;
      if (r >= nRanks) continue;
      const n = (impressions[i] as number) * wp;
      denA[p] = (denA[p] as number) + n;
      denE[r] = (denE[r] as number) + n;
    }
  }
  const absent: number[] = [];
  for (let p = 0; p < nPairs; p++) if (!g.used[p] || (weight && weight[p] === 0)) absent.push(p);
  return { denA, denE, absent: Int32Array.from(absent) };
}

/**
 * Fit the position-based model by EM on aggregated (pair, rank) cells: each iteration is
 * O(cells), not O(pages). The updates are PyClick's (PBMAttrEM / PBMExamEM) summed over the
 * `impressions` copies of a cell: a click contributes 1 to both numerators, a skip contributes
 * the posterior (1-e)a/(1-ea) to attractiveness and (1-a)e/(1-ea) to examination; every M-step
 * starts from the prior (init*priorWeight / priorWeight) and clamps at 1 - 1e-6.
 *
 * One pass per iteration walks the cells pair by pair: a pair's attractiveness numerator stays in a
 * register and its M-step runs as soon as its cells are done (only its own cells read it), and the
 * denominators, which do not change, are summed once.
 *
 * `impressions` and `clicks` may be fractional (bootstrap weights).
 */
export function fitPbm(input: CellCounts, nPairs: number, nRanks: number, opts: PbmFitOptions): PbmModel {
  const { iterations, init, priorWeight: w, tolerance } = opts;
  const A = new Float64Array(nPairs).fill(init);
  const E = new Float64Array(nRanks).fill(init);
  if (opts.warmStart) {
    copyInto(A, opts.warmStart.attractiveness);
    copyInto(E, opts.warmStart.examination);
  }
  const curveTol = opts.curveTolerance ?? 0;
  const fixed = opts.fixedExamination;
  if (fixed) for (let r = 0; r < nRanks; r++) E[r] = Math.min(fixed[r] as number, PROB_MAX);
  const runs = cachedRuns(input, nPairs, nRanks);
  const { runPair, runStart, split, splitPairs } = runs;
  const cells = runs.cells;
  const splitNumA = new Float64Array(splitPairs.length > 0 ? nPairs : 0);
  const weight = opts.pairWeight;
  const { denA, denE, absent } = denominators(runs, nPairs, nRanks, w, weight);
  const numE = new Float64Array(nRanks);
  const prevE = new Float64Array(nRanks);
  const rank = cells.rank;
  const imp = cells.impressions;
  const clk = cells.clicks;
  const nRuns = runPair.length;
  const prior = init * w;
  const unseen = w > 0 ? Math.min(prior / w, PROB_MAX) : init;
  let it = 0;
  let converged = false;
  while (it < iterations) {
    numE.fill(prior);
    for (let k = 0; k < splitPairs.length; k++) splitNumA[splitPairs[k] as number] = prior;
    let delta = 0;
    for (let k = 0; k < nRuns; k++) {
      const p = runPair[k] as number;
      const wp = weight ? (weight[p] as number) : 1;
      if (wp === 0) continue;
      const a = A[p] as number;
      const inParts = split[p] === 1;
      let numA = inParts ? (splitNumA[p] as number) : prior;
      const stop = runStart[k + 1] as number;
      for (let i = runStart[k] as number; i < stop; i++) {
        const r = rank[i] as number;
        if (r >= nRanks) continue;
        const n = (imp[i] as number) * wp;
        const c = (clk[i] as number) * wp;
        const e = E[r] as number;
        const skip = (n - c) / (1 - e * a);
        numA = numA + c + skip * (1 - e) * a;
        numE[r] = (numE[r] as number) + c + skip * (1 - a) * e;
      }
      if (inParts) {
        splitNumA[p] = numA;
        continue;
      }
      const d = denA[p] as number;
      const v = d > 0 ? Math.min(numA / d, PROB_MAX) : init;
      const dv = Math.abs(v - a);
      if (dv > delta) delta = dv;
      A[p] = v;
    }
    for (let k = 0; k < splitPairs.length; k++) {
      const p = splitPairs[k] as number;
      if (!runs.used[p] || (weight && weight[p] === 0)) continue;
      const d = denA[p] as number;
      const v = d > 0 ? Math.min((splitNumA[p] as number) / d, PROB_MAX) : init;
      const dv = Math.abs(v - (A[p] as number));
      if (dv > delta) delta = dv;
      A[p] = v;
    }
    for (let k = 0; k < absent.length; k++) {
      const p = absent[k] as number;
      const dv = Math.abs(unseen - (A[p] as number));
      if (dv > delta) delta = dv;
      A[p] = unseen;
    }
    let curveDelta = Number.POSITIVE_INFINITY;
    if (!fixed) {
      const old1 = E[0] as number;
      for (let r = 0; r < nRanks; r++) {
        const d = denE[r] as number;
        const v = d > 0 ? Math.min((numE[r] as number) / d, PROB_MAX) : init;
        const dv = Math.abs(v - (E[r] as number));
        if (dv > delta) delta = dv;
        prevE[r] = E[r] as number;
        E[r] = v;
      }
      const new1 = E[0] as number;
      curveDelta = 0;
      for (let r = 1; r < nRanks; r++) {
        const dc = Math.abs((E[r] as number) / new1 - (prevE[r] as number) / old1);
        if (dc > curveDelta) curveDelta = dc;
      }
    }
    it++;
    if ((tolerance > 0 && delta < tolerance) || (curveTol > 0 && curveDelta < curveTol)) {
      converged = true;
      break;
    }
  }
  return new PbmModel(E, A, init, it, converged, opts.logLikelihood === false ? Number.NaN : meanLogLikelihood(cells, E, A, weight));
}

/** The first `to.length` values of `from` (fewer if it is shorter) into `to`. */
function copyInto(to: Float64Array, from: ArrayLike<number>): void {
  const n = Math.min(to.length, from.length);
  for (let i = 0; i < n; i++) to[i] = from[i] as number;
}

/** Mean log-likelihood per impression of the cells under (E, A); NaN without impressions. */
function meanLogLikelihood(cells: CellCounts, E: Float64Array, A: Float64Array, weight: ArrayLike<number> | undefined): number {
  const nRanks = E.length;
  let ll = 0;
  let obs = 0;
  for (let i = 0; i < cells.length; i++) {
    const r = cells.rank[i] as number;
    if (r >= nRanks) continue;
    const p = cells.pair[i] as number;
    const wp = weight ? (weight[p] as number) : 1;
    const n = (cells.impressions[i] as number) * wp;
    const c = (cells.clicks[i] as number) * wp;
    const q = (E[r] as number) * (A[p] as number);
    ll += xlogy(c, q) + xlogy(n - c, 1 - q);
    obs += n;
  }
  return obs > 0 ? ll / obs : Number.NaN;
}

/** Which cells the two-step fit learns the curve from, and how many pairs / impressions that is. */
export interface InformativeCells {
  readonly cells: CellCounts;
  readonly pairs: number;
  readonly impressions: number;
  /** Impressions per rank among the selected cells (a rank with 0 cannot be estimated from them). */
  readonly impressionsByRank: Float64Array;
}

/**
 * Cells of the (query, document) pairs that carry information about position: seen at least
 * `minRanks` distinct ranks (below nRanks) with at least `minImpressions` impressions in total.
 * A pair seen at one rank only fits any examination value (its attractiveness absorbs it), and a
 * pair seen once or twice is clamped at attractiveness 1 whenever it was clicked deep, so without a
 * prior both kinds only add noise or bias to the curve (docs/stages/bias.md, "Accuracy").
 */
export function informativeCells(cells: CellCounts, nPairs: number, nRanks: number, opts: { readonly minImpressions: number; readonly minRanks: number }): InformativeCells {
  const imp = new Float64Array(nPairs);
  const ranks = new Uint32Array(nPairs);
  for (let i = 0; i < cells.length; i++) {
    const r = cells.rank[i] as number;
    const n = cells.impressions[i] as number;
    if (r >= nRanks || n <= 0) continue;
    const p = cells.pair[i] as number;
    imp[p] = (imp[p] as number) + n;
    ranks[p] = (ranks[p] as number) | (1 << r);
  }
  const ok = new Uint8Array(nPairs);
  let pairs = 0;
  for (let p = 0; p < nPairs; p++) {
    let bits = ranks[p] as number;
    let k = 0;
    while (bits) { bits &= bits - 1; k++; }
    if (k >= opts.minRanks && (imp[p] as number) >= opts.minImpressions) { ok[p] = 1; pairs++; }
  }
  let len = 0;
  for (let i = 0; i < cells.length; i++) if (ok[cells.pair[i] as number] && (cells.rank[i] as number) < nRanks) len++;
  const pair = new Int32Array(len);
  const rank = new Int32Array(len);
  const impressions = new Float64Array(len);
  const clicks = new Float64Array(len);
  const byRank = new Float64Array(nRanks);
  let total = 0;
  let j = 0;
  for (let i = 0; i < cells.length; i++) {
    const r = cells.rank[i] as number;
    if (!ok[cells.pair[i] as number] || r >= nRanks) continue;
    pair[j] = cells.pair[i] as number;
    rank[j] = r;
    impressions[j] = cells.impressions[i] as number;
    clicks[j] = cells.clicks[i] as number;
    byRank[r] = (byRank[r] as number) + (impressions[j] as number);
    total += impressions[j] as number;
    j++;
  }
  return { cells: { length: len, pair, rank, impressions, clicks, pages: cells.pages }, pairs, impressions: total, impressionsByRank: byRank };
}
