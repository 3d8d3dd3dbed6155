import type { StageStats } from '../../types.js';
import type { LeakageReport } from '../splits/audit.js';
import type { Rate } from './quality.js';
import { WEEK_MS, wilson, type ReportData } from './data.js';
import { reportOptions, type ReportOptions, type ReportOptionsInput } from './options.js';

/** `not_applicable`: the question is about click behaviour and the build has no click log. */
export type VerdictLevel = 'pass' | 'warn' | 'fail' | 'unknown' | 'not_applicable';
export type QuestionId = 'positives' | 'negatives' | 'falseNegatives' | 'balance' | 'leakage' | 'freshness';

/** The answer to one of the six questions. Every string is plain text: renderers escape it. */
export interface Verdict {
  readonly id: QuestionId;
  readonly question: string;
  readonly verdict: VerdictLevel;
  /** One sentence: why this verdict. */
  readonly summary: string;
  /** The figures behind it, one per line. */
  readonly evidence: readonly string[];
  /** What to change (the option to set, the data to add); empty when nothing needs to change. */
  readonly change: readonly string[];
}

export interface Checklist {
  readonly options: ReportOptions;
  readonly verdicts: readonly Verdict[];
}

/** The parts of a report the checklist reads (report.json's shape, so `clickforge report OUT` recomputes it). */
export interface ChecklistInput {
  readonly stages: readonly StageStats[];
  readonly sections: Readonly<Record<string, unknown>>;
}

export const QUESTIONS: Readonly<Record<QuestionId, string>> = {
  positives: 'Are positives useful, or merely clicked?',
  negatives: 'Are negatives hard enough?',
  falseNegatives: 'Were likely false negatives filtered?',
  balance: 'Are head and tail balanced?',
  leakage: 'Are the splits leakage-safe?',
  freshness: 'Does it reflect live behaviour?',
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmt = (n: number) => n.toLocaleString('en-US');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ci = (k: number, n: number) => {
  const [lo, hi] = wilson(k, n);
  return `[${pct(lo)}, ${pct(hi)}]`;
};

type Labels = { clickedPairs: Rate; positives: Rate; positivesByGrade: Record<string, Rate>; negatives: Rate; negativesBySource: Record<string, Rate> } | null;

function verdict(id: QuestionId, v: VerdictLevel, summary: string, evidence: string[], change: string[]): Verdict {
  return { id, question: QUESTIONS[id], verdict: v, summary, evidence, change: v === 'pass' ? [] : change };
}

const worst = (a: VerdictLevel, b: VerdictLevel): VerdictLevel => {
  const order: VerdictLevel[] = ['not_applicable', 'pass', 'unknown', 'warn', 'fail'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
};

export function positivesVerdict(d: ReportData, labels: Labels, o: ReportOptions['positives']): Verdict {
  const p = d.positives;
  if (p.pairs === 0) return verdict('positives', 'fail', 'The build kept no positive pair.', [], ['Check the funnel: every click was discarded or no clicked document is in the corpus.']);
  const strong = p.strong / p.pairs, single = p.singleClick / p.pairs;
  const kept = p.dwell.kept.reduce((a, b) => a + b, 0), disc = p.dwell.discarded.reduce((a, b) => a + b, 0);
  const ev = [
    `${fmt(p.pairs)} positive pairs; ${pct(strong)} carry a satisfaction signal (conversion, long dwell or successful last click), the rest a click alone (grade mix: ${Object.entries(p.byGrade).map(([g, n]) => `${g.replace('grade_', 'grade ')} ${fmt(n)}`).join(', ')}).`,
    `${pct(single)} of the positives rest on a single click.`,
    `Clicks of known dwell: ${fmt(kept)} kept as evidence, ${fmt(disc)} discarded (pogo-sticking, short dwell).`,
  ];
  let v: VerdictLevel = 'pass';
  let summary = `${pct(strong)} of the positives carry more than a click, and ${pct(single)} rest on a single click.`;
  const change: string[] = [];
  if (labels && labels.positives.judged > 0 && labels.clickedPairs.judged > 0) {
    const gain = (labels.positives.rate ?? 0) - (labels.clickedPairs.rate ?? 0);
    ev.unshift(`Against the labels: ${pct(labels.positives.rate ?? 0)} of the positives are relevant ${ci(labels.positives.relevant, labels.positives.judged)}, ${pct(labels.clickedPairs.rate ?? 0)} of all clicked pairs ${ci(labels.clickedPairs.relevant, labels.clickedPairs.judged)}: ${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)} points.`);
    for (const [g, r] of Object.entries(labels.positivesByGrade)) if (r.judged > 0) ev.push(`  ${g.replace('grade_', 'grade ')}: ${pct(r.rate ?? 0)} relevant ${ci(r.relevant, r.judged)} of ${fmt(r.judged)} judged.`);
    summary = `Positives are ${pct(labels.positives.rate ?? 0)} relevant against ${pct(labels.clickedPairs.rate ?? 0)} for raw clicks (labels).`;
    if (gain < o.minPrecisionGain) {
      v = 'fail';
      change.push(`The positives are no more precise than raw clicks: raise positives.minGrade, or build with a calibration fitted on these labels (clickforge calibrate, then build --calibration FILE).`);
    }
  } else if (kept > 0 && disc === 0) {
    v = 'fail';
    summary = `No click was discarded: every click of known dwell, pogo-sticks and short visits included, became evidence (raw clicks).`;
    change.push('Restore the evidence stage\'s dwell rules (evidence.shortDwellMs, the pogo-sticking rule; docs/stages/evidence.md), so that clicks the user came straight back from are not positives.');
  } else if (strong < o.minStrongShare) {
    v = 'fail';
    summary = `Only ${pct(strong)} of the positives carry more than a click (report.positives.minStrongShare ${pct(o.minStrongShare)}): this is close to raw clicks.`;
    change.push('Keep only clicks with evidence of satisfaction: raise positives.minGrade to 2, or restore the evidence stage\'s dwell rules (evidence.shortDwellMs, evidence.satisfiedDwellMs, evidence.mediumDwell: "drop").', 'Add conversion or session-success events to the log (input.events type conversion / session_end), or labels (--labels) to measure precision.');
  }
  if (single > o.maxSingleClickShare) {
    v = worst(v, 'warn');
    if (v === 'warn') summary = `${pct(single)} of the positives rest on a single click (report.positives.maxSingleClickShare ${pct(o.maxSingleClickShare)}).`;
    change.push('Require repeated evidence: set positives.minClicks to 2, or collect a longer log.');
  }
  if (!labels) ev.push('No labels: the precision of positives is not measured (pass --labels FILE to measure it).');
  return verdict('positives', v, summary, ev, change);
}

export function negativesVerdict(d: ReportData, o: ReportOptions['negatives']): Verdict {
  const n = d.negatives;
  const src = Object.entries(n.bySource);
  if (n.measured === 0 || src.length === 0) return verdict('negatives', 'unknown', 'No exported negative has a score to compare with its positive.', [`${fmt(n.records)} records.`], ['Check the negatives stage: negatives.miners and negatives.perRecord.']);
  const short = n.withoutHard / n.measured;
  const ref = n.bySource.random ?? n.bySource.fill;
  const ev = [
    `${pct(short)} of ${fmt(n.measured)} records have no hard negative (score >= ${n.hardAt} x the weakest positive's).`,
    ...(n.measured < n.records ? [`${fmt(n.records - n.measured)} of ${fmt(n.records)} records are not measured: their weakest positive scores 0 under the record scorer (it shares no word with the query; an embedder scores them).`] : []),
    ...src.map(([s, x]) => `${s}: ${fmt(x.n)} negatives, median hardness ${x.median.toFixed(2)}, mean ${x.mean.toFixed(2)}, ${pct(x.n ? x.hard / x.n : 0)} hard.`),
    ref ? `Random-document reference: median hardness ${ref.median.toFixed(2)}.` : 'No random-document reference (neither the random miner nor the fill ran).',
  ];
  const warnAt = o.maxShortShare / 2;
  const v: VerdictLevel = short > o.maxShortShare ? 'fail' : short > warnAt ? 'warn' : 'pass';
  const mined = src.filter(([s]) => s !== 'random' && s !== 'fill');
  return verdict('negatives', v,
    v === 'pass' ? `${pct(1 - short)} of the records have at least one hard negative.` : `${pct(short)} of the records have no hard negative (report.negatives.maxShortShare ${pct(o.maxShortShare)}${v === 'warn' ? `, warn above ${pct(warnAt)}` : ''}).`,
    ev,
    [
      ...(mined.length === 0 ? ['Only random negatives: add hard miners, negatives.miners: [behavioural, bm25] (and dense with an embedder).'] : []),
      'Widen the miners\' window (negatives.bm25.window / count) or add the dense miner with an embedder, so more records get a hard negative.',
    ]);
}

export function falseNegativesVerdict(stages: readonly StageStats[], labels: Labels, negatives: Record<string, unknown> | null, o: ReportOptions['falseNegatives']): Verdict {
  const filters = stages.filter((s) => s.stage.startsWith('false-negatives/'));
  const removed = (s: StageStats) => Object.values(s.dropped).reduce((a, b) => a + b, 0);
  const ev = filters.map((s) => `${s.stage.slice('false-negatives/'.length)}: removed ${fmt(removed(s))} of ${fmt(s.in.candidates ?? 0)} candidates (${Object.entries(s.dropped).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${fmt(c)}`).join(', ') || 'none'}).`);
  const ex = (negatives?.removedExamples ?? {}) as Record<string, { query: string; doc_id: string; reason: string }[]>;
  const exCount = Object.values(ex).reduce((a, l) => a + l.length, 0);
  if (exCount) ev.push(`${exCount} removed candidates are listed as examples below.`);
  const total = filters.reduce((a, s) => a + removed(s), 0);
  const warnAt = o.maxRate / 2;
  if (labels && labels.negatives.judged > 0) {
    const r = labels.negatives.rate ?? 0;
    ev.unshift(`Against the labels: ${pct(r)} of the exported negatives are relevant ${ci(labels.negatives.relevant, labels.negatives.judged)} (${fmt(labels.negatives.judged)} judged).`);
    for (const [s, x] of Object.entries(labels.negativesBySource)) if (x.judged > 0) ev.push(`  from ${s}: ${pct(x.rate ?? 0)} ${ci(x.relevant, x.judged)} of ${fmt(x.judged)} judged.`);
    const v: VerdictLevel = r > o.maxRate ? 'fail' : r > warnAt ? 'warn' : 'pass';
    return verdict('falseNegatives', v, `${pct(r)} of the exported negatives are labelled relevant (report.falseNegatives.maxRate ${pct(o.maxRate)}).`, ev,
      ['Turn on more false-negative filters (negatives.filters.*.enabled: positive-aware, near-duplicate, ambiguity with an embedder, a judge), or drop the miner with the highest rate from negatives.miners.']);
  }
  if (filters.length === 0) {
    return verdict('falseNegatives', 'fail', 'No false-negative filter ran: every mined candidate was exported.', ['negatives.filters: all disabled.'],
      ['Enable the click veto and the same-field and near-duplicate filters (negatives.filters.clickVeto.enabled, ...), the defaults.']);
  }
  return verdict('falseNegatives', total > 0 ? 'pass' : 'warn',
    total > 0 ? `${filters.length} filters removed ${fmt(total)} likely false negatives; without labels the rate that remains is not measured.` : `${filters.length} filters ran and removed nothing.`,
    [...ev, 'No labels: the residual false-negative rate is not measured (pass --labels FILE, or judge a sample, to measure it).'],
    ['Check that the filters see the evidence they need (click evidence, entities, an embedder for positive-aware / ambiguity).']);
}

export function balanceVerdict(d: ReportData, o: ReportOptions['balance']): Verdict {
  const b = d.balance;
  if (b.topQueries.of === 0) return verdict('balance', 'unknown', 'No training positives to measure.', [], ['Check the splits: no family went to train.']);
  const top = b.topQueries.pairs / b.topQueries.of;
  const buckets = (['train', 'dev', 'test'] as const).filter((s) => Object.values(b.records[s]).some((n) => n > 0))
    .map((s) => `${s}: ${(['head', 'torso', 'tail'] as const).map((k) => `${k} ${fmt(b.records[s][k])}`).join(', ')} records`);
  const ev = [
    `The top 1% of queries (${fmt(b.topQueries.queries)} by traffic) hold ${pct(top)} of the ${fmt(b.topQueries.of)} training positives.`,
    `Gini of document popularity among the training positives: ${b.gini.toFixed(2)} over ${fmt(b.docs)} documents.`,
    ...buckets,
  ];
  const warnAt = o.maxTopQueryShare / 2;
  let v: VerdictLevel = top > o.maxTopQueryShare ? 'fail' : top > warnAt ? 'warn' : 'pass';
  if (b.gini > o.maxGini) v = worst(v, 'warn');
  const heldOut = (['dev', 'test'] as const).filter((s) => Object.values(b.records[s]).some((n) => n > 0));
  const noTail = heldOut.filter((s) => b.records[s].tail === 0);
  if (noTail.length) {
    v = worst(v, 'warn');
    ev.push(`${noTail.join(' and ')} hold no tail query: the evaluation does not see the tail.`);
  }
  return verdict('balance', v,
    v === 'pass' ? `The top 1% of queries hold ${pct(top)} of the training positives; document popularity Gini ${b.gini.toFixed(2)}.` : `The top 1% of queries hold ${pct(top)} of the training positives (report.balance.maxTopQueryShare ${pct(o.maxTopQueryShare)}), Gini ${b.gini.toFixed(2)} (max ${o.maxGini}).`,
    ev,
    ['Cap head queries and popular documents: balance.headTail.maxHeadShare (e.g. 0.5) and balance.popularity.maxDocShare (e.g. 0.01).', ...(noTail.length ? ['Hold out tail families too: splits.minPerStratum.'] : [])]);
}

export function leakageVerdict(k: LeakageReport | null, splits: { mode?: string } | null, o: ReportOptions['leakage'], links?: ReportData['sessionLinks']): Verdict {
  if (!k) return verdict('leakage', 'unknown', 'The build has no leakage audit.', [], ['Rebuild with this version of clickforge.']);
  const ev = [
    `Split mode: ${splits?.mode ?? 'unknown'}; ${fmt(k.trainQueries)} train and ${fmt(k.testQueries)} test queries.`,
    `Query families in both train and test: ${fmt(k.sharedFamilies.count)} (must be 0).`,
    `Test queries with a near-duplicate training query of another family (trigram Jaccard >= ${k.nearDuplicates.threshold}): ${fmt(k.nearDuplicates.count)} (${pct(k.nearDuplicates.share)}).`,
    `Documents positive in both train and test: ${fmt(k.sharedPositives.count)}, affecting ${fmt(k.sharedPositives.testQueriesAffected)} test queries.`,
    `Time order: ${k.timestamps.cutoff === null ? 'no cutoff (hashed split)' : `cutoff ${day(k.timestamps.cutoff)}`}; training records with evidence after it: ${fmt(k.timestamps.trainRecordsAfterCutoff)} (must be 0).`,
  ];
  if (k.testQueries === 0) return verdict('leakage', 'unknown', 'The build writes no test split, so there is nothing to leak into (evaluate on a held-out set of your own, split by query family).', ev, ['Set splits.fractions with a test share (e.g. train 0.8, dev 0.1, test 0.1) to get a family-level test split.']);
  const crossing = links && links.heldOut > 0 ? links.crossing / links.heldOut : 0;
  if (links) ev.push(`In-session reformulations touching dev or test: ${fmt(links.heldOut)}; with their two queries on different sides of the split: ${fmt(links.crossing)} (${pct(crossing)}).`);
  let v: VerdictLevel = 'pass';
  const change: string[] = [];
  if (k.sharedFamilies.count > 0 || k.timestamps.trainRecordsAfterCutoff > 0) {
    v = 'fail';
    change.push('Split by query family (the default families + splits stages), never by row; in chronological mode keep splits.unknownTimestamps: refuse.');
  }
  if (crossing > o.maxCrossingShare) {
    v = 'fail';
    change.push(`${pct(crossing)} of the reformulations that touch dev or test cross the split (report.leakage.maxCrossingShare ${pct(o.maxCrossingShare)}): the split separates queries, not intents. Turn the family rules back on (families.*.enabled) and split by family.`);
  }
  if (k.nearDuplicates.share > o.maxNearDuplicateShare) {
    v = worst(v, 'warn');
    change.push('Near-duplicate queries straddle the split: lower families.nearDuplicate.threshold so they join one family.');
  }
  const summary = v === 'pass'
    ? `No family is shared, ${pct(crossing)} of the reformulations into dev/test cross the split, ${pct(k.nearDuplicates.share)} of the test queries have a near-duplicate training query.`
    : `${fmt(k.sharedFamilies.count)} shared families, ${pct(crossing)} of the reformulations into dev/test cross the split, ${pct(k.nearDuplicates.share)} near-duplicates, ${fmt(k.timestamps.trainRecordsAfterCutoff)} training records after the cutoff.`;
  return verdict('leakage', v, summary, ev, change);
}

/** Share of kept clicks older than maxAgeDays (or before productChange), at week resolution. */
export function staleShare(t: ReportData['time'], o: ReportOptions['freshness']): { share: number; stale: number; total: number; since: number | null } {
  if (t.last === null) return { share: 0, stale: 0, total: 0, since: null };
  let since = t.last - o.maxAgeDays * 86_400_000;
  if (o.productChange !== null) since = Math.max(since, Date.parse(o.productChange));
  let stale = 0, total = 0;
  t.evidenceByWeek.forEach((n, w) => {
    total += n;
    // week w covers (last - (w+1) week, last - w week]: stale when its midpoint is before `since`
    if (t.last! - (w + 0.5) * WEEK_MS < since) stale += n;
  });
  return { share: total ? stale / total : 0, stale, total, since };
}

export function freshnessVerdict(t: ReportData['time'], byAge: Record<string, number> | null, o: ReportOptions['freshness']): Verdict {
  if (t.first === null || t.last === null) return verdict('freshness', 'unknown', 'The log has no timestamps.', [], ['Give every result page a timestamp (ts).']);
  const s = staleShare(t, o);
  const ev = [
    `The log spans ${day(t.first)} to ${day(t.last)} (${fmt(Math.round((t.last - t.first) / 86_400_000))} days).`,
    `${pct(s.share)} of the ${fmt(s.total)} kept clicks are from before ${day(s.since!)} (${o.productChange !== null ? `the later of ${o.maxAgeDays} days before the newest page and the product change ${o.productChange}` : `${o.maxAgeDays} days before the newest page`}).`,
  ];
  if (byAge) ev.push(`Positives by document age at the time of the evidence: ${Object.entries(byAge).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}.`);
  const dr = t.drift;
  if (dr) ev.push(`Query drift, oldest vs newest third of the log: Jensen-Shannon ${dr.oldestVsNewest.toFixed(3)} bits, two random thirds ${dr.baseline.toFixed(3)}: excess ${dr.excess.toFixed(3)} (report.freshness.maxDrift ${o.maxDrift}).`);
  const warnAt = o.maxStaleShare / 2;
  let v: VerdictLevel = s.share > o.maxStaleShare ? 'fail' : s.share > warnAt ? 'warn' : 'pass';
  const change: string[] = [];
  if (v !== 'pass') change.push(`Use recent evidence only: cut the log to the last ${o.maxAgeDays} days${o.productChange ? ` or since ${o.productChange}` : ''} before building (or refresh the log), so the model learns today's search.`);
  if (dr && dr.excess > o.maxDrift) {
    v = worst(v, 'warn');
    change.push('The queries of the newest part differ from the oldest part: evaluate on the newest part (splits.mode: chronological) and weigh recent evidence.');
  }
  return verdict('freshness', v,
    v === 'pass' ? `${pct(s.share)} of the evidence is stale and the query mix is stable (drift excess ${dr ? dr.excess.toFixed(3) : '—'}).` : `${pct(s.share)} of the evidence is stale (report.freshness.maxStaleShare ${pct(o.maxStaleShare)})${dr && dr.excess > o.maxDrift ? `, and the query mix drifted (excess ${dr.excess.toFixed(3)} bits)` : ''}.`,
    ev, change);
}

/** The questions that ask about click behaviour: without a click log they are not applicable (not passed, not failed). */
const CLICK_QUESTIONS: Readonly<Record<QuestionId, string | null>> = {
  positives: 'The positives come from synthetic queries and expert seeds, not clicks: there is no click behaviour (dwell, conversions) to tell useful from merely clicked.',
  negatives: null,
  falseNegatives: null,
  balance: 'Head and tail are defined by traffic, and a build without a click log has none: every source query counts once.',
  leakage: null,
  freshness: 'There is no live behaviour to reflect: the build has no click log and so no timestamps.',
};

function notApplicable(id: QuestionId): Verdict {
  return verdict(id, 'not_applicable', 'not applicable: no click log', [CLICK_QUESTIONS[id] ?? ''], []);
}

/** The six verdicts of a report (report.json's `sections`); options default as in the config. */
export function checklist(r: ChecklistInput, options: ReportOptions | ReportOptionsInput = {}): Checklist {
  const o = reportOptions.parse(options);
  const d = r.sections.reportData as ReportData | undefined;
  const labels = (r.sections.labels ?? null) as Labels;
  const unknown = (id: QuestionId): Verdict => verdict(id, 'unknown', 'This report.json has no report data (built by an older clickforge): rebuild to answer it.', [], []);
  const noClickLog = (r.sections.clickLog as { present?: boolean } | undefined)?.present === false;
  const verdicts: Verdict[] = d
    ? noClickLog ? clickVerdicts(d, r, labels, o).map((v) => (CLICK_QUESTIONS[v.id] ? notApplicable(v.id) : v)) : clickVerdicts(d, r, labels, o)
    : (Object.keys(QUESTIONS) as QuestionId[]).map(unknown);
  return { options: o, verdicts };
}

/** The six verdicts as a build with a click log answers them. */
function clickVerdicts(d: ReportData, r: ChecklistInput, labels: Labels, o: ReportOptions): Verdict[] {
  const balance = r.sections.balance as { positivesByAge?: { byAge?: Record<string, number> } } | undefined;
  return [
    positivesVerdict(d, labels, o.positives),
    negativesVerdict(d, o.negatives),
    falseNegativesVerdict(r.stages, labels, (r.sections.negatives ?? null) as Record<string, unknown> | null, o.falseNegatives),
    balanceVerdict(d, o.balance),
    leakageVerdict((r.sections.leakage ?? null) as LeakageReport | null, (r.sections.splits ?? null) as { mode?: string } | null, o.leakage, d.sessionLinks),
    freshnessVerdict(d.time, balance?.positivesByAge?.byAge ?? null, o.freshness),
  ];
}
