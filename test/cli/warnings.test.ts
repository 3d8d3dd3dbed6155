import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWarnings, renderWarnings } from '../../src/cli/warnings.js';
import { build } from '../../src/pipeline.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../src/tools/simulate/index.js';
import type { Report } from '../../src/stages/report/report.js';
import type { StageStats } from '../../src/types.js';
import { cli } from './helpers.js';

const st = (stage: string, inn: Record<string, number>, out: Record<string, number>, dropped: Record<string, number> = {}): StageStats => ({ stage, in: inn, out, dropped });

/** A healthy build's report (the shape of the demo world's), changed per test. */
function report(over: { summary?: Partial<Report['summary']>; stages?: StageStats[]; curve?: number[]; warnings?: string[]; accountingOk?: boolean } = {}): Report {
  return {
    tool: { name: 'clickforge', version: 'test' },
    summary: { rowsRead: 4260, rowsQuarantined: 0, sessions: 2000, serps: 3241, clicks: 3451, clicksKept: 2791, clickDiscardRate: 0.19, evidencePairs: 13506, positivePairs: 1542, positiveQueries: 795, ...over.summary },
    funnel: [],
    clickOutcomes: [],
    stages: over.stages ?? [
      st('ingest:serps', { rows: 3241 }, { rows: 3241 }),
      st('ingest:corpus', { rows: 1019 }, { rows: 1019 }),
      st('positives', { evidence_rows: 5375 }, { pairs: 1542 }, { below_min_grade: 3759, below_min_clicks: 74, doc_not_in_corpus: 0 }),
      st('false-negatives/click-veto', { candidates: 14943 }, { kept: 14051 }, { click_evidence: 892 }),
      st('false-negatives/same-field', { candidates: 14051 }, { kept: 6325 }, { same_entity: 7726 }),
      st('export', { records: 795 }, { records: 795, train: 795, dev: 0, test: 0 }),
    ],
    accounting: [{ name: 'positives: evidence rows = pairs + dropped', lhs: 1, rhs: { pairs: 1 }, ok: over.accountingOk ?? true }],
    warnings: over.warnings ?? [],
    sections: { bias: { estimator: 'pbm-em', curve: over.curve ?? [1, 0.5909, 0.4626, 0.3184, 0.2456, 0.3224, 0.178, 0.2397, 0.1972, 0.1818] } },
  };
}

describe('buildWarnings', () => {
  it('says nothing about a healthy build (the demo world: same-field removes 55%)', () => {
    expect(buildWarnings(report())).toEqual([]);
    expect(renderWarnings(report())).toBe('');
  });

  it('no corpus, and so no positives, with the reasons counted', () => {
    const r = report({
      summary: { positivePairs: 0, positiveQueries: 0 },
      stages: [st('ingest:serps', { rows: 14 }, { rows: 3 }), st('positives', { evidence_rows: 6 }, { pairs: 0 }, { below_min_grade: 4, doc_not_in_corpus: 2 }), st('export', { records: 0 }, { train: 0 })],
    });
    const w = buildWarnings(r);
    expect(w[0]).toBe('no corpus given (--corpus or input.corpus): positives need the text of the clicked documents, so none can be made; pass the corpus file.');
    expect(w[1]).toBe('no positive pairs: the dataset has nothing to train on (4 pairs graded below positives.minGrade).');
    expect(renderWarnings(r).split('\n')[0]).toMatch(/^warning: no corpus given/);
  });

  it('no positives because the corpus misses the clicked documents', () => {
    const w = buildWarnings(report({ summary: { positivePairs: 0 }, stages: [st('ingest:corpus', { rows: 5 }, { rows: 5 }), st('positives', { evidence_rows: 9 }, { pairs: 0 }, { doc_not_in_corpus: 9 })] }));
    expect(w).toEqual(['no positive pairs: the dataset has nothing to train on (9 clicked pairs point to documents missing from the corpus).']);
  });

  it('positives but no training records', () => {
    const stages = report().stages.map((s) => (s.stage === 'export' ? st('export', { records: 10 }, { train: 0, dev: 4, test: 6 }) : s));
    expect(buildWarnings(report({ stages }))).toEqual([expect.stringMatching(/^no training records written/)]);
  });

  it('a flat bias curve, including one above 1 (clipped to 1 before debiasing); not a curve at 0.85', () => {
    expect(buildWarnings(report({ curve: [1, 0.97, 0.95, 0.93] }))).toEqual([expect.stringMatching(/^the position-bias curve is flat \(pbm-em: every rank examined at >= 93\.0% of rank 1/)]);
    expect(buildWarnings(report({ curve: [1, 2.4598, 1.9217, 1.5374] }))[0]).toContain('>= 100.0% of rank 1');
    expect(buildWarnings(report({ curve: [1, 0.95, 0.85] }))).toEqual([]);
    expect(buildWarnings(report({ curve: [1] }))).toEqual([]);
  });

  it('a filter that removed over 90% of at least 20 candidates', () => {
    const stages = [...report().stages, st('false-negatives/positive-aware', { candidates: 1000 }, { kept: 40 }, { above_margin: 950, no_score: 10 }), st('false-negatives/judge', { candidates: 10 }, { kept: 0 }, { relevant: 10 })];
    expect(buildWarnings(report({ stages }))).toEqual([
      'the positive-aware filter removed 96.0% of 1,000 negative candidates (above_margin 950, no_score 10): check negatives.filters.positiveAware (docs/stages/false-negatives.md).',
    ]);
  });

  it('much of the input quarantined, counts that do not add up, and the report\'s own warnings last', () => {
    const w = buildWarnings(report({ summary: { rowsRead: 100, rowsQuarantined: 11 }, accountingOk: false, warnings: ['serps.jsonl mixes timestamp formats'] }));
    expect(w).toEqual([
      '11 of 100 input rows (11.0%) were quarantined: check input.format, input.columns and input.timestamps against quarantine.jsonl.',
      'counts do not add up in 1 check (positives: evidence rows = pairs + dropped): a bug, please report it with report.json.',
      'serps.jsonl mixes timestamp formats',
    ]);
    expect(buildWarnings(report({ summary: { rowsRead: 100, rowsQuarantined: 10 } }))).toEqual([]);
  });
});

describe('cli build without a corpus', () => {
  it('exits 0 and ends with the warnings on stderr, also with -q', () => {
    const fix = new URL('../fixtures/messy/', import.meta.url).pathname;
    const out = join(mkdtempSync(join(tmpdir(), 'cf-cli-warn-')), 'out');
    const r = cli(['build', '--events', `${fix}events.jsonl`, '--out', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('positive pairs    0 over 0 queries');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^warning: no corpus given/);
    expect(lines[1]).toMatch(/^warning: no positive pairs: the dataset has nothing to train on/);
    for (const l of lines) expect(l).toMatch(/^warning: /);
  });
});

describe('warnings without labels, from report sections', () => {
  const bias = (over: Record<string, unknown>) => ({ estimator: 'pbm-em', curve: [1, 0.59, 0.46, 0.32], ...over });
  const id = (identified: boolean, reasons: string[], clickOnly = false, clickedShare = 0.11) => ({
    identified, reasons, clickOnly, measures: { impressions: 1000, clickedShare, curvePairs: 19, queries: 7, maxIntervalWidth: 1.33, crossCheckDiff: 0.536 },
    thresholds: { maxClickedShare: 0.9, minCurvePairs: 100, minQueries: 10, maxIntervalWidth: 0.5, maxCrossCheckDiff: 0.1 },
  });
  const withSections = (sections: Record<string, unknown>, stages?: StageStats[]) => ({ ...report(stages ? { stages } : {}), sections: { ...report().sections, ...sections } });

  it('a curve that is not identified: what auto did, and what to set; a forced relevance rule is named', () => {
    const auto = withSections({ bias: bias({ identification: id(false, ['its interval comes from 7 queries (< minQueries 10)']), grading: { requested: 'auto', rule: 'funnel', reason: '...' } }) });
    expect(buildWarnings(auto)).toEqual([
      'the position-bias curve is not identified (its interval comes from 7 queries (< minQueries 10)): grading.rule auto graded by the click funnel instead of debiased relevance; set grading.rule relevance to grade with the curve anyway, or change the checks under bias.identification (docs/stages/bias.md).',
    ]);
    const forced = withSections({ bias: bias({ identification: id(false, ['x']), grading: { requested: 'relevance', rule: 'relevance', reason: '...' } }) });
    expect(buildWarnings(forced)).toEqual([expect.stringMatching(/^grading\.rule relevance grades with a position-bias curve that is not identified \(x\): set grading\.rule auto/)]);
    const ok = withSections({ bias: bias({ identification: id(true, []), grading: { requested: 'auto', rule: 'relevance', reason: '...' } }) });
    expect(buildWarnings(ok)).toEqual([]);
  });

  it('impressions only for clicked results: one line that says the curve is no estimate (not also the flat-curve line)', () => {
    const r = withSections({ bias: bias({ curve: [1, 1, 1], identification: id(false, ['...'], true, 0.97), grading: { requested: 'auto', rule: 'funnel', reason: '...' } }) });
    const w = buildWarnings(r);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^impressions seem recorded only for clicked results \(97\.0% of 1,000 impressions clicked, >= 90\.0%\): the position-bias curve is not an estimate \(report\.md, bias: not identified\), so grading\.rule auto graded by the click funnel/);
    expect(w[0]).toContain('give every shown result in `results`');
  });

  it('a corpus of shown results, only when BM25 mined from it; not a corpus the log saturates', () => {
    const mine = (bm25: number) => [...report().stages, st('negatives/mine', { records: 10 }, { candidates: 100, proposed_bm25: bm25 })];
    const shownOnly = { corpus: { docs: 10959, shown: 10959, shownOnce: 6000 } };
    expect(buildWarnings(withSections(shownOnly, mine(80)))).toEqual([
      'the corpus seems made only of shown results (100.0% of its 10,959 documents appear in the log\'s impressions, 54.7% on a single page): BM25 negatives drawn from it are mostly topical near-misses the search engine already ranked for the query, and so often relevant; add documents the log never showed to the corpus, or set negatives.miners without bm25 (docs/stages/negatives.md).',
    ]);
    expect(buildWarnings(withSections(shownOnly, mine(0)))).toEqual([]);
    // the demo world: 99.3% shown, 0.2% on one page
    expect(buildWarnings(withSections({ corpus: { docs: 1019, shown: 1012, shownOnce: 2 } }, mine(37529)))).toEqual([]);
    expect(buildWarnings(withSections({ corpus: { docs: 1000, shown: 940, shownOnce: 300 } }, mine(100)))).toEqual([]);
  });

  it('a test split under 30 queries, only when one was asked for', () => {
    const stages = (test: number, thin = 0) => [...report().stages.filter((s) => s.stage !== 'export'), st('splits', { families: 100 }, { train: 90, dev: 7, test: 3 }, { test_family_below_min_clicks_to_dev: thin }), st('export', { records: 100 }, { train: 90, dev: 10 - test, test })];
    const asked = { splits: { mode: 'chronological', fractions: { train: 0.8, dev: 0.1, test: 0.1 } } };
    expect(buildWarnings(withSections(asked, stages(5, 117)))).toEqual([
      'the test split holds 5 queries in 3 families (fewer than 30): intervals on test metrics will be wide; raise splits.fractions.test, or set splits.minTestClicks 1 (117 test families went to dev for too few clicks), or evaluate on a labelled query set.',
    ]);
    expect(buildWarnings(withSections(asked, stages(29)))[0]).toMatch(/^the test split holds 29 queries in 3 families \(fewer than 30\): intervals on test metrics will be wide; raise splits\.fractions\.test, or evaluate/);
    expect(buildWarnings(withSections(asked, stages(30)))).toEqual([]);
    expect(buildWarnings(withSections({ splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 } } }, stages(0)))).toEqual([]);
  });
});

/**
 * Tiny logs, each with one of the defects the warnings detect without labels, built with default
 * options; each test also checks the lines the others must not raise.
 */
describe('warnings of builds on small fixture logs', () => {
  const T0 = Date.parse('2024-03-01T08:00:00Z');
  interface Page { query: string; results: string[]; clicks: string[] }
  async function buildLog(pages: Page[], corpus: string[], extra: Record<string, unknown> = {}): Promise<{ warnings: string[]; report: Report; md: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'cf-warn-fix-'));
    const serps = pages.map((p, i) => ({
      serp_id: `p${i}`, session_id: `s${i}`, ts: T0 + i * 60_000, query: p.query, results: p.results,
      clicks: p.clicks.map((d, k) => ({ doc_id: d, ts: T0 + i * 60_000 + 5_000 * (k + 1), dwell_ms: 45_000 })),
    }));
    writeFileSync(join(dir, 'serps.jsonl'), serps.map((s) => JSON.stringify(s)).join('\n'));
    writeFileSync(join(dir, 'corpus.jsonl'), corpus.map((d) => JSON.stringify({ doc_id: d, text: `${d.replace(/-/g, ' ')} printer driver network setup guide` })).join('\n'));
    const r = await build({ input: { serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl') }, output: join(dir, 'out'), threads: 1, bias: { ciSamples: 20 }, ...extra });
    return { warnings: buildWarnings(r.report), report: r.report, md: readFileSync(r.files.reportMd!, 'utf8') };
  }
  const topic = (q: number, j: number) => `topic${q}-doc${j}`;
  const CLICK_ONLY = /^impressions seem recorded only for clicked results/;
  const SHOWN_CORPUS = /^the corpus seems made only of shown results/;
  const SMALL_TEST = /^the test split holds/;

  it('impressions only for clicked results: the curve is marked not identified in report.json and report.md, and grading falls back to the funnel', async () => {
    // 80 queries, 4 pages each; every page lists only the 1-2 documents clicked on it
    const pages: Page[] = [];
    for (let k = 0; k < 4; k++) for (let q = 0; q < 80; q++) { const shown = [topic(q, k % 3), ...(q % 2 ? [topic(q, 3)] : [])]; pages.push({ query: `topic${q} help`, results: shown, clicks: shown }); }
    const corpus = Array.from({ length: 80 }, (_, q) => Array.from({ length: 8 }, (_, j) => topic(q, j))).flat();
    const { warnings, report: r, md } = await buildLog(pages, corpus);
    const b = r.sections.bias as { identified: boolean; identification: { clickOnly: boolean; measures: { clickedShare: number } }; grading: { rule: string } };
    expect(b.identified).toBe(false);
    expect(b.identification.clickOnly).toBe(true);
    expect(b.identification.measures.clickedShare).toBe(1);
    expect(b.grading.rule).toBe('funnel');
    expect(md).toContain('**Not identified** (not an estimate: the log records impressions only for clicked results)');
    expect(md).toContain('fitted value (not an examination estimate)');
    expect(warnings.filter((w) => CLICK_ONLY.test(w))).toEqual([expect.stringContaining('100.0% of')]);
    expect(warnings.some((w) => /position-bias curve is flat/.test(w))).toBe(false);
    expect(warnings.some((w) => SHOWN_CORPUS.test(w))).toBe(false); // 5 of 8 documents per topic never shown
  }, 60_000);

  // 150 queries, each on one page of 10 documents of its own: every document shown once, a click at rank 1 or 2
  const onePagePerQuery = (): Page[] => Array.from({ length: 150 }, (_, q) => {
    const results = Array.from({ length: 10 }, (_, j) => topic(q, j));
    return { query: `topic${q} printer`, results, clicks: [results[q % 2]!] };
  });
  const shown = Array.from({ length: 150 }, (_, q) => Array.from({ length: 10 }, (_, j) => topic(q, j))).flat();

  it('a corpus made only of the shown results, and a test split of a few queries', async () => {
    const { warnings, report: r } = await buildLog(onePagePerQuery(), shown);
    expect(r.sections.corpus).toEqual({ docs: 1500, shown: 1500, shownOnce: 1500 });
    expect(warnings.filter((w) => SHOWN_CORPUS.test(w))).toEqual([expect.stringContaining('(100.0% of its 1,500 documents appear in the log\'s impressions, 100.0% on a single page)')]);
    const test = r.stages.find((s) => s.stage === 'export')!.out.test!;
    expect(test).toBeLessThan(30);
    expect(warnings.filter((w) => SMALL_TEST.test(w))).toEqual([expect.stringContaining(`holds ${test} quer`)]);
    expect(warnings.some((w) => CLICK_ONLY.test(w))).toBe(false);
  }, 60_000);

  it('the same log with documents it never showed in the corpus, and no test split asked for: neither line', async () => {
    const unseen = Array.from({ length: 1500 }, (_, i) => `other${i}-doc`);
    const { warnings, report: r } = await buildLog(onePagePerQuery(), [...shown, ...unseen], { splits: { fractions: { train: 0.9, dev: 0.1, test: 0 } } });
    expect(r.sections.corpus).toMatchObject({ docs: 3000, shown: 1500 });
    expect(r.stages.find((s) => s.stage === 'negatives/mine')!.out.proposed_bm25).toBeGreaterThan(0);
    expect(warnings.some((w) => SHOWN_CORPUS.test(w) || SMALL_TEST.test(w) || CLICK_ONLY.test(w))).toBe(false);
  }, 60_000);

  it('the default simulated world raises none of these warnings, and grades by relevance from its identified curve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-warn-sim-'));
    const sim = parseSimulateOptions({});
    await simulateLog(buildHelpdeskWorld(sim), sim, dir);
    const r = await build({ input: { serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl') }, output: join(dir, 'out'), threads: 1 });
    const b = r.report.sections.bias as { identified: boolean; grading: { rule: string } };
    expect(b.identified).toBe(true);
    expect(b.grading.rule).toBe('relevance');
    expect(buildWarnings(r.report)).toEqual([]);
  }, 120_000);
});
