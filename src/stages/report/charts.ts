import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { DWELL_BINS_S, HARDNESS_BINS, WEEK_MS, type ReportData } from './data.js';
import type { Checklist } from './checklist.js';
import { staleShare } from './checklist.js';
import type { LeakageReport } from '../splits/audit.js';
import type { Report } from './report.js';

/** One chart of report.html: an id (data-chart in the page), a caption and a vega-lite spec rendered to SVG in Node. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const W = 420, H = 180;
const COLORS = { kept: '#2b7a3d', discarded: '#b8412c', neutral: '#4a6fa5', muted: '#9aa5b1' };
const base = { width: W, height: H, config: { font: 'system-ui, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 }, legend: { labelFontSize: 11, titleFontSize: 11 } }, background: 'white' } as const;

/** Render a vega-lite spec to an SVG string (no DOM, no network: data is inline). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const bar = (values: object[], x: string, y: string, o: { xTitle: string; yTitle: string; color?: string; colorField?: string; sort?: boolean; format?: string }): TopLevelSpec => ({
  ...base,
  data: { values },
  mark: { type: 'bar', tooltip: true },
  encoding: {
    y: { field: y, type: 'nominal', title: o.yTitle, sort: o.sort === false ? null : '-x', axis: { labelLimit: 320 } },
    x: { field: x, type: 'quantitative', title: o.xTitle, ...(o.format ? { axis: { format: o.format } } : {}) },
    ...(o.colorField ? { color: { field: o.colorField, type: 'nominal', scale: { domain: ['kept', 'discarded'], range: [COLORS.kept, COLORS.discarded] }, title: null } } : { color: { value: o.color ?? COLORS.neutral } }),
  },
} as TopLevelSpec);

/** The charts of a report, from report.json's data (sections that are missing give no chart). */
export function chartSpecs(r: Report, c: Checklist | undefined): ChartSpec[] {
  const out: ChartSpec[] = [];
  const d = r.sections.reportData as ReportData | undefined;
  out.push({ id: 'funnel', title: 'Funnel', caption: 'From input rows to positive pairs: what each step keeps.', spec: bar(r.funnel.map((f, i) => ({ step: `${i + 1}. ${f.step}`, count: f.count })), 'count', 'step', { xTitle: 'count', yTitle: null as never, sort: false }) });
  if (r.clickOutcomes.length) {
    out.push({ id: 'click-outcomes', title: 'Raw clicks by outcome', caption: 'Every raw click lands in one outcome; red ones are discarded (the discard rate by reason).',
      spec: bar(r.clickOutcomes.map((o) => ({ outcome: o.outcome, share: o.share, used: o.kept ? 'kept' : 'discarded' })), 'share', 'outcome', { xTitle: 'share of raw clicks', yTitle: null as never, colorField: 'used', format: '.0%' }) });
  }
  if (d?.ctrByRank.length) {
    const rows = d.ctrByRank.map((x) => ({ rank: x.rank, ctr: x.ctr, lower: x.lower, upper: x.upper }));
    out.push({ id: 'ctr-by-rank', title: 'Click-through by rank', caption: 'Clicked share of the impressions at each rank, with 95% Wilson intervals.',
      spec: { ...base, data: { values: rows }, encoding: { x: { field: 'rank', type: 'ordinal', title: 'rank' } }, layer: [
        { mark: { type: 'rule', color: COLORS.muted }, encoding: { y: { field: 'lower', type: 'quantitative', title: 'click-through rate', axis: { format: '.0%' } }, y2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, color: COLORS.neutral, tooltip: true }, encoding: { y: { field: 'ctr', type: 'quantitative' } } },
      ] } as TopLevelSpec });
  }
  const bias = r.sections.bias as { curve?: number[]; ci?: { lower: number[]; upper: number[] } | null; identified?: boolean; identification?: { clickOnly?: boolean } } | undefined;
  if (bias?.curve?.length) {
    const rows = bias.curve.map((v, i) => ({ rank: i + 1, examination: v, lower: bias.ci?.lower[i] ?? v, upper: bias.ci?.upper[i] ?? v }));
    out.push({ id: 'examination', title: 'Estimated examination by rank', caption: `Relative examination probability (rank 1 = 1) from the bias stage, with its 95% bootstrap interval${bias.identified === false ? '. Not identified on this log: read it as a fitted value, not an estimate' : ''}.`,
      spec: { ...base, data: { values: rows }, encoding: { x: { field: 'rank', type: 'ordinal', title: 'rank' } }, layer: [
        { mark: { type: 'area', color: COLORS.neutral, opacity: 0.2 }, encoding: { y: { field: 'lower', type: 'quantitative', title: 'examination (rank 1 = 1)', scale: { domain: [0, 1.05] } }, y2: { field: 'upper' } } },
        { mark: { type: 'line', color: COLORS.neutral, point: true, tooltip: true }, encoding: { y: { field: 'examination', type: 'quantitative' } } },
      ] } as TopLevelSpec });
  }
  if (!d) return out;
  const labels = DWELL_BINS_S.map((s, i) => (i === DWELL_BINS_S.length - 1 ? `≥ ${s} s` : `${s}–${DWELL_BINS_S[i + 1]} s`));
  const dwell = [...d.positives.dwell.kept.map((n, i) => ({ dwell: labels[i], i, clicks: n, used: 'kept' })), ...d.positives.dwell.discarded.map((n, i) => ({ dwell: labels[i], i, clicks: n, used: 'discarded' }))];
  out.push({ id: 'dwell', title: 'Dwell of kept and discarded clicks', caption: 'Clicks by dwell time: the clicks kept as evidence against the discarded ones (pogo-sticking, short dwell).', spec: {
    ...base, data: { values: dwell }, mark: { type: 'bar', tooltip: true },
    encoding: { x: { field: 'dwell', type: 'ordinal', sort: { field: 'i' }, title: 'dwell', axis: { labelAngle: -30 } }, y: { field: 'clicks', type: 'quantitative', title: 'clicks' }, xOffset: { field: 'used' }, color: { field: 'used', type: 'nominal', scale: { domain: ['kept', 'discarded'], range: [COLORS.kept, COLORS.discarded] }, title: null } },
  } as TopLevelSpec });
  const sig = Object.entries(d.positives.bySignal).map(([s, n]) => ({ signal: s, share: n / Math.max(1, d.positives.pairs) }));
  if (sig.length) out.push({ id: 'signals', title: 'Signals behind the positives', caption: 'Share of the positive pairs whose evidence includes each signal (a pair can have several).', spec: bar(sig, 'share', 'signal', { xTitle: 'share of positives', yTitle: null as never, format: '.0%' }) });
  const hard: object[] = [];
  for (const [src, x] of Object.entries(d.negatives.bySource)) x.histogram.forEach((n, i) => hard.push({ source: src, hardness: i / 10 + 0.05, share: n / Math.max(1, x.n) }));
  if (hard.length) out.push({ id: 'hardness', title: 'Hardness of the negatives, per miner', caption: `Score of each negative relative to the weakest positive of its query (1 = as close as that positive; the last bin holds everything ≥ ${(HARDNESS_BINS - 1) / 10}). The dashed line is the "hard" threshold (report.negatives.hardAt); "fill" and "random" are random documents: the reference.`, spec: {
    ...base, layer: [
      { data: { values: hard }, mark: { type: 'line', interpolate: 'step', tooltip: true }, encoding: { x: { field: 'hardness', type: 'quantitative', title: 'negative score / weakest positive score', scale: { domain: [0, 2.1] } }, y: { field: 'share', type: 'quantitative', title: 'share of the miner\'s negatives', axis: { format: '.0%' } }, color: { field: 'source', type: 'nominal', title: 'miner' } } },
      { data: { values: [{ x: d.negatives.hardAt }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  } as TopLevelSpec });
  const removed = r.stages.filter((s) => s.stage.startsWith('false-negatives/')).map((s) => ({ filter: s.stage.slice('false-negatives/'.length), removed: Object.values(s.dropped).reduce((a, b) => a + b, 0) }));
  if (removed.length) out.push({ id: 'removals', title: 'Candidates removed per filter', caption: 'Mined candidates each false-negative filter removed as likely relevant (filters run in this order).', spec: bar(removed, 'removed', 'filter', { xTitle: 'candidates removed', yTitle: null as never, sort: false }) });
  const split: object[] = [];
  for (const [s, b] of Object.entries(d.balance.records)) for (const [k, n] of Object.entries(b)) if (Object.values(b).some((x) => x > 0)) split.push({ split: s, bucket: k, records: n, order: ['head', 'torso', 'tail'].indexOf(k) });
  out.push({ id: 'buckets', title: 'Query frequency buckets per split', caption: 'Records of head, torso and tail queries (by traffic) in each split.', spec: {
    ...base, height: 90, data: { values: split }, mark: { type: 'bar', tooltip: true },
    encoding: { y: { field: 'split', type: 'nominal', title: null, sort: ['train', 'dev', 'test'] }, x: { field: 'records', type: 'quantitative', stack: 'normalize', title: 'share of the split\'s records', axis: { format: '.0%' } }, color: { field: 'bucket', type: 'nominal', sort: ['head', 'torso', 'tail'], scale: { domain: ['head', 'torso', 'tail'], range: ['#1f4e79', '#4a8cc7', '#a9cbe8'] }, title: null }, order: { field: 'order' } },
  } as TopLevelSpec });
  out.push({ id: 'lorenz', title: 'Lorenz curve of document popularity among positives', caption: `Share of the training positives held by the least popular documents; the diagonal is a perfectly even spread (Gini ${d.balance.gini.toFixed(2)}).`, spec: {
    ...base, width: 260, height: 260, layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', color: COLORS.muted, strokeDash: [4, 3] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      { data: { values: d.balance.lorenz.map(([x, y]) => ({ x, y })) }, mark: { type: 'line', color: COLORS.neutral, tooltip: true }, encoding: { x: { field: 'x', type: 'quantitative', title: 'share of documents', axis: { format: '.0%' } }, y: { field: 'y', type: 'quantitative', title: 'share of positives', axis: { format: '.0%' } } } },
    ],
  } as TopLevelSpec });
  const k = r.sections.leakage as LeakageReport | null | undefined;
  if (k) {
    const rows = [
      { check: 'families in train and test', count: k.sharedFamilies.count },
      { check: 'test queries sharing a positive', count: k.sharedPositives.testQueriesAffected },
      { check: 'test queries with a near-duplicate', count: k.nearDuplicates.count },
      { check: 'train records after the cutoff', count: k.timestamps.trainRecordsAfterCutoff },
    ];
    out.push({ id: 'leakage', title: 'Leakage audit', caption: `What crosses the train/test boundary (${k.testQueries.toLocaleString('en-US')} test queries). Families and records after the cutoff must be 0.`, spec: { ...bar(rows, 'count', 'check', { xTitle: 'count', yTitle: null as never, sort: false }), height: 110 } as TopLevelSpec });
  }
  const t = d.time;
  if (t.last !== null && t.evidenceByWeek.length) {
    const o = c?.options.freshness;
    const since = o ? staleShare(t, o).since : null;
    const rows = t.evidenceByWeek.map((n, w) => ({ week: new Date(t.last! - (w + 1) * WEEK_MS).toISOString().slice(0, 10), clicks: n, pages: t.pagesByWeek[w] ?? 0 }));
    out.push({ id: 'evidence-age', title: 'Evidence over time', caption: `Kept clicks per week${since !== null ? '; the dashed line is the staleness cutoff (report.freshness.maxAgeDays, productChange)' : ''}.`, spec: {
      ...base, width: 520, layer: [
        { data: { values: rows }, mark: { type: 'area', color: COLORS.neutral, opacity: 0.6, interpolate: 'step-after', tooltip: true }, encoding: { x: { field: 'week', type: 'temporal', title: 'week' }, y: { field: 'clicks', type: 'quantitative', title: 'kept clicks per week' } } },
        ...(since !== null && since > t.last - t.evidenceByWeek.length * WEEK_MS ? [{ data: { values: [{ x: new Date(since).toISOString().slice(0, 10) }] }, mark: { type: 'rule', strokeDash: [4, 3], color: COLORS.discarded }, encoding: { x: { field: 'x', type: 'temporal' } } }] : []),
      ],
    } as TopLevelSpec });
  }
  const age = (r.sections.balance as { positivesByAge?: { byAge?: Record<string, number> } } | undefined)?.positivesByAge?.byAge;
  if (age && Object.values(age).some((n) => n > 0)) out.push({ id: 'doc-age', title: 'Positives by document age', caption: 'Age of the positive document when its evidence was gathered (from published_at).', spec: bar(Object.entries(age).map(([a, n]) => ({ age: a, positives: n })), 'positives', 'age', { xTitle: 'positive pairs', yTitle: null as never, sort: false }) });
  return out;
}

/** Which charts illustrate which question (the rest are in the overview). */
export const CHARTS_OF: Readonly<Record<string, readonly string[]>> = {
  positives: ['signals', 'dwell'],
  negatives: ['hardness'],
  falseNegatives: ['removals'],
  balance: ['buckets', 'lorenz'],
  leakage: ['leakage'],
  freshness: ['evidence-age', 'doc-age'],
};
