/**
 * Calibration: which of this log's signals predict relevance, learnt from a few hundred labels.
 *
 * A regularised logistic regression over the signals of `FEATURES` (one row per labelled
 * (normalised query, document) pair of the evidence), cross-validated with folds grouped by query
 * family, so that no family is on both sides of a held-out estimate. The penalty is the one of
 * `l2` with the lowest held-out log-loss. Every figure of the held-out table comes from the
 * out-of-fold probabilities: precision of positives for raw clicks, this build's rule and the
 * calibrated rule; the false-negative rate of negatives per source; each single signal next to
 * the calibrated rule at the same number of pairs; Wilson intervals for rates and a bootstrap over
 * families for the gains.
 *
 * ## Input
 * The labelled pairs (`LabelledPair`: label, family, signals, this build's grade and negatives).
 * ## Output
 * `CalibrationFile` (the content of calibration.json).
 * ## Drops
 * Labelled pairs the log never showed have no signals: they are counted (`labels.unshown`) and
 * only used where a negative of this build is judged.
 */
import { usageError } from '../../errors.js';
import { bootstrapGroups, rateAmong, type Rate } from '../../util/intervals.js';
import { hash32 } from '../../util/rng.js';
import { FEATURES } from './features.js';
import { auc, fitLogistic, logLoss, predictLogistic, type LogisticModel } from './logistic.js';
import type { CalibrationFile, CalibrationOptions } from './options.js';

export interface LabelledPair {
  readonly query_norm: string;
  readonly doc_id: string;
  readonly family: string;
  readonly relevant: boolean;
  /** Signals in `FEATURES` order; null when the log never showed the pair. */
  readonly features: readonly number[] | null;
  /** The pair's grade among this build's positives (0: not a positive). */
  readonly positiveGrade: number;
  /** Sources of this build's exported negatives on the pair ("fill" for the random fill). */
  readonly negativeSources: readonly string[];
}

const STAGE = 'calibration';
const f = (name: string): number => {
  const i = FEATURES.findIndex((x) => x.name === name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return i;
};
const IX = {
  clicked: f('clicked'), severalSessions: f('several_sessions'), satisfied: f('satisfied_share'), converted: f('converted'),
  last: f('last_click_share'), reformulated: f('reformulated_share'), bestRank: f('log_best_click_rank'), ctr: f('log_corrected_ctr'),
  skip: f('log_skip_above'), pogo: f('pogo_share'), inSession: f('log_clicked_in_session'),
};

interface Shown {
  readonly pair: LabelledPair;
  readonly x: readonly number[];
  readonly y: number;
  readonly group: number;
  readonly clicked: boolean;
}

/** Families in folds: largest first, each to the fold with the fewest pairs so far (ties: seeded hash). Returns group -> fold. */
function assignFolds(rows: readonly Shown[], groups: readonly number[], k: number, seed: number): Map<number, number> {
  const size = new Map<number, number>();
  const nameOf = new Map<number, string>();
  for (const r of rows) {
    size.set(r.group, (size.get(r.group) ?? 0) + 1);
    nameOf.set(r.group, r.pair.family);
  }
  const order = groups.map((g) => ({ g, n: size.get(g) ?? 0, h: hash32(`${seed}:${nameOf.get(g) ?? g}`) })).sort((a, b) => b.n - a.n || a.h - b.h || a.g - b.g);
  const load = new Array<number>(k).fill(0);
  const foldOf = new Map<number, number>();
  for (const { g, n } of order) {
    let best = 0;
    for (let i = 1; i < k; i++) if (load[i]! < load[best]!) best = i;
    foldOf.set(g, best);
    load[best]! += n;
  }
  return foldOf;
}

const logit = (q: number) => {
  const c = Math.min(1 - 1e-6, Math.max(1e-6, q));
  return Math.log(c / (1 - c));
};
const baseLogit = (rows: readonly Shown[]) => logit(rows.reduce((a, r) => a + r.y, 0) / Math.max(1, rows.length));

/**
 * Out-of-fold probabilities of a model over the signals `sel` (`fitOn` fits it on the training
 * folds). Each fold's model learns the base rate of the other folds, so a fold with more relevant
 * pairs than the rest gets lower estimates than it should, and pooled over folds the estimates
 * anti-correlate with relevance (a near-constant model scores a pooled AUC below 0.5). Each fold's
 * logits are therefore shifted by logit(base rate of all rows) - logit(base rate of its training
 * rows): the offset a model fitted on every row does not have. Probabilities are rounded to 1e-9:
 * fold models that differ in the last bits would otherwise order tied pairs by float noise.
 */
function outOfFold(rows: readonly Shown[], foldOf: ReadonlyMap<number, number>, k: number, fitOn: (train: readonly Shown[]) => LogisticModel): number[] {
  const p = new Array<number>(rows.length).fill(NaN);
  const all = baseLogit(rows);
  for (let fold = 0; fold < k; fold++) {
    const train = rows.filter((r) => foldOf.get(r.group) !== fold);
    if (train.length === 0 || train.length === rows.length) continue;
    const m = fitOn(train);
    const shift = all - baseLogit(train);
    rows.forEach((r, i) => {
      if (foldOf.get(r.group) === fold) p[i] = Math.round(1e9 / (1 + Math.exp(-(logit(predictLogistic(m, r.x)) + shift)))) / 1e9;
    });
  }
  return p;
}

/** A model over the signals `sel`, expanded to every signal (weight 0 for the others). */
function fitOnSignals(rows: readonly Shown[], sel: readonly number[], l2: number): LogisticModel {
  const m = fitLogistic(rows.map((r) => sel.map((j) => r.x[j]!)), rows.map((r) => r.y), l2);
  const weights = new Array<number>(FEATURES.length).fill(0), mean = new Array<number>(FEATURES.length).fill(0), sd = new Array<number>(FEATURES.length).fill(1);
  sel.forEach((j, c) => { weights[j] = m.weights[c]!; mean[j] = m.mean[c]!; sd[j] = m.sd[c]!; });
  return { ...m, weights, mean, sd };
}

/**
 * Forward selection on `rows` alone, judged by cross-validation grouped by query family inside
 * them: start from the intercept, add the signal that lowers the held-out log-loss the most, stop
 * when none does or at `maxSignals`. A signal enters only if it predicts relevance in families it
 * was not fitted on; in-sample criteria (BIC) picked signals that do not carry over between
 * families on the real labelled log.
 */
function selectSignals(rows: readonly Shown[], o: CalibrationOptions, seed: number): number[] {
  const groups = [...new Set(rows.map((r) => r.group))];
  const k = Math.min(o.folds, groups.length);
  if (k < 2) return [];
  const foldOf = assignFolds(rows, groups, k, seed);
  const y = rows.map((r) => r.y);
  const loss = (sel: readonly number[]) => logLoss(outOfFold(rows, foldOf, k, (tr) => fitOnSignals(tr, sel, o.l2)), y);
  const sel: number[] = [];
  let cur = loss(sel);
  while (sel.length < o.maxSignals) {
    let best = { j: -1, v: cur };
    for (let j = 0; j < FEATURES.length; j++) {
      if (sel.includes(j)) continue;
      const v = loss([...sel, j]);
      if (v < best.v - 1e-6) best = { j, v };
    }
    if (best.j < 0) break;
    sel.push(best.j);
    cur = best.v;
  }
  return sel.sort((a, b) => a - b);
}

const fitSelected = (rows: readonly Shown[], o: CalibrationOptions, seed: number): LogisticModel => fitOnSignals(rows, selectSignals(rows, o, seed), o.l2);

interface SubModel {
  readonly model: LogisticModel;
  readonly oof: number[];
  readonly loss: number;
  readonly auc: number | null;
  readonly aucCi: [number, number] | null;
  /** The held-out AUC's interval lies above 0.5: the signals rank these pairs. */
  readonly informative: boolean;
}

/** One model over `rows`: out-of-fold probabilities, AUC with a bootstrap over families, and the final fit on every row. */
function fitSubModel(rows: readonly Shown[], foldOf: ReadonlyMap<number, number>, k: number, groups: number, o: CalibrationOptions, seed: number): SubModel {
  const y = rows.map((r) => r.y);
  // selection inside each outer training set: the held-out folds never choose the signals that predict them
  const oof = outOfFold(rows, foldOf, k, (train) => fitSelected(train, o, seed));
  const model = fitSelected(rows, o, seed);
  const a = auc(oof, y);
  const aucCi = bootstrapGroups(groups, (m) => {
    const ss: number[] = [], yy: number[] = [];
    rows.forEach((r, i) => { for (let c = 0; c < m[r.group]!; c++) { ss.push(oof[i]!); yy.push(r.y); } });
    return auc(ss, yy);
  }, o.bootstrap, seed);
  return { model, oof, loss: logLoss(oof, y), auc: a, aucCi, informative: aucCi !== null && aucCi[0] > 0.5 };
}

const rateOver = (rows: readonly Shown[], keep: (r: Shown, i: number) => boolean): Rate => rateAmong(rows, (r) => r.y === 1, keep);

/** Precision over rows selected by `keep`, rows weighted by their group's multiplicity (bootstrap). */
const weightedRate = (rows: readonly Shown[], m: Uint32Array, keep: (r: Shown, i: number) => boolean): number | null => {
  let n = 0, k = 0;
  rows.forEach((r, i) => {
    if (!keep(r, i)) return;
    const w = m[r.group]!;
    n += w;
    k += w * r.y;
  });
  return n > 0 ? k / n : null;
};

export interface SingleSignal {
  readonly name: string;
  readonly description: string;
  readonly holds: (x: readonly number[]) => boolean;
}

/** The single rules a user could apply to clicked pairs instead of a calibration. */
export const SINGLE_SIGNALS: readonly SingleSignal[] = [
  { name: 'several_sessions', description: 'clicked in two or more sessions', holds: (x) => x[IX.severalSessions]! > 0 },
  { name: 'converted', description: 'a click converted', holds: (x) => x[IX.converted]! > 0 },
  { name: 'satisfied_click', description: 'a click with satisfied dwell', holds: (x) => x[IX.satisfied]! > 0 },
  { name: 'last_click', description: 'some click was the last of its session', holds: (x) => x[IX.last]! > 0 },
  { name: 'not_reformulated', description: 'some click was not followed by another query', holds: (x) => x[IX.reformulated]! < 1 },
  { name: 'top3_click', description: 'clicked at rank 1-3', holds: (x) => x[IX.bestRank]! <= Math.log(3) + 1e-9 },
  { name: 'never_skipped', description: 'never skipped above a click', holds: (x) => x[IX.skip]! === 0 },
  { name: 'not_only_pogo', description: 'some click was not a pogo-stick', holds: (x) => x[IX.pogo]! < 1 },
  { name: 'not_clicked_in_session', description: 'not clicked for another query of its sessions', holds: (x) => x[IX.inSession]! === 0 },
];

const round = (v: number, d = 4) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);
const roundRate = (r: Rate) => ({ n: r.n, relevant: r.relevant, rate: Number.isFinite(r.rate) ? round(r.rate) : null, lo: Number.isFinite(r.lo) ? round(r.lo) : null, hi: Number.isFinite(r.hi) ? round(r.hi) : null });
const interval = (ci: [number, number] | null) => (ci ? [round(ci[0]), round(ci[1])] : null);

/** The base rate and nothing else: the model of a side with too few labels. */
function constantModel(rows: readonly Shown[], l2: number): SubModel {
  return { model: fitOnSignals(rows, [], l2), oof: rows.map(() => NaN), loss: NaN, auc: null, aucCi: null, informative: false };
}

const modelJson = (m: SubModel, rows: number) => ({
  intercept: m.model.intercept,
  l2: m.model.l2,
  pairs: rows,
  heldOutLogLoss: round(m.loss),
  heldOutAuc: m.auc === null ? null : round(m.auc),
  heldOutAucCi: interval(m.aucCi),
  informative: m.informative,
  features: FEATURES.map((ft, j) => ({ name: ft.name, description: ft.description, mean: m.model.mean[j]!, sd: m.model.sd[j]!, weight: m.model.weights[j]! })),
});

export function fitCalibration(pairs: readonly LabelledPair[], o: CalibrationOptions, seed: number): CalibrationFile {
  const familyIds = new Map<string, number>();
  const shown: Shown[] = [];
  for (const p of pairs) {
    if (!p.features) continue;
    let g = familyIds.get(p.family);
    if (g === undefined) familyIds.set(p.family, (g = familyIds.size));
    shown.push({ pair: p, x: p.features, y: p.relevant ? 1 : 0, group: g, clicked: p.features[IX.clicked]! > 0 });
  }
  const clickedRows = shown.filter((r) => r.clicked);
  const unclickedRows = shown.filter((r) => !r.clicked);
  if (shown.length < o.minLabels || clickedRows.length < o.minJudged) {
    throw usageError('too_few_labels', `the labels cover ${shown.length} pairs the log showed (${clickedRows.length} clicked, ${unclickedRows.length} not; ${pairs.length} labelled pairs read): a calibration needs at least calibration.minLabels = ${o.minLabels} shown pairs, calibration.minJudged = ${o.minJudged} of them clicked. Label more results of the log's own queries, clicked and not clicked, or lower those options.`, { stage: STAGE });
  }
  const families = [...familyIds.keys()];
  const k = Math.min(o.folds, families.length);
  if (k < 2) throw usageError('too_few_families', `the labelled pairs come from ${families.length} query family: cross-validation by family needs at least 2. Label pairs of more queries.`, { stage: STAGE });
  const foldOf = assignFolds(shown, families.map((_, g) => g), k, seed);
  const groups = families.length;

  // clicked pairs (positives) and unclicked shown pairs (negative candidates) answer different questions: one model each
  const cm = fitSubModel(clickedRows, foldOf, k, groups, o, seed);
  // a click-only log (or labels of clicked results only) has no unclicked side to learn from: no veto
  const fewUnclicked = unclickedRows.length < o.minJudged;
  const um = fewUnclicked ? constantModel(unclickedRows, o.l2) : fitSubModel(unclickedRows, foldOf, k, groups, o, seed + 1);
  const oofOfRow = new Map<Shown, number>();
  clickedRows.forEach((r, i) => oofOfRow.set(r, cm.oof[i]!));
  unclickedRows.forEach((r, i) => oofOfRow.set(r, um.oof[i]!));
  const oof = shown.map((r) => oofOfRow.get(r)!);

  const base = rateOver(shown, () => true);
  // signals that do not rank the pairs (held-out AUC interval reaching 0.5) change nothing: every clicked pair stays a positive, no candidate is vetoed
  const [g1, t2, t3] = o.gradeThresholds;
  const t1 = cm.informative ? g1 : 0;
  const vetoAbove = um.informative ? (o.negativeVeto === 'base-rate' ? base.rate : o.negativeVeto) : null;
  const clickedOof = shown.map((_, i) => i).filter((i) => shown[i]!.clicked);

  // positives
  const raw = rateOver(shown, (r) => r.clicked);
  const defaults = rateOver(shown, (r) => r.clicked && r.pair.positiveGrade > 0);
  const calibrated = rateOver(shown, (r, i) => r.clicked && oof[i]! >= t1);
  const relevantClicked = clickedRows.filter((r) => r.y).length;
  const kept = (sel: (r: Shown, i: number) => boolean) => shown.filter((r, i) => r.clicked && r.y === 1 && sel(r, i)).length;
  const th = [t1, t2, t3];
  const byGrade = th.map((t, g) => rateOver(shown, (r, i) => r.clicked && oof[i]! >= t && (g === 2 || oof[i]! < th[g + 1]!)));
  const atOrAbove = th.map((t) => rateOver(shown, (r, i) => r.clicked && oof[i]! >= t));
  const defaultsByGrade = [1, 2, 3].map((g) => rateOver(shown, (r) => r.clicked && r.pair.positiveGrade === g));

  // single signals next to the calibrated ranking at the same number of clicked pairs
  const minCoverage = Math.max(10, Math.ceil(0.1 * clickedRows.length));
  const ranked = [...clickedOof].sort((a, b) => oof[b]! - oof[a]! || a - b);
  const signals = SINGLE_SIGNALS.map((s) => {
    const r = rateOver(shown, (row) => row.clicked && s.holds(row.x));
    const pStar = r.n > 0 ? oof[ranked[r.n - 1]!]! : Infinity;
    const atSame = rateOver(shown, (row, i) => row.clicked && oof[i]! >= pStar);
    return { s, r, pStar, atSame };
  });
  const eligible = signals.filter((x) => x.r.n >= minCoverage && x.r.n < clickedRows.length);
  const bestSignal = eligible.length ? eligible.reduce((a, b) => (b.r.rate > a.r.rate ? b : a)) : null;
  const gain = (a: (r: Shown, i: number) => boolean, b: (r: Shown, i: number) => boolean, s: number) => {
    const diff = rateOver(shown, a).rate - rateOver(shown, b).rate;
    const ci = bootstrapGroups(groups, (m) => {
      const x = weightedRate(shown, m, a);
      const z = weightedRate(shown, m, b);
      return x === null || z === null ? null : x - z;
    }, o.bootstrap, s);
    return { diff: round(diff), ci: interval(ci) };
  };
  const isCalibrated = (r: Shown, i: number) => r.clicked && oof[i]! >= t1;
  const gainVsBest = bestSignal ? { signal: bestSignal.s.name, ...gain((r, i) => r.clicked && oof[i]! >= bestSignal.pStar, (r) => r.clicked && bestSignal.s.holds(r.x), seed + 2) } : null;
  const gainVsRaw = gain(isCalibrated, (r) => r.clicked, seed + 3);
  const gainVsDefaults = gain(isCalibrated, (r) => r.clicked && r.pair.positiveGrade > 0, seed + 4);
  const aucOf = (score: (i: number) => number) => {
    const a = auc(clickedOof.map(score), clickedOof.map((i) => shown[i]!.y));
    return a === null ? null : round(a);
  };

  // negatives: per source, over labelled pairs (the unit of every rate)
  const neverClicked = (r: Shown) => !r.clicked;
  const exportedAll = pairs.filter((p) => p.negativeSources.length > 0);
  const rateOfPairs = (ps: readonly LabelledPair[]) => rateAmong(ps, (p) => p.relevant);
  const oofOf = new Map<LabelledPair, number>();
  shown.forEach((r, i) => oofOf.set(r.pair, oof[i]!));
  const sources = [...new Set(exportedAll.flatMap((p) => p.negativeSources))].sort();
  const bySource = Object.fromEntries(sources.map((s) => [s, rateOfPairs(exportedAll.filter((p) => p.negativeSources.includes(s)))]));
  const vetoed = (p: LabelledPair) => vetoAbove !== null && (oofOf.get(p) ?? -Infinity) >= vetoAbove && (p.features![IX.clicked]! > 0 ? cm.informative : true);
  const negatives = {
    baseRate: roundRate(base),
    shownNeverClicked: roundRate(rateOver(shown, neverClicked)),
    skippedAboveNeverClicked: roundRate(rateOver(shown, (r) => neverClicked(r) && r.x[IX.skip]! > 0)),
    calibratedShownNeverClicked: roundRate(rateOver(shown, (r, i) => neverClicked(r) && (vetoAbove === null || oof[i]! < vetoAbove))),
    exported: roundRate(rateOfPairs(exportedAll)),
    exportedBySource: Object.fromEntries(Object.entries(bySource).map(([s, r]) => [s, roundRate(r)])),
    exportedAfterVeto: roundRate(rateOfPairs(exportedAll.filter((p) => !p.features || !vetoed(p)))),
    exportedVetoed: exportedAll.filter((p) => p.features && vetoed(p)).length,
  };
  const miners = Object.fromEntries(Object.entries(bySource).map(([s, r]) => [s, { ...roundRate(r), drop: s !== 'fill' && r.n >= o.minJudged && r.lo > base.rate }]));

  return {
    kind: 'clickforge.calibration',
    version: 1,
    relevant: 'mean label grade > 0',
    models: { clicked: modelJson(cm, clickedRows.length), unclicked: modelJson(um, unclickedRows.length) },
    labels: { pairs: shown.length, relevant: base.relevant, clicked: clickedRows.length, families: families.length, folds: k, unshown: pairs.length - shown.length },
    grades: {
      thresholds: [t1, t2, t3],
      heldOutPrecision: atOrAbove.map(roundRate),
      ...(cm.informative ? {} : { note: `the signals do not rank clicked pairs on the labels (held-out AUC ${cm.auc === null ? '—' : round(cm.auc, 3)}, interval ${JSON.stringify(interval(cm.aucCi))} reaches 0.5): every clicked pair stays a positive, weighted by its estimate` }),
    },
    negatives: {
      vetoAbove: vetoAbove === null ? null : round(vetoAbove),
      ...(um.informative ? {} : fewUnclicked ? { note: `${unclickedRows.length} labelled unclicked shown pairs, fewer than calibration.minJudged = ${o.minJudged}: no candidate is vetoed` } : { note: `the signals do not rank unclicked shown pairs on the labels (held-out AUC ${um.auc === null ? '—' : round(um.auc, 3)}, interval ${JSON.stringify(interval(um.aucCi))} reaches 0.5): no candidate is vetoed` }),
      baseRate: roundRate(base),
      miners,
      drop: Object.entries(miners).filter(([, m]) => m.drop).map(([s]) => s),
    },
    heldOut: {
      note: 'Out-of-fold estimates: each labelled pair is predicted by a model fitted without its query family.',
      positives: {
        raw: { ...roundRate(raw), relevantKept: relevantClicked },
        defaults: { ...roundRate(defaults), relevantKept: kept((r) => r.pair.positiveGrade > 0) },
        calibrated: { ...roundRate(calibrated), relevantKept: kept(isCalibrated) },
        relevantClicked,
        calibratedByGrade: byGrade.map(roundRate),
        defaultsByGrade: defaultsByGrade.map(roundRate),
        gainVsRaw,
        gainVsDefaults,
      },
      auc: { calibrated: cm.auc === null ? null : round(cm.auc), ci: interval(cm.aucCi), unclicked: um.auc === null ? null : round(um.auc), unclickedCi: interval(um.aucCi) },
      singleSignals: signals.map((x) => ({ name: x.s.name, description: x.s.description, precision: roundRate(x.r), calibratedAtSameCoverage: roundRate(x.atSame), auc: aucOf((i) => (x.s.holds(shown[i]!.x) ? 1 : 0)) })),
      bestSignal: gainVsBest,
      minCoverage,
      negatives,
    },
  };
}

/** The two models of a calibration file (for `predictLogistic`), checked against this build's signals. */
export function modelsOf(cal: CalibrationFile, file: string): { readonly clicked: LogisticModel; readonly unclicked: LogisticModel } {
  const expected = FEATURES.map((x) => x.name).join(',');
  const one = (m: CalibrationFile['models']['clicked'], which: string): LogisticModel => {
    const names = m.features.map((x) => x.name).join(',');
    if (names !== expected) {
      throw usageError('calibration_signals', `${file}: its ${which} model was fitted on the signals [${names}], this clickforge computes [${expected}]: fit it again with \`clickforge calibrate\`.`, { stage: STAGE });
    }
    return { intercept: m.intercept, weights: m.features.map((x) => x.weight), mean: m.features.map((x) => x.mean), sd: m.features.map((x) => x.sd), l2: m.l2, iterations: 0 };
  };
  return { clicked: one(cal.models.clicked, 'clicked'), unclicked: one(cal.models.unclicked, 'unclicked') };
}
