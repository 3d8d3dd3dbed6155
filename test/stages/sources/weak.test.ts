import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceOptions } from '../../../src/stages/sources/options.js';
import { loadWeakSource, WEAK_SOURCES } from '../../../src/stages/sources/weak.js';
import { stageChecks } from '../../../src/stages/report/report.js';

const DOCS = new Set(['KB1', 'KB2', 'KB3', '7']);
const dir = mkdtempSync(join(tmpdir(), 'cf-weak-'));
const file = (name: string, lines: unknown[]) => {
  const f = join(dir, name);
  writeFileSync(f, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return f;
};
const opts = sourceOptions.parse({});

// every weak source reads the same row shapes, under its own text field
const CASES = [
  { kind: 'faq', field: 'question', provenance: 'faq' },
  { kind: 'macros', field: 'title', provenance: 'macro' },
  { kind: 'pinned', field: 'query', provenance: 'pinned:1' },
  { kind: 'collections', field: 'title', provenance: 'collection' },
] as const;

describe.each(CASES)('the $kind reader', ({ kind, field, provenance }) => {
  const rows = [
    { [field]: 'Reset Okta password?', doc_id: 'KB1' }, // 1 kept
    { [field]: 'vpn', doc_ids: ['KB2', 7] }, // 2 kept (an integer id is read as its string)
    { [field]: 'vpn', doc_ids: ['KB2', 'KB404'] }, // 3 duplicate + unknown_doc
    { doc_id: 'KB1' }, // 4 missing text
    { [field]: 42, doc_id: 'KB1' }, // 5 bad_type
    { [field]: 'no docs', doc_ids: [] }, // 6 missing_field
    { [field]: 'both', doc_id: 'KB1', doc_ids: ['KB2'] }, // 7 bad_type
    '{oops', // 8 bad_json
    '', // 9 blank
    { [field]: '?!', doc_id: 'KB1' }, // 10 punctuation only
  ];

  it('keeps good rows with grade, weight and provenance, and quarantines bad ones with line and reason', async () => {
    const f = file(`${kind}.jsonl`, rows);
    const r = await loadWeakSource(WEAK_SOURCES[kind], f, DOCS, opts[kind]);
    expect(r.rows.map((x) => [x.query, x.doc_id, x.line])).toEqual([['Reset Okta password?', 'KB1', 1], ['vpn', 'KB2', 2], ['vpn', '7', 2]]);
    expect(r.rows[0]).toMatchObject({ source: kind, query_norm: 'reset okta password', grade: opts[kind].grade, provenance });
    expect(r.rejects.map((x) => [x.line, x.reason])).toEqual([[3, 'unknown_doc'], [4, 'missing_field'], [5, 'bad_type'], [6, 'missing_field'], [7, 'bad_type'], [8, 'bad_json'], [10, 'missing_field']]);
    for (const x of r.rejects) expect([x.input, x.file, x.detail.startsWith(`line ${x.line}: `)]).toEqual([kind, f, true]);
    expect(r.rejects[0]!.detail).toContain('"KB404" not in the corpus');
  });

  it('counts rows and pairs so that both add up', async () => {
    const r = await loadWeakSource(WEAK_SOURCES[kind], file(`${kind}-c.jsonl`, rows), DOCS, opts[kind]);
    expect(r.stats.in).toEqual({ rows: 10, pairs: 5 });
    expect(r.stats.out).toEqual({ rows: 3, pairs: 3 });
    expect(r.stats.dropped).toMatchObject({ 'rows.blank_line': 1, 'rows.missing_field': 3, 'rows.bad_type': 2, 'rows.bad_json': 1, 'pairs.duplicate': 1, 'pairs.unknown_doc': 1 });
    const checks = stageChecks(r.stats);
    expect(checks).toHaveLength(2);
    for (const c of checks) expect(c.ok, c.name).toBe(true);
  });
});

describe('weak source caps and weights', () => {
  it('pinned: rank sets the weight (1/log2(rank + 1)) and the provenance; pins past maxDocs are dropped', async () => {
    const f = file('pins.jsonl', [{ query: 'okta', doc_ids: ['KB1', 'KB2', 'KB3'] }]);
    const r = await loadWeakSource(WEAK_SOURCES.pinned, f, DOCS, { ...opts.pinned, maxDocs: 2 });
    expect(r.rows.map((x) => [x.doc_id, x.provenance, x.weight])).toEqual([['KB1', 'pinned:1', 1], ['KB2', 'pinned:2', 1 / Math.log2(3)]]);
    expect(r.stats.dropped['pairs.over_max_docs']).toBe(1);
  });

  it('collections: maxDocs (default 20) keeps a collection\'s first documents; maxPerDoc caps each document\'s queries in file order', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `C${i}`);
    const f = file('coll.jsonl', [{ title: 'Getting started', doc_ids: ids }, { title: 'Onboarding', doc_ids: ['C0', 'C1'] }]);
    const r = await loadWeakSource(WEAK_SOURCES.collections, f, new Set(ids), { ...opts.collections, maxPerDoc: 1 });
    expect(r.rows.filter((x) => x.query === 'Getting started')).toHaveLength(20);
    expect(r.rows.filter((x) => x.query === 'Onboarding')).toHaveLength(0);
    expect(r.stats.dropped).toMatchObject({ 'pairs.over_max_docs': 5, 'pairs.over_max_per_doc': 2 });
    for (const c of stageChecks(r.stats)) expect(c.ok, c.name).toBe(true);
  });

  it('uses the configured grade and weight', async () => {
    const f = file('faq-w.jsonl', [{ question: 'okta', doc_id: 'KB1' }]);
    const r = await loadWeakSource(WEAK_SOURCES.faq, f, DOCS, { ...opts.faq, grade: 3, weight: 0.25 });
    expect(r.rows[0]).toMatchObject({ grade: 3, weight: 0.25 });
  });
});
