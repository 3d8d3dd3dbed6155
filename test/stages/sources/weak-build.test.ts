import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';
import type { SourceFunnel } from '../../../src/stages/report/source-funnel.js';

const FIX = new URL('../../fixtures/messy/', import.meta.url).pathname;
const read = (f: string) => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

// the messy log has clicks on (reset okta, d1): the FAQ row below is the same pair
const FILES = {
  faq: jsonl([{ question: 'reset okta', doc_id: 'd1' }, { question: 'how do I set up the vpn', doc_id: 'd2' }, { question: 'ghost', doc_id: 'nope' }]),
  macros: jsonl([{ title: 'Printer - driver install', text: 'Hi, here is how ...', doc_ids: ['d4', 'd1'] }, { text: 'no title' }]),
  pinned: jsonl([{ query: 'okta login', doc_ids: ['d1', 'd2', 'd1'] }]),
  collections: jsonl([{ title: 'Remote work', doc_ids: ['d2', 'd4'] }, '{broken']),
};

type Pos = { query: string; doc_id: string; grade: number; weight: number; evidence: { sources?: string[] } };

describe('build with weak-supervision sources over a click log', () => {
  let r: BuildResult;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-weak-build-'));
    const input: Record<string, unknown> = { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl') };
    for (const [k, text] of Object.entries(FILES)) { writeFileSync(join(dir, `${k}.jsonl`), text); input[k] = join(dir, `${k}.jsonl`); }
    r = await build({ input, output: join(dir, 'out'), threads: 1 });
  });

  it('a pair supported by clicks and by an FAQ mapping lists both in its provenance', () => {
    const pos = read(join(dir, 'out', 'positives.jsonl')) as Pos[];
    const both = pos.find((p) => p.query === 'reset okta' && p.doc_id === 'd1')!;
    expect(both.evidence.sources).toEqual(['clicks', 'faq']);
    expect(both.grade).toBeGreaterThanOrEqual(2);
    expect(pos.find((p) => p.query === 'how do I set up the vpn')).toMatchObject({ doc_id: 'd2', grade: 2, evidence: { sources: ['faq'] } });
    expect(pos.find((p) => p.query === 'Printer - driver install' && p.doc_id === 'd4')).toMatchObject({ grade: 1, evidence: { sources: ['macro'] } });
    const pins = pos.filter((p) => p.query === 'okta login').map((p) => [p.doc_id, p.evidence.sources, p.weight]);
    expect(pins).toEqual([['d1', ['pinned:1'], 1], ['d2', ['pinned:2'], 1 / Math.log2(3)]]);
    expect(pos.find((p) => p.query === 'Remote work' && p.doc_id === 'd4')?.evidence.sources).toEqual(['collection']);
  });

  it('quarantines bad rows of every file with input, line and reason', () => {
    const q = read(join(dir, 'out', 'quarantine.jsonl')).filter((x) => x.stage === 'sources').map((x) => [x.input, x.line, x.reason]);
    expect(q).toEqual([['collections', 2, 'bad_json'], ['faq', 3, 'unknown_doc'], ['macros', 2, 'missing_field']]);
  });

  it('the funnel by source has a row per source whose counts add up, and pairs and records by source add up to the totals', () => {
    const f = r.report.sections.sourceFunnel as SourceFunnel;
    expect(f.rows.map((x) => x.source)).toEqual(['clicks', 'faq', 'macros', 'pinned', 'collections']);
    for (const row of f.rows) {
      const own = Object.entries(row.dropped).filter(([k]) => !k.includes('.') || k.startsWith(`${row.unit}.`));
      expect(row.kept + own.reduce((a, [, v]) => a + v, 0), row.source).toBe(row.in);
      expect(row.records).toBeLessThanOrEqual(f.records);
    }
    const faq = f.rows.find((x) => x.source === 'faq')!;
    expect(faq).toMatchObject({ rowsRead: 3, unit: 'pairs', in: 3, kept: 2, keptPositives: 2, dropped: { 'pairs.unknown_doc': 1 }, positivePairs: 2 });
    expect(f.rows.find((x) => x.source === 'pinned')).toMatchObject({ in: 3, kept: 2, dropped: { 'pairs.duplicate': 1 } });
    expect(f.pairsBySources['clicks+faq']).toBe(1);
    expect(Object.values(f.pairsBySources).reduce((a, b) => a + b, 0)).toBe(f.positivePairs);
    expect(Object.values(f.recordsBySources).reduce((a, b) => a + b, 0)).toBe(f.records);
    expect(f.records).toBeGreaterThan(0);
    for (const c of r.report.accounting) expect(c.ok, `${c.name}: ${c.lhs} vs ${JSON.stringify(c.rhs)}`).toBe(true);
    expect(r.report.accounting.map((c) => c.name)).toContain('source funnel: training records = records by supporting sources');
  });

  it('report.md and report.html show the funnel by source', () => {
    const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('## Funnel by source');
    expect(md).toMatch(/\| faq \| 3 \| 3 pairs \| 2 \| 2 \| pairs\.unknown\\_doc 1 \|/);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('id="source-funnel"');
    expect(html).toContain('<td>clicks+faq</td>');
  });
});
