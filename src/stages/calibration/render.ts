/** report.md (and `clickforge calibrate`) tables of the calibration and do-no-harm sections. */
import type { Rate } from '../../util/intervals.js';
import type { DoNoHarmSection } from './harm.js';

type R = { n: number; relevant: number; rate: number | null; lo: number | null; hi: number | null } | Rate;
const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));
const cell = (r: R | undefined) => (r ? `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}]` : '—');
const n = (r: R | undefined) => (r ? r.n.toLocaleString('en-US') : '—');
const ci = (c: unknown) => (Array.isArray(c) ? `[${f3(c[0] as number)}, ${f3(c[1] as number)}]` : '—');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The held-out table of a fitted calibration (the section or calibration.json itself). */
export function calibrationMarkdown(sec: Record<string, unknown>): string | undefined {
  const h = sec.heldOut as Record<string, unknown> | undefined;
  const labels = sec.labels as { pairs: number; relevant: number; clicked: number; families: number; folds: number; unshown: number } | undefined;
  if (!h || !labels) return undefined;
  const pos = h.positives as Record<string, R & { relevantKept?: number }> & { relevantClicked: number; gainVsRaw: { diff: number; ci: unknown }; gainVsDefaults: { diff: number; ci: unknown } };
  const neg = h.negatives as Record<string, unknown>;
  const bySource = (neg.exportedBySource ?? {}) as Record<string, R>;
  const signals = (h.singleSignals ?? []) as { name: string; description: string; precision: R; calibratedAtSameCoverage: R }[];
  const best = h.bestSignal as { signal: string; diff: number; ci: unknown } | null;
  const auc = h.auc as { calibrated: number | null; ci: unknown; unclicked: number | null; unclickedCi: unknown };
  const kept = (r: R & { relevantKept?: number }) => `${r.relevantKept ?? '—'} of ${pos.relevantClicked}`;
  const out = [
    `Fitted on ${labels.pairs.toLocaleString('en-US')} labelled pairs shown in the log (${labels.relevant} relevant, ${labels.clicked} clicked) from ${labels.families} query families; ${labels.unshown} labelled pairs were never shown. Every figure below is held out: each pair is predicted by a model fitted without its query family (${labels.folds} folds). Intervals: Wilson 95% for rates, a bootstrap over families for gains.`,
    '',
    '**Positives** (share of pairs that are relevant):',
    '',
    table(['rule', 'precision [95% CI]', 'pairs', 'relevant clicked pairs kept'], [
      ['raw clicks (every clicked pair)', cell(pos.raw), n(pos.raw), kept(pos.raw!)],
      ['this build\'s positives', cell(pos.defaults), n(pos.defaults), kept(pos.defaults!)],
      ['calibrated (probability >= grade-1 threshold)', cell(pos.calibrated), n(pos.calibrated), kept(pos.calibrated!)],
    ]),
    '',
    `Calibrated minus raw clicks: ${signed(pos.gainVsRaw.diff)} ${ci(pos.gainVsRaw.ci)}; minus this build's positives: ${signed(pos.gainVsDefaults.diff)} ${ci(pos.gainVsDefaults.ci)}. Held-out AUC of the estimate: ${f3(auc.calibrated)} ${ci(auc.ci)} among clicked pairs, ${f3(auc.unclicked)} ${ci(auc.unclickedCi)} among shown unclicked pairs.`,
    '',
    '**Single signals** among clicked pairs, next to the calibrated rule keeping as many pairs:',
    '',
    table(['signal', 'precision', 'pairs', 'calibrated at the same count'], signals.map((s) => [s.description, cell(s.precision), n(s.precision), cell(s.calibratedAtSameCoverage)])),
    '',
    best ? `Best single signal (at least ${String(h.minCoverage)} pairs): ${signals.find((s) => s.name === best.signal)?.description ?? best.signal}; calibrated minus it at the same count: ${signed(best.diff)} ${ci(best.ci)}.` : 'No single signal covers enough pairs for a comparison.',
    '',
    '**Negatives** (false-negative rate: share of pairs that are relevant):',
    '',
    table(['source', 'FN rate [95% CI]', 'pairs'], [
      ['a random shown result (base rate)', cell(neg.baseRate as R), n(neg.baseRate as R)],
      ['shown, never clicked', cell(neg.shownNeverClicked as R), n(neg.shownNeverClicked as R)],
      ['skipped above a click, never clicked', cell(neg.skippedAboveNeverClicked as R), n(neg.skippedAboveNeverClicked as R)],
      ['shown, never clicked, below the calibrated veto', cell(neg.calibratedShownNeverClicked as R), n(neg.calibratedShownNeverClicked as R)],
      ['this build\'s exported negatives', cell(neg.exported as R), n(neg.exported as R)],
      ...Object.entries(bySource).map(([s, r]) => [`  from ${s}`, cell(r), n(r)]),
      [`this build's exported negatives after the calibrated veto (${String(neg.exportedVetoed)} vetoed)`, cell(neg.exportedAfterVeto as R), n(neg.exportedAfterVeto as R)],
    ]),
  ];
  const negs = sec.negatives as { vetoAbove: number | null; note?: string; drop: string[] } | undefined;
  const grades = sec.grades as { thresholds: number[]; note?: string } | undefined;
  if (grades) out.push('', `Grades: estimated probability >= ${grades.thresholds.map((t) => f3(t)).join(' / ')} for grade 1 / 2 / 3.${grades.note ? ` Note: ${grades.note}.` : ''}`);
  if (negs) out.push('', `${negs.vetoAbove === null ? `Veto: none${negs.note ? ` (${negs.note})` : ''}.` : `Veto: a candidate with estimated probability of relevance >= ${f3(negs.vetoAbove)} is not a negative.`} Miners dropped by the calibration (false-negative rate above the base rate): ${negs.drop.length ? negs.drop.join(', ') : 'none'}.`);
  return out.join('\n');
}

/** The do-no-harm checks. */
export function doNoHarmMarkdown(sec: DoNoHarmSection): string {
  const rows: string[][] = [
    ['a random shown result (base rate)', cell(sec.baseRate), n(sec.baseRate)],
    ['raw clicks (every clicked pair)', cell(sec.rawClicks), n(sec.rawClicks)],
    ['positives', cell(sec.positives), n(sec.positives)],
    ...Object.entries(sec.positivesByGrade).map(([g, r]) => [`  ${g.replace('_', ' ')}`, cell(r), n(r)]),
  ];
  const parts = [
    `Unit: ${sec.unit}. ${sec.labelledPairs.toLocaleString('en-US')} labelled pairs shown, ${sec.unshownPairs.toLocaleString('en-US')} never shown.`,
    '',
    table(['set', 'relevant share [95% CI]', 'pairs'], rows),
    '',
    'Discard rules: what each rule discards against what it keeps.',
    '',
    table(['rule', 'discarded: relevant', 'kept: relevant', 'harm', 'what to set'], sec.discards.map((d) => [d.rule, `${cell(d.discarded)} of ${n(d.discarded)}`, `${cell(d.kept)} of ${n(d.kept)}`, d.harmful ? '**yes**' : 'no', d.option])),
    '',
    `Exported negatives per source (judged pairs; relevant = false negative). All sources: ${cell(sec.exported)} of ${n(sec.exported)}.`,
    '',
    table(['source', 'FN rate [95% CI]', 'judged', 'not judged', 'harm (above the base rate)'], [...new Set([...Object.keys(sec.negatives), ...Object.keys(sec.unjudgedNegatives)])].sort().map((s) => {
      const r = sec.negatives[s];
      return [s, r ? cell(r) : '—', r ? n(r) : '0', (sec.unjudgedNegatives[s] ?? 0).toLocaleString('en-US'), r?.harmful ? '**yes**' : 'no'];
    })),
  ];
  return parts.join('\n');
}
