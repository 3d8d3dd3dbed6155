import { describe, expect, it } from 'vitest';
import { withChecklist } from '../../../src/stages/report/assemble.js';
import { renderHtml } from '../../../src/stages/report/html.js';
import { renderMarkdown, reportJson, type Report } from '../../../src/stages/report/report.js';
import type { ReportData } from '../../../src/stages/report/data.js';
import type { ExamplesSection } from '../../../src/stages/report/examples.js';

const EVIL = '"><script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) | \u001b[31mred';
const DAY = 86_400_000;
const LAST = Date.UTC(2024, 11, 31);

const reportData: ReportData = {
  positives: { pairs: 10, byGrade: { grade_1: 5, grade_3: 5 }, bySignal: { satisfied: 8 }, strong: 8, singleClick: 3, dwell: { kept: [0, 1, 2, 3, 4, 3, 2, 1, 0], discarded: [3, 2, 0, 0, 0, 0, 0, 0, 0], unknownKept: 0, unknownDiscarded: 0 } },
  negatives: { records: 5, measured: 5, withoutHard: 1, hardAt: 0.5, bySource: { bm25: { n: 10, mean: 1, median: 1, hard: 9, histogram: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0] } } },
  balance: { records: { train: { head: 1, torso: 2, tail: 2 }, dev: { head: 0, torso: 0, tail: 0 }, test: { head: 0, torso: 1, tail: 1 } }, topQueries: { queries: 1, pairs: 1, of: 10 }, lorenz: [[0, 0], [0.5, 0.3], [1, 1]], gini: 0.3, docs: 8 },
  time: { first: LAST - 20 * DAY, last: LAST, evidenceByWeek: [3, 4, 5], pagesByWeek: [4, 5, 6], drift: { oldestVsNewest: 0.3, baseline: 0.3, excess: 0, rising: [{ query: EVIL, oldest: 0.1, newest: 0.2 }], falling: [] } },
  sessionLinks: { heldOut: 10, crossing: 0 },
  ctrByRank: [{ rank: 1, impressions: 10, clicks: 4, ctr: 0.4, lower: 0.17, upper: 0.69 }, { rank: 2, impressions: 10, clicks: 2, ctr: 0.2, lower: 0.06, upper: 0.51 }],
};

const examples: ExamplesSection = {
  queries: 3,
  sampled: 2,
  queriesList: [
    { query: `${EVIL} query`, split: 'train', positives: [[`${EVIL} doc`, 3, 1, 2, 2, 1, 5, 'satisfied']], negatives: [['d2', 'bm25', 1.2, 0.8, 1]], removed: [['d3', 'click-veto', `click_evidence: ${EVIL}`]], noRecord: false },
    { query: 'plain query', split: 'test', positives: [['d4', 1, 0.5, 1, 0, 0, 3, '']], negatives: [], removed: [], noRecord: true },
  ],
  docs: { [`${EVIL} doc`]: `${EVIL} text`, d2: 'two' },
};

const base: Report = {
  tool: { name: 'clickforge', version: '0.0.0' },
  summary: { rowsRead: 10, rowsQuarantined: 0, sessions: 2, serps: 3, clicks: 4, clicksKept: 3, clickDiscardRate: 0.25, evidencePairs: 5, positivePairs: 2, positiveQueries: 2 },
  funnel: [{ step: 'input rows read', count: 10, share: 1 }, { step: 'positive pairs', count: 2, share: 0.2 }],
  clickOutcomes: [{ outcome: 'satisfied', count: 3, share: 0.75, kept: true }, { outcome: 'pogo', count: 1, share: 0.25, kept: false }],
  stages: [{ stage: 'false-negatives/click-veto', in: { candidates: 10 }, out: { kept: 9 }, dropped: { click_evidence: 1 }, notes: [EVIL] }],
  accounting: [],
  warnings: [EVIL],
  sections: {
    bias: { estimator: 'pbm-em', curve: [1, 0.5], ci: { lower: [1, 0.4], upper: [1, 0.6] }, identified: true },
    balance: { positivesByAge: { byAge: { '<7d': 1, '>=365d': 1 } } },
    negatives: { hardness: { bm25: { mean: 1, n: 10 } }, removedExamples: { 'click-veto': [{ query: EVIL, doc_id: EVIL, reason: EVIL }] } },
    leakage: { kind: 'LeakageReport', ok: true, trainQueries: 5, testQueries: 2, sharedFamilies: { count: 0, examples: [] }, nearest: [], nearDuplicates: { threshold: 0.7, count: 1, share: 0.5, examples: [{ test: EVIL, train: EVIL, jaccard: 0.8 }] }, sharedPositives: { count: 0, testQueriesAffected: 0, examples: [] }, timestamps: { cutoff: null, trainRecordsAfterCutoff: 0, trainRecordsUnknownTime: 0, testRecordsBeforeCutoff: 0 } },
    splits: { mode: 'hashed' },
    reportData,
    examples,
  },
};
const report = withChecklist(base);

describe('report.html', () => {
  it('is one self-contained page: a CSP that allows only its own script, no external reference, every chart as inline SVG', async () => {
    const html = await renderHtml(report);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const charts = [...html.matchAll(/<figure data-chart="([a-z-]+)"><div class="title">[^<]*<\/div><svg /g)].map((m) => m[1]);
    expect(charts.sort()).toEqual(['buckets', 'click-outcomes', 'ctr-by-rank', 'doc-age', 'dwell', 'evidence-age', 'examination', 'funnel', 'hardness', 'leakage', 'lorenz', 'removals', 'signals'].sort());
    expect(html.match(/data-verdict="/g)).toHaveLength(6);
    expect(html).toContain('Sampled: 2 of 3 queries are embedded');
  });

  it('hostile strings are text: no tag, attribute or control character comes from the data', async () => {
    const html = await renderHtml(report);
    // exactly the page's own two scripts, and no img element at all
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // the example data block: JSON whose < > & are \u escapes, so it cannot close its element
    const block = html.slice(html.indexOf('id="cf-examples">'), html.indexOf('</script>', html.indexOf('id="cf-examples">')));
    expect(block).not.toMatch(/<(?!\/script)/);
    const json = JSON.parse(block.slice('id="cf-examples">'.length)) as ExamplesSection;
    expect(json.queriesList[0]!.query).toBe(`${EVIL} query`);
  });
});

describe('report.md', () => {
  it('starts with the checklist and the key tables; stage counters are in the appendix', () => {
    const md = renderMarkdown(report);
    const at = (s: string) => md.indexOf(s);
    expect(at('## Checklist')).toBeGreaterThan(0);
    expect(at('## Checklist')).toBeLessThan(at('## Funnel'));
    expect(at('## Funnel')).toBeLessThan(at('# Appendix'));
    expect(at('# Appendix')).toBeLessThan(at('### false-negatives/click-veto'));
    expect(md).toContain('| 5 | Are the splits leakage-safe? | **warn** |');
    expect(md).not.toContain('"queriesList"');
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/(?<!\\)<(script|img)|\u001b/);
  });
});

describe('report.json', () => {
  it('keeps plain arrays and example rows on one line and parses to the same report', () => {
    const s = reportJson(report);
    expect(JSON.parse(s)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(s).toContain('"curve": [1, 0.5]');
    expect(s.split('\n').filter((l) => l.includes('"plain query"'))).toHaveLength(1);
  });
});
