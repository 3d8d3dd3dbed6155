/**
 * Position-bias estimation: how likely a result at rank r is to be looked at, relative to rank 1.
 *
 * ## Input
 * `ClickCounts`: (query, document, rank) -> (impressions, clicks) cells in three folds (train,
 * holdout, randomized), built by `clickCountsFromDb` (canonical DuckDB tables) or
 * `clickCountsFromPages` (e.g. the Yandex relevance-prediction parser).
 *
 * ## Output
 * `PropensityResult`: which estimator ran and why, the examination curve raw and normalised to
 * rank 1 = 1, a query-bootstrap confidence interval, the held-out perplexity / log-likelihood of a
 * PBM that uses this curve, the fitted PBM (attractiveness per pair) and `StageStats`.
 *
 * ## Drops
 * None here: every cell is used. Builders count what they drop (rank_beyond_max, click_not_shown).
 *
 * ## Example
 * ```ts
 * const res = estimatePropensities(counts, biasOptions.parse({ estimator: 'pbm-em' }));
 * res.relative; // [1, 0.689, 0.571, ...]
 * ```
 */
import type { StageStats } from '../../types.js';
import { usageError } from '../../errors.js';
import { createRng } from '../../util/rng.js';
import { cellsByQuery, type CellCounts, type ClickCounts } from './counts.js';
import { interventionHarvest } from './intervention.js';
import type { BiasOptions } from './options.js';
import { fitPbm, informativeCells, type HeldOutMetrics, type PbmModel } from './pbm.js';
import { randomizedCtr } from './randomized.js';
import { clickedShareOf, identifyCurve, type CurveIdentification } from './identification.js';
import { attractivenessFor, newtonCurve, queryCurvature } from './curvature.js';

export type EstimatorName = 'pbm-em' | 'intervention' | 'randomized';

export interface CurveInterval {
  readonly level: number;
  readonly samples: number;
  /** Resampling unit of the bootstrap. */
  readonly unit: 'query';
  readonly units: number;
  /**
   * pbm-em two-step: where each replicate's curve fit started: 'newton', one Newton step of the
   * replicate's profile log-likelihood from the full fit; 'fit', the full fit. Null for estimators
   * whose replicates are fitted from scratch or in one pass.
   */
  readonly start: 'newton' | 'fit' | null;
  /** Percentile bounds of the relative curve (rank 1 = 1), per rank. */
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** pbm-em two-step: the EM work of the replicate curve fits; null for the other estimators (one pass each). */
  readonly fits: ReplicateFits | null;
}

/** EM iterations of the bootstrap replicates' curve fits (each warm-started from the full fit). */
export interface ReplicateFits {
  /** The per-replicate iteration cap (option ciIterations). */
  readonly cap: number;
  /** Iterations summed over all replicates, and of the longest replicate. */
  readonly iterations: number;
  readonly maxIterations: number;
  /** Replicates that hit the cap before their curve moved less than ciCurveTolerance per iteration. */
  readonly capped: number;
  /** ciStart 'newton': replicates that started at the full fit because their Newton step was not defined. */
  readonly fromFit: number;
}

export interface PropensityResult {
  readonly kind: 'PropensityResult';
  readonly requested: BiasOptions['estimator'];
  readonly estimator: EstimatorName;
  readonly reason: string;
  /** Examination relative to rank 1 (rank 1 = 1); what inverse-propensity weights use. */
  readonly relative: readonly number[];
  /**
   * Unnormalised curve: PBM examination probabilities (pbm-em), CTR per rank (randomized), or the
   * relative curve again (intervention: the absolute scale is not identified).
   */
  readonly raw: readonly number[];
  readonly ci: CurveInterval | null;
  /** Held-out fit of a PBM using this curve (attractiveness fitted by EM on train). Null without holdout pages. */
  readonly heldOut: HeldOutMetrics | null;
  readonly train: { readonly pages: number; readonly cells: number; readonly pairs: number; readonly logLikelihood: number; readonly iterations: number; readonly converged: boolean };
  /** The PBM behind `heldOut`: attractiveness per pair index of the input counts. */
  readonly model: PbmModel;
  /** pbm-em 'two-step': what the curve was fitted on and how the fit ended. Null otherwise. */
  readonly curveFit: { readonly pairs: number; readonly cells: number; readonly impressions: number; readonly iterations: number; readonly converged: boolean } | null;
  /** Intervention harvesting next to pbm-em (crossCheck option); null when not run or not applicable. */
  readonly crossCheck: { readonly estimator: 'intervention'; readonly relative: readonly number[]; readonly maxAbsDiff: number } | null;
  /** Whether the log identifies the curve (bias.identification): the checks, their measures and the reasons of those that fail. */
  readonly identification: CurveIdentification;
  /** Click probability per rank of a page (query key, document ids in rank order); unseen pairs use `init`. */
  predictClickProbs(query: string, docIds: readonly string[]): Float64Array;
  readonly seconds: { readonly fit: number; readonly ci: number; readonly total: number };
  readonly stats: StageStats;
}

interface CurveOut {
  readonly relative: Float64Array;
  readonly raw: Float64Array;
  readonly model?: PbmModel;
  readonly notes: readonly string[];
  readonly curveFit?: PropensityResult['curveFit'];
  /** two-step: the step-1 fit (curve and maximum-likelihood attractiveness), the warm start of bootstrap replicates. */
  readonly curveModel?: PbmModel;
}

/** Cells the estimator learns the curve from: for pbm-em two-step, the informative pairs (chosen once, before any bootstrap). */
interface FitPlan {
  readonly name: EstimatorName;
  /** two-step: the informative cells with pair indices renumbered 0..pairs-1 (see `compactPairs`). */
  readonly cells: CellCounts;
  /** two-step bootstrap replicate: the weight of each pair's cells (its query's multiplicity). */
  readonly pairWeight?: Float64Array;
  /** The query of each pair of the index space of `cells` (its length is the number of pairs). */
  readonly pairQuery: Int32Array;
  readonly twoStep: boolean;
  readonly notes: readonly string[];
  readonly pairs: number;
  readonly impressions: number;
}

function planFit(name: EstimatorName, cells: CellCounts, counts: ClickCounts, o: BiasOptions): FitPlan {
  const R = Math.min(o.maxRank, counts.nRanks);
  const whole = { pairQuery: counts.pairQuery };
  if (name !== 'pbm-em' || o.pbmFit === 'pyclick') return { name, cells, ...whole, twoStep: false, notes: [], pairs: counts.pairQuery.length, impressions: 0 };
  const sel = informativeCells(cells, counts.pairQuery.length, R, { minImpressions: o.curveMinImpressions, minRanks: o.curveMinRanks });
  const all = new Float64Array(R);
  for (let i = 0; i < cells.length; i++) { const r = cells.rank[i] as number; if (r < R) all[r] = (all[r] as number) + (cells.impressions[i] as number); }
  const empty: number[] = [];
  for (let r = 0; r < R; r++) if ((all[r] as number) > 0 && (sel.impressionsByRank[r] as number) === 0) empty.push(r + 1);
  if (sel.pairs === 0 || empty.length > 0) {
    return {
      name, cells, ...whole, twoStep: false, pairs: counts.pairQuery.length, impressions: 0,
      notes: [`pbm two-step: ${sel.pairs} pairs with >= ${o.curveMinImpressions} impressions at >= ${o.curveMinRanks} ranks${empty.length > 0 ? `, none shown at rank ${empty.join(', ')}` : ''}; fell back to the PyClick fit on all cells (deep ranks may be underestimated). Lower curveMinImpressions / curveMinRanks or collect more pages.`],
    };
  }
  const compact = compactPairs(sel.cells, counts.pairQuery);
  return {
    name, cells: compact.cells, pairQuery: compact.pairQuery, twoStep: true, pairs: sel.pairs, impressions: sel.impressions,
    notes: [`pbm two-step: curve fitted on ${sel.pairs} of ${counts.pairQuery.length} pairs (>= ${o.curveMinImpressions} impressions at >= ${o.curveMinRanks} ranks; ${sel.cells.length} cells, ${Math.round(sel.impressions)} impressions).`],
  };
}

/**
 * Renumber the pairs of `cells` 0..k-1 in order of first appearance. The curve fit touches every
 * pair of its index space in each EM iteration, and the informative pairs can be a sliver of all
 * pairs (2M-event generated log: 1,706 of 1.23M), so without this each iteration of the curve fit
 * and of every bootstrap replicate cost O(all pairs) instead of O(informative cells). Pairs absent
 * from the cells never influence the curve, so the fit is the same number for number.
 */
function compactPairs(cells: CellCounts, pairQuery: Int32Array): { cells: CellCounts; pairQuery: Int32Array } {
  const local = new Map<number, number>();
  const pair = new Int32Array(cells.length);
  const queries: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    const g = cells.pair[i] as number;
    let l = local.get(g);
    if (l === undefined) {
      l = queries.length;
      local.set(g, l);
      queries.push(pairQuery[g] as number);
    }
    pair[i] = l;
  }
  return { cells: { ...cells, pair }, pairQuery: Int32Array.from(queries) };
}

function runEstimator(plan: FitPlan, counts: ClickCounts, o: BiasOptions, allCells: CellCounts | null, warm?: Pick<PbmModel, 'examination' | 'attractiveness'>): CurveOut {
  const { name, cells } = plan;
  const R = Math.min(o.maxRank, counts.nRanks);
  const nPairs = counts.pairQuery.length;
  if (name === 'pbm-em' && plan.twoStep) {
    const curve = fitPbm(cells, plan.pairQuery.length, R, {
      iterations: allCells ? o.curveIterations : o.ciIterations, init: o.init, priorWeight: o.curvePriorWeight, tolerance: 0, curveTolerance: o.curveTolerance, logLikelihood: allCells !== null,
      ...(warm ? { warmStart: { examination: warm.examination, attractiveness: warm.attractiveness } } : {}),
      ...(plan.pairWeight ? { pairWeight: plan.pairWeight } : {}),
    });
    const e1 = curve.examination[0] as number;
    const relative = curve.examination.map((v) => v / e1);
    const curveFit = { pairs: plan.pairs, cells: cells.length, impressions: plan.impressions, iterations: curve.iterations, converged: curve.converged };
    const notes = curve.converged ? [] : [`pbm two-step: the curve fit did not settle within curveIterations (${o.curveIterations}) at curveTolerance ${o.curveTolerance}; raise curveIterations.`];
    if (!allCells) return { relative, raw: curve.examination.slice(), model: curve, notes, curveFit };
    const model = fitPbm(allCells, nPairs, R, { iterations: o.iterations, init: o.init, priorWeight: o.priorWeight, tolerance: o.tolerance, fixedExamination: relative });
    return { relative, raw: curve.examination.slice(), model, notes, curveFit, curveModel: curve };
  }
  if (name === 'pbm-em') {
    const model = fitPbm(cells, nPairs, R, o);
    const e1 = model.examination[0] as number;
    return { relative: model.examination.map((v) => v / e1), raw: model.examination.slice(), model, notes: [] };
  }
  if (name === 'intervention') {
    const r = interventionHarvest(cells, nPairs, R, { minClicks: o.minHarvestClicks });
    return { relative: r.relative, raw: r.relative.slice(), notes: [...r.notes, `intervention harvesting: ${r.harvestedPairs} (query, document) pairs seen at 2+ ranks, ${r.rankPairsUsed} rank pairs used.`] };
  }
  const r = randomizedCtr(cells, R);
  return { relative: r.relative, raw: r.ctr, notes: [] };
}

function pickEstimator(counts: ClickCounts, o: BiasOptions): { name: EstimatorName; reason: string } {
  if (o.estimator !== 'auto') return { name: o.estimator, reason: `requested estimator '${o.estimator}'` };
  const rp = counts.randomized.pages;
  if (rp >= o.minRandomizedPages) return { name: 'randomized', reason: `auto: ${rp} randomised pages >= minRandomizedPages (${o.minRandomizedPages})` };
  return { name: 'pbm-em', reason: `auto: ${rp} randomised pages < minRandomizedPages (${o.minRandomizedPages}), so PBM by EM on all pages` };
}

/** How often one bootstrap replicate draws each query: `present.length` draws with replacement among `present`. */
function drawQueries(nQueries: number, present: readonly number[], rng: ReturnType<typeof createRng>): Float64Array {
  const mult = new Float64Array(nQueries);
  for (let k = 0; k < present.length; k++) {
    const q = present[rng.int(present.length)] as number;
    mult[q] = (mult[q] as number) + 1;
  }
  return mult;
}

/** Cells of the drawn queries, each weighted by how often the bootstrap drew its query. */
function weightedCells(cells: CellCounts, byQuery: readonly Int32Array[], present: readonly number[], mult: Float64Array): CellCounts {
  let len = 0;
  for (const q of present) if ((mult[q] as number) > 0) len += (byQuery[q] as Int32Array).length;
  const pair = new Int32Array(len);
  const rank = new Int32Array(len);
  const impressions = new Float64Array(len);
  const clicks = new Float64Array(len);
  let j = 0;
  for (const q of present) {
    const m = mult[q] as number;
    if (m === 0) continue;
    for (const i of byQuery[q] as Int32Array) {
      pair[j] = cells.pair[i] as number;
      rank[j] = cells.rank[i] as number;
      impressions[j] = (cells.impressions[i] as number) * m;
      clicks[j] = (cells.clicks[i] as number) * m;
      j++;
    }
  }
  return { length: len, pair, rank, impressions, clicks, pages: cells.pages };
}

/** One replicate's relative curve from its query multiplicities; `fit` when it ran an EM curve fit. */
type Replicate = (mult: Float64Array) => { readonly relative: ArrayLike<number>; readonly fit?: { readonly iterations: number; readonly converged: boolean; readonly start: 'newton' | 'fit' } };
type Start = Pick<PbmModel, 'examination' | 'attractiveness'>;

interface ReplicateContext {
  readonly plan: FitPlan;
  readonly main: CurveOut;
  readonly input: ClickCounts;
  readonly o: BiasOptions;
  readonly byQuery: readonly Int32Array[];
  readonly present: readonly number[];
  /** two-step: the curve-fit cells query by query (the order of `weightedCells`), fitted with per-pair weights instead of copies. */
  readonly byQueryCells: CellCounts | null;
}

function replicateContext(plan: FitPlan, main: CurveOut, input: ClickCounts, o: BiasOptions, byQuery: readonly Int32Array[], present: readonly number[]): ReplicateContext {
  const ones = new Float64Array(byQuery.length);
  for (const q of present) ones[q] = 1;
  return { plan, main, input, o, byQuery, present, byQueryCells: plan.twoStep ? weightedCells(plan.cells, byQuery, present, ones) : null };
}

/** The replicate's cells: for two-step the query-ordered cells with each pair weighted by its query's multiplicity, else weighted copies. */
function replicatePlan(c: ReplicateContext, mult: Float64Array): FitPlan {
  if (!c.byQueryCells) return { ...c.plan, cells: weightedCells(c.plan.cells, c.byQuery, c.present, mult) };
  const pq = c.plan.pairQuery;
  const pairWeight = new Float64Array(pq.length);
  for (let p = 0; p < pq.length; p++) pairWeight[p] = mult[pq[p] as number] as number;
  return { ...c.plan, cells: c.byQueryCells, pairWeight };
}

/** Refit the estimator on the replicate's weighted cells (two-step: the curve only, from `start`, by default the full fit). */
function refit(c: ReplicateContext, mult: Float64Array, start?: Start): ReturnType<Replicate> {
  const repOpts: BiasOptions = { ...c.o, curveTolerance: Math.max(c.o.curveTolerance, c.o.ciCurveTolerance) };
  const rep = runEstimator(replicatePlan(c, mult), c.input, repOpts, null, start ?? c.main.curveModel);
  return rep.curveFit ? { relative: rep.relative, fit: { iterations: rep.curveFit.iterations, converged: rep.curveFit.converged, start: start ? 'newton' : 'fit' } } : { relative: rep.relative };
}

/**
 * Replicates whose EM curve fit starts at one Newton step of the replicate's profile
 * log-likelihood from the full fit, centred on it (the replicate's step minus the full sample's,
 * added to the full fit's curve), with each pair's attractiveness moved to match. The fit then runs
 * to the same stopping rule as from the full fit, in fewer iterations. A replicate whose step is
 * not defined (Hessian not negative definite, a curve value not positive) starts at the full fit.
 */
function newtonStart(c: ReplicateContext): Replicate {
  const curve = c.main.curveModel as PbmModel;
  const k = queryCurvature(c.plan.cells, c.plan.pairQuery, c.byQuery.length, curve.examination, curve.attractiveness);
  const ones = new Float64Array(c.byQuery.length);
  for (const q of c.present) ones[q] = 1;
  const centre = newtonCurve(k, ones, curve.examination);
  if (!centre) return (mult) => refit(c, mult);
  return (mult) => {
    const step = newtonCurve(k, mult, curve.examination);
    if (!step) return refit(c, mult);
    const relative = new Float64Array(step.length);
    for (let r = 0; r < step.length; r++) relative[r] = (c.main.relative[r] as number) + (step[r] as number) - (centre[r] as number);
    if (!relative.every((v) => Number.isFinite(v) && v > 0)) return refit(c, mult);
    return refit(c, mult, attractivenessFor(k, curve.attractiveness, curve.examination, relative));
  };
}

/** A Newton start needs the two-step curve fit without a prior: a pair's best attractiveness is then unchanged by its query's weight. */
const newtonApplies = (c: ReplicateContext): boolean => c.plan.twoStep && c.o.curvePriorWeight === 0 && c.main.curveModel !== undefined;

const fromFit = (c: ReplicateContext) => ({ start: c.plan.twoStep ? ('fit' as const) : null, replicate: (m: Float64Array) => refit(c, m) });

const replicateStarts = {
  newton: (c: ReplicateContext) => (newtonApplies(c) ? { start: 'newton' as const, replicate: newtonStart(c) } : fromFit(c)),
  fit: fromFit,
} satisfies Record<BiasOptions['ciStart'], (c: ReplicateContext) => { start: CurveInterval['start']; replicate: Replicate }>;

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Estimate the examination curve with the chosen estimator. Deterministic for a given seed. */
export function estimatePropensities(input: ClickCounts, opts: BiasOptions): PropensityResult {
  const t0 = performance.now();
  const o = opts;
  const R = Math.min(o.maxRank, input.nRanks);
  const { name, reason } = pickEstimator(input, o);
  const cells = name === 'randomized' ? input.randomized : input.train;
  if (cells.length === 0) {
    throw usageError('no_click_data', `estimator '${name}' has no ${name === 'randomized' ? 'randomised' : 'training'} pages to learn from. ${name === 'randomized' ? 'Mark randomised pages (randomizedWhere) or choose estimator pbm-em.' : 'Check that impressions and clicks were ingested.'}`, { stage: 'bias' });
  }
  const plan = planFit(name, cells, input, o);
  const main = runEstimator(plan, input, o, cells);
  const tFit = performance.now();

  let ci: CurveInterval | null = null;
  const notes = [...plan.notes, ...main.notes];
  let crossCheck: PropensityResult['crossCheck'] = null;
  if (name === 'pbm-em' && o.crossCheck) {
    const ih = interventionHarvest(cells, input.pairQuery.length, R, { minClicks: o.minHarvestClicks });
    let maxAbsDiff = 0;
    for (let r = 0; r < R; r++) {
      const d = Math.abs((ih.relative[r] as number) - (main.relative[r] as number));
      if (Number.isFinite(d) && d > maxAbsDiff) maxAbsDiff = d;
    }
    crossCheck = { estimator: 'intervention', relative: Array.from(ih.relative), maxAbsDiff };
    notes.push(`cross-check: intervention harvesting (${ih.harvestedPairs} pairs at 2+ ranks) differs from pbm-em by at most ${maxAbsDiff.toFixed(3)} per rank${maxAbsDiff > 0.05 ? ': more than 0.05, so one of the two is off (too few pairs at several ranks, or clicks that do not follow the position-based model); compare both curves in the report' : ''}.`);
  }
  if (o.ciSamples > 0) {
    const byQuery = cellsByQuery(plan.cells, plan.pairQuery, input.queries.length);
    const present: number[] = [];
    for (let q = 0; q < byQuery.length; q++) if ((byQuery[q] as Int32Array).length > 0) present.push(q);
    if (present.length < 2) {
      notes.push(`no confidence interval: the bootstrap resamples queries and there is only ${present.length}.`);
    } else {
      if (present.length < 30) notes.push(`confidence interval from only ${present.length} queries: treat it as rough.`);
      const rng = createRng(o.seed).fork('bias-bootstrap');
      const perRank: number[][] = Array.from({ length: R }, () => []);
      const repTolerance = Math.max(o.curveTolerance, o.ciCurveTolerance);
      const { start, replicate } = replicateStarts[o.ciStart](replicateContext(plan, main, input, o, byQuery, present));
      let fits: ReplicateFits | null = null;
      for (let s = 0; s < o.ciSamples; s++) {
        const rep = replicate(drawQueries(byQuery.length, present, rng));
        if (rep.fit) {
          const it = rep.fit.iterations;
          fits = fits ?? { cap: o.ciIterations, iterations: 0, maxIterations: 0, capped: 0, fromFit: 0 };
          fits = { ...fits, iterations: fits.iterations + it, maxIterations: Math.max(fits.maxIterations, it), capped: fits.capped + (rep.fit.converged ? 0 : 1), fromFit: fits.fromFit + (rep.fit.start === 'fit' ? 1 : 0) };
        }
        for (let r = 0; r < R; r++) {
          const v = rep.relative[r] as number;
          if (Number.isFinite(v)) (perRank[r] as number[]).push(v);
        }
      }
      const a = (1 - o.ciLevel) / 2;
      const lower: number[] = [];
      const upper: number[] = [];
      for (const vals of perRank) {
        vals.sort((x, y) => x - y);
        lower.push(percentile(vals, a));
        upper.push(percentile(vals, 1 - a));
      }
      ci = { level: o.ciLevel, samples: o.ciSamples, unit: 'query', units: present.length, start, lower, upper, fits };
      if (fits && fits.capped > 0) notes.push(`bootstrap: ${fits.capped} of ${o.ciSamples} replicate curve fits stopped at ciIterations (${o.ciIterations}) before moving less than ${repTolerance} per iteration; a stopped replicate stays nearer the full fit, so the interval may be too narrow: raise ciIterations.`);
      const outside: number[] = [];
      for (let r = 0; r < R; r++) {
        const v = main.relative[r] as number;
        if (v < (lower[r] as number) - 1e-9 || v > (upper[r] as number) + 1e-9) outside.push(r + 1);
      }
      if (outside.length > 0) notes.push(`the estimate lies outside its bootstrap interval at rank ${outside.join(', ')}: the estimator's bias depends on the amount of data per pair (e.g. the prior of pbmFit 'pyclick'), so read the interval as a spread, not as coverage.`);
    }
  }
  const tCi = performance.now();

  // A PBM for held-out evaluation: the EM fit itself, or attractiveness fitted with this curve fixed.
  let model = main.model;
  if (!model) {
    const fixed = main.relative.map((v) => (Number.isFinite(v) ? v : 0));
    model = fitPbm(input.train.length > 0 ? input.train : cells, input.pairQuery.length, R, { ...o, fixedExamination: fixed });
  }
  const heldOut = input.holdout.length > 0 ? model.evaluate(input.holdout) : null;
  if (!heldOut) notes.push('no held-out pages: perplexity not measured (holdoutShare = 0 or too few pages).');

  let lookup: Map<string, number> | undefined;
  const predictClickProbs = (query: string, docIds: readonly string[]): Float64Array => {
    if (!lookup) {
      lookup = new Map();
      for (let p = 0; p < input.pairQuery.length; p++) lookup.set(`${input.queries[input.pairQuery[p] as number]}\u0000${input.docIds[input.pairDoc[p] as number]}`, p);
    }
    const pairs = docIds.map((d) => lookup!.get(`${query}\u0000${d}`) ?? -1);
    return model.predictClickProbs(pairs);
  };

  const identification = identifyCurve({ estimator: name, clicked: clickedShareOf(input), curveFit: main.curveFit ?? null, ci, crossCheck }, o.identification);
  notes.push(identification.identified
    ? 'the curve is identified (bias.identification: every check passes).'
    : `the curve is not identified: ${identification.reasons.join('; ')}.${identification.clickOnly ? ' It is reported for inspection, not as an estimate.' : ''}`);

  const tEnd = performance.now();
  const stats: StageStats = {
    stage: 'bias',
    in: { train_pages: input.train.pages, holdout_pages: input.holdout.pages, randomized_pages: input.randomized.pages, train_cells: input.train.length, pairs: input.pairQuery.length },
    out: { ranks: R },
    dropped: {},
    notes: [reason, ...notes],
    seconds: (tEnd - t0) / 1000,
  };
  return {
    kind: 'PropensityResult',
    requested: o.estimator,
    estimator: name,
    reason,
    relative: Array.from(main.relative),
    raw: Array.from(main.raw),
    ci,
    heldOut,
    train: { pages: cells.pages, cells: cells.length, pairs: input.pairQuery.length, logLikelihood: model.trainLogLikelihood, iterations: model.iterations, converged: model.converged },
    model,
    curveFit: main.curveFit ?? null,
    crossCheck,
    identification,
    predictClickProbs,
    seconds: { fit: (tFit - t0) / 1000, ci: (tCi - tFit) / 1000, total: (tEnd - t0) / 1000 },
    stats,
  };
}
