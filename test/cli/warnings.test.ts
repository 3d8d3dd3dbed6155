import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWarnings, renderWarnings } from '../../src/cli/warnings.js';
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
