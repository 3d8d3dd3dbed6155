/**
 * Do no harm: every discard rule, grade and miner of a build checked on its labels.
 *
 * The unit is a labelled (normalised query, document) pair the log showed. A rule does harm when
 * what it discards is at least as often relevant as what it keeps; a grade order does harm when a
 * higher grade is less precise than a lower one; a negative source does harm when its negatives
 * are relevant more often than a random shown result (the base rate). Each harm is a warning with
 * the numbers (Wilson 95% intervals) and the option to change. Comparisons with fewer than
 * `minJudged` pairs on a side are reported, never warned about.
 *
 * ## Input
 * The labelled pairs (labelled.ts), the grading rule in force, `minJudged`.
 * ## Output
 * The `doNoHarm` report section and its warnings.
 */
import { rateAmong, type Rate } from '../../util/intervals.js';
import type { LabelledClickPair } from './labelled.js';

/** Where to act when the clicks a click outcome discards are as relevant as the kept ones. */
const DISCARD_OPTIONS: Readonly<Record<string, string>> = {
  pogo: 'sessions.pogoWindowSec or evidence.shortDwellMs (lower), or fit a calibration',
  short_dwell: 'evidence.shortDwellMs (lower), or fit a calibration',
  medium_dwell_dropped: 'evidence.mediumDwell: weak',
  unknown_dwell: 'evidence.unknownDwell: weak',
};

export interface Comparison {
  readonly rule: string;
  readonly discarded: Rate;
  readonly kept: Rate;
  readonly harmful: boolean;
  readonly option: string;
}

export interface DoNoHarmSection {
  readonly unit: string;
  readonly labelledPairs: number;
  readonly unshownPairs: number;
  readonly baseRate: Rate;
  readonly rawClicks: Rate;
  readonly positives: Rate;
  readonly positivesByGrade: Readonly<Record<string, Rate>>;
  readonly discards: readonly Comparison[];
  /** Every exported negative pair with a label. */
  readonly exported: Rate;
  /** Exported negatives per source ("fill" = the random fill): judged pairs and how many are relevant. */
  readonly negatives: Readonly<Record<string, Rate & { readonly harmful: boolean }>>;
  /** Exported negative pairs without a label, per source: their false-negative rate is unknown. */
  readonly unjudgedNegatives: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const show = (r: Rate) => `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}] of ${r.n.toLocaleString('en-US')}`;
const rateWhere = <T extends { relevant: boolean }>(xs: readonly T[], keep: (x: T) => boolean): Rate => rateAmong(xs, (x) => x.relevant, keep);

export function doNoHarm(
  pairs: readonly LabelledClickPair[],
  o: { readonly minJudged: number; readonly gradingRule: string; readonly unjudgedNegatives: Readonly<Record<string, number>> },
): DoNoHarmSection {
  const shown = pairs.filter((p) => p.features !== null);
  const clicked = shown.filter((p) => p.features![0]! > 0);
  const enough = (...rs: Rate[]) => rs.every((r) => r.n >= o.minJudged);
  const warnings: string[] = [];

  const base = rateWhere(shown, () => true);
  const raw = rateWhere(clicked, () => true);
  const positives = rateWhere(clicked, (p) => p.positiveGrade > 0);
  if (enough(raw, positives) && positives.rate < raw.rate) {
    warnings.push(`labels: the positives are less precise than raw clicks (${show(positives)} vs ${show(raw)} clicked pairs relevant): ${o.gradingRule === 'funnel' ? 'lower positives.minGrade' : 'set grading.rule: funnel'}, or fit a calibration (clickforge calibrate) and build with --calibration.`);
  }

  const discards: Comparison[] = [];
  const keptPairs = rateWhere(clicked, (p) => p.keptClicks > 0);
  const outcomes = [...new Set(clicked.flatMap((p) => Object.keys(p.discarded)))].sort();
  for (const outcome of outcomes) {
    const lost = rateWhere(clicked, (p) => p.keptClicks === 0 && (p.discarded[outcome] ?? 0) > 0);
    const harmful = enough(lost, keptPairs) && lost.rate >= keptPairs.rate;
    const option = DISCARD_OPTIONS[outcome] ?? 'fit a calibration';
    discards.push({ rule: `clicks discarded as ${outcome}`, discarded: lost, kept: keptPairs, harmful, option });
    if (harmful) warnings.push(`labels: pairs whose clicks were all discarded as ${outcome} are as relevant as pairs with a kept click (${show(lost)} vs ${show(keptPairs)}): ${option}.`);
  }
  const gradedOut = rateWhere(clicked, (p) => p.keptClicks > 0 && p.positiveGrade === 0);
  const gradedIn = rateWhere(clicked, (p) => p.keptClicks > 0 && p.positiveGrade > 0);
  {
    const harmful = enough(gradedOut, gradedIn) && gradedOut.rate >= gradedIn.rate;
    const option = o.gradingRule === 'funnel' ? 'positives.minGrade / positives.minClicks' : 'grading.rule: funnel, or fit a calibration';
    discards.push({ rule: `pairs with a kept click left out of the positives (${o.gradingRule} grading, positives stage)`, discarded: gradedOut, kept: gradedIn, harmful, option });
    if (harmful) warnings.push(`labels: pairs with a kept click that did not become positives are as relevant as the positives (${show(gradedOut)} vs ${show(gradedIn)}): ${option}.`);
  }

  const byGrade: Record<string, Rate> = {};
  for (const g of [1, 2, 3]) byGrade[`grade_${g}`] = rateWhere(clicked, (p) => p.positiveGrade === g);
  for (const g of [2, 3]) {
    const hi = byGrade[`grade_${g}`]!, lo = byGrade[`grade_${g - 1}`]!;
    if (enough(hi, lo) && hi.rate < lo.rate) {
      warnings.push(`labels: grade ${g} positives are less precise than grade ${g - 1} (${show(hi)} vs ${show(lo)}): the grades do not order relevance on this log; set export weights to one (grading.weight: one) or fit a calibration.`);
    }
  }

  const negatives: Record<string, Rate & { harmful: boolean }> = {};
  const sources = [...new Set(pairs.flatMap((p) => p.negativeSources))].sort();
  for (const s of sources) {
    const r = rateWhere(pairs, (p) => p.negativeSources.includes(s));
    const harmful = enough(r, base) && r.rate > base.rate;
    negatives[s] = { ...r, harmful };
    if (harmful) {
      const what = s === 'fill' ? 'the random fill (negatives.fill: none)' : `"${s}" (remove it from negatives.miners)`;
      warnings.push(`labels: negatives from ${s} are relevant more often than a random shown result (${show(r)} vs base rate ${show(base)}): drop ${what}, or fit a calibration, whose veto removes likely relevant candidates.`);
    }
  }

  return {
    unit: 'labelled (normalised query, document) pair shown in the log; relevant = mean label grade > 0',
    labelledPairs: shown.length,
    unshownPairs: pairs.length - shown.length,
    baseRate: base,
    rawClicks: raw,
    positives,
    positivesByGrade: byGrade,
    discards,
    exported: rateWhere(pairs, (p) => p.negativeSources.length > 0),
    negatives,
    unjudgedNegatives: o.unjudgedNegatives,
    warnings,
  };
}

/** Exported negative pairs without a label, per source ("fill" = the random fill). */
export function unjudgedNegatives(pairs: readonly { readonly query_norm: string; readonly doc_id: string }[], records: readonly { readonly query_norm: string; readonly negatives: readonly { readonly doc_id: string; readonly source: string; readonly filled?: boolean }[] }[]): Record<string, number> {
  const judged = new Set(pairs.map((p) => `${p.query_norm}\t${p.doc_id}`));
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const n of r.negatives) {
      if (judged.has(`${r.query_norm}\t${n.doc_id}`)) continue;
      const s = n.filled ? 'fill' : n.source;
      out[s] = (out[s] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.entries(out).sort());
}
