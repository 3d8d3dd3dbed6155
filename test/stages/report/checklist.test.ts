import { describe, expect, it } from 'vitest';
import { balanceVerdict, checklist, falseNegativesVerdict, freshnessVerdict, leakageVerdict, negativesVerdict, positivesVerdict, staleShare } from '../../../src/stages/report/checklist.js';
import { jsDivergence, lorenz, wilson, WEEK_MS, type ReportData } from '../../../src/stages/report/data.js';
import { reportOptions } from '../../../src/stages/report/options.js';
import type { LeakageReport } from '../../../src/stages/splits/audit.js';
import type { StageStats } from '../../../src/types.js';

const O = reportOptions.parse({});
const DAY = 86_400_000;
const LAST = Date.UTC(2024, 11, 31);

/** Report data of a healthy build (figures close to the default simulated world); each test breaks one part. */
function data(over: { positives?: Partial<ReportData['positives']>; negatives?: Partial<ReportData['negatives']>; balance?: Partial<ReportData['balance']>; time?: Partial<ReportData['time']> } = {}): ReportData {
  return {
    positives: { pairs: 1000, byGrade: { grade_1: 400, grade_2: 300, grade_3: 300 }, bySignal: { satisfied: 600, converted: 300 }, strong: 870, singleClick: 500, dwell: { kept: [1, 2, 30, 40, 50, 40, 20, 5, 1], discarded: [20, 30, 0, 0, 0, 0, 0, 0, 0], unknownKept: 0, unknownDiscarded: 0 }, ...over.positives },
    negatives: { records: 500, measured: 400, withoutHard: 40, hardAt: 0.5, bySource: { bm25: { n: 800, mean: 1.1, median: 1, hard: 720, histogram: new Array(21).fill(0) }, fill: { n: 200, mean: 0.04, median: 0, hard: 2, histogram: new Array(21).fill(0) } }, ...over.negatives },
    balance: { records: { train: { head: 50, torso: 300, tail: 150 }, dev: { head: 5, torso: 30, tail: 15 }, test: { head: 5, torso: 30, tail: 15 } }, topQueries: { queries: 10, pairs: 40, of: 1000 }, lorenz: [[0, 0], [1, 1]], gini: 0.38, docs: 300, ...over.balance },
    time: { first: LAST - 364 * DAY, last: LAST, evidenceByWeek: new Array(52).fill(100), pagesByWeek: new Array(52).fill(150), drift: { oldestVsNewest: 0.25, baseline: 0.25, excess: 0, rising: [], falling: [] }, ...over.time },
    ctrByRank: [],
    sessionLinks: { heldOut: 200, crossing: 4 },
  };
}

const leak = (over: Partial<LeakageReport> = {}): LeakageReport => ({
  kind: 'LeakageReport', ok: true, trainQueries: 800, testQueries: 100,
  sharedFamilies: { count: 0, examples: [] }, nearest: [],
  nearDuplicates: { threshold: 0.7, count: 2, share: 0.02, examples: [] },
  sharedPositives: { count: 5, testQueriesAffected: 5, examples: [] },
  timestamps: { cutoff: null, trainRecordsAfterCutoff: 0, trainRecordsUnknownTime: 0, testRecordsBeforeCutoff: 0 },
  ...over,
});

const rate = (relevant: number, judged: number) => ({ judged, relevant, rate: judged ? relevant / judged : null });
const filterStage = (name: string, removed: number): StageStats => ({ stage: `false-negatives/${name}`, in: { candidates: 1000 }, out: { kept: 1000 - removed }, dropped: { x: removed } });

describe('question 1: are positives useful, or merely clicked?', () => {
  it('passes with satisfaction signals behind most positives, fails on raw clicks', () => {
    expect(positivesVerdict(data(), null, O.positives).verdict).toBe('pass');
    const raw = positivesVerdict(data({ positives: { strong: 300 } }), null, O.positives);
    expect(raw.verdict).toBe('fail');
    expect(raw.change.join(' ')).toContain('positives.minGrade');
  });
  it('warns when most positives rest on one click', () => {
    expect(positivesVerdict(data({ positives: { singleClick: 800 } }), null, O.positives).verdict).toBe('warn');
  });
  it('with labels: passes when positives beat raw clicks, fails when they do not', () => {
    const labels = (pos: number, clicked: number) => ({ clickedPairs: rate(clicked, 1000), positives: rate(pos, 1000), positivesByGrade: { grade_1: rate(pos, 1000) }, negatives: rate(0, 0), negativesBySource: {} });
    const good = positivesVerdict(data(), labels(700, 600), O.positives);
    expect(good.verdict).toBe('pass');
    expect(good.evidence[0]).toMatch(/70\.0% of the positives are relevant \[/);
    expect(positivesVerdict(data(), labels(605, 600), O.positives).verdict).toBe('fail');
  });
});

describe('question 2: are negatives hard enough?', () => {
  it('passes when most records have a hard negative, fails with random negatives only', () => {
    expect(negativesVerdict(data(), O.negatives).verdict).toBe('pass');
    const random = negativesVerdict(data({ negatives: { withoutHard: 390, bySource: { random: { n: 2000, mean: 0.04, median: 0, hard: 10, histogram: [] } } } }), O.negatives);
    expect(random.verdict).toBe('fail');
    expect(random.change.join(' ')).toContain('negatives.miners');
    expect(negativesVerdict(data({ negatives: { withoutHard: 120 } }), O.negatives).verdict).toBe('warn');
  });
  it('is unknown when no record can be measured', () => {
    expect(negativesVerdict(data({ negatives: { measured: 0, withoutHard: 0 } }), O.negatives).verdict).toBe('unknown');
  });
});

describe('question 3: were likely false negatives filtered?', () => {
  it('passes when filters removed candidates, fails when none ran', () => {
    expect(falseNegativesVerdict([filterStage('click-veto', 100)], null, null, O.falseNegatives).verdict).toBe('pass');
    expect(falseNegativesVerdict([], null, null, O.falseNegatives).verdict).toBe('fail');
  });
  it('with labels: the residual rate decides, with an interval', () => {
    const labels = (rel: number) => ({ clickedPairs: rate(0, 0), positives: rate(0, 0), positivesByGrade: {}, negatives: rate(rel, 1000), negativesBySource: { bm25: rate(rel, 1000) } });
    const ok = falseNegativesVerdict([filterStage('click-veto', 100)], labels(5), null, O.falseNegatives);
    expect(ok.verdict).toBe('pass');
    expect(ok.evidence[0]).toMatch(/0\.5% of the exported negatives are relevant \[0\.\d%, \d\.\d%\]/);
    expect(falseNegativesVerdict([filterStage('click-veto', 100)], labels(100), null, O.falseNegatives).verdict).toBe('fail');
    expect(falseNegativesVerdict([], labels(30), null, O.falseNegatives).verdict).toBe('warn');
  });
});

describe('question 4: are head and tail balanced?', () => {
  it('passes on a spread dataset, fails when the top 1% of queries dominate', () => {
    expect(balanceVerdict(data(), O.balance).verdict).toBe('pass');
    expect(balanceVerdict(data({ balance: { topQueries: { queries: 10, pairs: 400, of: 1000 } } }), O.balance).verdict).toBe('fail');
    expect(balanceVerdict(data({ balance: { gini: 0.8 } }), O.balance).verdict).toBe('warn');
  });
  it('warns when the test split holds no tail query', () => {
    const v = balanceVerdict(data({ balance: { records: { train: { head: 50, torso: 300, tail: 150 }, dev: { head: 0, torso: 0, tail: 0 }, test: { head: 10, torso: 40, tail: 0 } } } }), O.balance);
    expect(v.verdict).toBe('warn');
    expect(v.evidence.join(' ')).toContain('test hold no tail query');
  });
});

describe('question 5: are the splits leakage-safe?', () => {
  it('passes on a family split, fails on shared families, training evidence after the cutoff, or a split by query', () => {
    expect(leakageVerdict(leak(), { mode: 'hashed' }, O.leakage).verdict).toBe('pass');
    expect(leakageVerdict(leak({ sharedFamilies: { count: 3, examples: ['f1'] } }), null, O.leakage).verdict).toBe('fail');
    expect(leakageVerdict(leak({ timestamps: { cutoff: LAST, trainRecordsAfterCutoff: 2, trainRecordsUnknownTime: 0, testRecordsBeforeCutoff: 0 } }), null, O.leakage).verdict).toBe('fail');
    expect(leakageVerdict(leak(), null, O.leakage, { heldOut: 200, crossing: 4 }).verdict).toBe('pass');
    const byQuery = leakageVerdict(leak(), null, O.leakage, { heldOut: 200, crossing: 150 });
    expect(byQuery.verdict).toBe('fail');
    expect(byQuery.change.join(' ')).toContain('families.*.enabled');
    expect(leakageVerdict(leak({ nearDuplicates: { threshold: 0.7, count: 30, share: 0.3, examples: [] } }), null, O.leakage).verdict).toBe('warn');
  });
  it('is unknown without a test split', () => {
    expect(leakageVerdict(leak({ testQueries: 0 }), null, O.leakage).verdict).toBe('unknown');
  });
});

describe('question 6: does it reflect live behaviour?', () => {
  it('passes on a recent log, fails when most evidence is older than maxAgeDays', () => {
    expect(freshnessVerdict(data().time, null, O.freshness).verdict).toBe('pass');
    const old = data({ time: { first: LAST - 4 * 365 * DAY, evidenceByWeek: new Array(209).fill(100) } }).time;
    const v = freshnessVerdict(old, null, O.freshness);
    expect(v.verdict).toBe('fail');
    expect(staleShare(old, O.freshness).share).toBeCloseTo(157 / 209, 2);
  });
  it('counts evidence before productChange as stale', () => {
    const t = data().time;
    const change = new Date(LAST - 100 * DAY).toISOString().slice(0, 10);
    const s = staleShare(t, { ...O.freshness, productChange: change });
    expect(s.share).toBeGreaterThan(0.7);
    expect(freshnessVerdict(t, null, { ...O.freshness, productChange: change }).verdict).toBe('fail');
  });
  it('warns on query drift beyond sampling noise', () => {
    const t = data({ time: { drift: { oldestVsNewest: 0.6, baseline: 0.25, excess: 0.35, rising: [], falling: [] } } }).time;
    expect(freshnessVerdict(t, null, O.freshness).verdict).toBe('warn');
  });
  it('is unknown without timestamps', () => {
    expect(freshnessVerdict({ first: null, last: null, evidenceByWeek: [], pagesByWeek: [], drift: null }, null, O.freshness).verdict).toBe('unknown');
  });
  it('week bins map to dates', () => {
    expect(WEEK_MS).toBe(7 * DAY);
  });
});

describe('checklist', () => {
  it('answers the six questions in order, or says unknown for a report.json without report data', () => {
    const c = checklist({ stages: [filterStage('click-veto', 5)], sections: { reportData: data(), leakage: leak(), splits: { mode: 'hashed' } } });
    expect(c.verdicts.map((v) => v.id)).toEqual(['positives', 'negatives', 'falseNegatives', 'balance', 'leakage', 'freshness']);
    expect(c.verdicts.every((v) => v.verdict === 'pass')).toBe(true);
    expect(c.verdicts.every((v) => v.change.length === 0)).toBe(true);
    const old = checklist({ stages: [], sections: {} });
    expect(old.verdicts.every((v) => v.verdict === 'unknown')).toBe(true);
  });
  it('without a click log: the click questions are not applicable, the others judged as usual', () => {
    // raw-click positives and a dominating head would fail; without a click log those questions do not apply
    const d = data({ positives: { strong: 0 }, balance: { topQueries: { queries: 10, pairs: 900, of: 1000 } }, negatives: { withoutHard: 390 } });
    const c = checklist({ stages: [filterStage('click-veto', 5)], sections: { reportData: d, leakage: leak(), splits: { mode: 'hashed' }, clickLog: { present: false } } });
    expect(c.verdicts.map((v) => [v.id, v.verdict])).toEqual([['positives', 'not_applicable'], ['negatives', 'fail'], ['falseNegatives', 'pass'], ['balance', 'not_applicable'], ['leakage', 'pass'], ['freshness', 'not_applicable']]);
    for (const v of c.verdicts.filter((x) => x.verdict === 'not_applicable')) expect([v.summary, v.change]).toEqual(['not applicable: no click log', []]);
    const withLog = checklist({ stages: [filterStage('click-veto', 5)], sections: { reportData: d, leakage: leak(), splits: { mode: 'hashed' } } });
    expect(withLog.verdicts.find((v) => v.id === 'positives')!.verdict).toBe('fail');
  });
  it('thresholds are options', () => {
    const strict = checklist({ stages: [], sections: { reportData: data() } }, { balance: { maxTopQueryShare: 0.02 } });
    expect(strict.verdicts.find((v) => v.id === 'balance')!.verdict).toBe('fail');
    expect(strict.options.balance.maxTopQueryShare).toBe(0.02);
  });
});

describe('statistics', () => {
  it('wilson, Jensen-Shannon, Lorenz', () => {
    const [lo, hi] = wilson(5, 100);
    expect(lo).toBeCloseTo(0.0215, 3);
    expect(hi).toBeCloseTo(0.1118, 3);
    expect(jsDivergence(new Map([['a', 1]]), new Map([['a', 5]]))).toBe(0);
    expect(jsDivergence(new Map([['a', 1]]), new Map([['b', 1]]))).toBeCloseTo(1, 6);
    expect(lorenz([1, 1, 1, 1]).gini).toBeCloseTo(0, 6);
    const skew = lorenz([0, 0, 0, 10]);
    expect(skew.gini).toBeCloseTo(0.75, 6);
    expect(skew.curve.at(-1)).toEqual([1, 1]);
  });
});
