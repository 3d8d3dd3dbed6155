import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';
import { EXPORT_SCHEMAS } from '../../../src/stages/export/schemas.js';
import type { StageStats } from '../../../src/types.js';

const FIX = new URL('../../fixtures/messy/', import.meta.url).pathname;
const readJsonl = (f: string) => { try { return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>); } catch { return []; } };

// a small help-desk corpus: one topic per document, which also names its five neighbours' topics (so BM25 has candidates past its skipped top ranks)
const TOPICS = [
  'okta password reset', 'vpn client setup', 'printer driver install', 'mailbox quota full', 'laptop battery drain', 'wifi signal weak',
  'teams camera black', 'excel macro blocked', 'badge reader offline', 'monitor flicker hdmi', 'keyboard layout wrong', 'backup restore folder',
  'zoom audio echo', 'sharepoint upload fails', 'bitlocker recovery key', 'expense report rejected', 'payroll slip missing', 'docker daemon crash',
  'git merge conflict', 'jira ticket permissions', 'slack notifications muted', 'outlook calendar sync', 'phone mdm enrol', 'license activation error',
];
const CORPUS = TOPICS.map((t, i) => JSON.stringify({ doc_id: `kb${i}`, title: t, text: `How to handle ${t}: open the ${t.split(' ')[0]} settings, check the ${t.split(' ')[1]} panel and apply the fix for ${t.split(' ').at(-1)}. Related: ${[1, 2, 3, 4, 5].map((k) => TOPICS[(i + k) % TOPICS.length]).join(', ')}.` })).join('\n') + '\n';
// two styles per document, then three bad rows and a blank line
const SYNTH = [
  ...TOPICS.flatMap((t, i) => [
    { query: t, style: 'keyword', doc_id: `kb${i}`, passage_id: `kb${i}#0`, generator: 'offline', weight: 1 },
    { query: `what to do when ${t}`, style: 'question', doc_id: `kb${i}`, passage_id: `kb${i}#0`, generator: 'offline', weight: 0.5 },
  ]),
  { query: 'ghost topic', style: 'keyword', doc_id: 'nope', generator: 'offline', weight: 1 },
  { query: 'no style here', doc_id: 'kb1', generator: 'offline', weight: 1 },
  { query: 'negative weight', style: 'keyword', doc_id: 'kb2', generator: 'offline', weight: -1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n\n';
// an expert's judgements: kb0 relevant to its topic (the synthetic keyword query, same text), kb5 judged not relevant
const SEEDS = [
  { query: 'Okta Password Reset', doc_id: 'kb0', grade: 3 },
  { query: 'Okta Password Reset', doc_id: 'kb5', grade: 0 },
  { query: 'cannot print anymore', doc_id: 'kb2', grade: 2 },
  { query: 'cannot print anymore', doc_id: 'zzz', grade: 1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n';

// synthetic queries for the messy fixture's corpus (d1..d4), beside its click log
const SYNTH_MESSY = [
  { query: 'reset okta', style: 'keyword', doc_id: 'd1', generator: 'offline', weight: 1 },
  { query: 'printer driver install', style: 'keyword', doc_id: 'd4', generator: 'offline', weight: 1 },
  { query: 'install printer drivers how', style: 'question', doc_id: 'd4', generator: 'offline', weight: 1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n';

const stage = (r: BuildResult, name: string): StageStats | undefined => r.report.stages.find((s) => s.stage === name);
const dropsOf = (s: StageStats) => Object.values(s.dropped).reduce((a, b) => a + b, 0);
const verdicts = (r: BuildResult) => Object.fromEntries(((r.report.sections.checklist as { verdicts: { id: string; verdict: string; summary: string }[] }).verdicts).map((v) => [v.id, v]));
const CLICK_STAGES = ['sessions', 'bias/counts', 'bias', 'evidence', 'grading'];

/** The BEIR test qrels of a build (query id, doc id, grade), without the header. */
const testQrels = (out: string): string[][] => {
  try { return readFileSync(join(out, 'dataset', 'beir', 'qrels', 'test.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')); } catch { return []; }
};

/** Every exported row of the clickforge, sentence-transformers and BEIR files validates against its schema. */
function expectExportsLoad(out: string): void {
  const kinds: Record<string, keyof typeof EXPORT_SCHEMAS> = { 'clickforge': 'clickforge', 'tevatron': 'tevatron', 'flagembedding': 'flagembedding' };
  let checked = 0;
  for (const [folder, kind] of Object.entries(kinds)) {
    for (const f of readdirSync(join(out, 'dataset', folder)).filter((x) => x.endsWith('.jsonl'))) {
      for (const [i, row] of readJsonl(join(out, 'dataset', folder, f)).entries()) {
        const v = EXPORT_SCHEMAS[kind].safeParse(row);
        expect(v.success, `${folder}/${f} row ${i + 1}: ${v.error?.message}`).toBe(true);
        checked++;
      }
    }
  }
  for (const f of readdirSync(join(out, 'dataset', 'sentence-transformers')).filter((x) => x.endsWith('.jsonl'))) {
    const kind = f.includes('pairs') ? 'sentence-transformers.pair' : 'sentence-transformers.tuple';
    for (const row of readJsonl(join(out, 'dataset', 'sentence-transformers', f))) { expect(EXPORT_SCHEMAS[kind].safeParse(row).success, f).toBe(true); checked++; }
  }
  for (const row of readJsonl(join(out, 'dataset', 'beir', 'corpus.jsonl'))) expect(EXPORT_SCHEMAS['beir.corpus'].safeParse(row).success).toBe(true);
  expect(checked).toBeGreaterThan(0);
}

describe('build without a click log', () => {
  let dir = '';
  const runs: Record<string, BuildResult> = {};
  const run = (name: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    build({ input: { corpus: join(dir, 'corpus.jsonl'), ...input }, output: join(dir, name), threads: 1, ...extra });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-noclicks-'));
    writeFileSync(join(dir, 'corpus.jsonl'), CORPUS);
    writeFileSync(join(dir, 'queries.jsonl'), SYNTH);
    writeFileSync(join(dir, 'seeds.jsonl'), SEEDS);
    writeFileSync(join(dir, 'messy-queries.jsonl'), SYNTH_MESSY);
    const synthetic = join(dir, 'queries.jsonl'), seeds = join(dir, 'seeds.jsonl');
    runs.synthetic = await run('synthetic', { synthetic });
    runs.again = await run('again', { synthetic });
    runs.anySplit = await run('any-split', { synthetic }, { sources: { synthetic: { trainOnly: false } } });
    runs.seeds = await run('seeds', { seeds });
    runs.both = await run('both', { synthetic, seeds });
    runs.clicks = await build({ input: { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl'), synthetic: join(dir, 'messy-queries.jsonl') }, output: join(dir, 'clicks'), threads: 1 });
  }, 120_000);

  it('synthetic only: every kept row is a positive with its provenance; rows in = kept + dropped by reason', () => {
    const r = runs.synthetic!;
    const st = stage(r, 'sources:synthetic')!;
    expect(st.in.rows).toBe(TOPICS.length * 2 + 3 + 1);
    expect(st.out.rows).toBe(TOPICS.length * 2);
    expect(st.dropped).toMatchObject({ unknown_doc: 1, missing_field: 1, bad_weight: 1, blank_line: 1 });
    expect(st.out.rows! + dropsOf(st)).toBe(st.in.rows);
    const pos = readJsonl(join(dir, 'synthetic', 'positives.jsonl')) as { query: string; doc_id: string; grade: number; evidence: { clicks: number; sources?: string[] } }[];
    expect(pos).toHaveLength(TOPICS.length * 2);
    expect(pos.every((p) => p.grade === 1 && p.evidence.clicks === 0 && p.evidence.sources?.[0]?.startsWith('synthetic:offline:'))).toBe(true);
    const q = readJsonl(join(dir, 'synthetic', 'quarantine.jsonl')).filter((x) => x.stage === 'sources');
    expect(q.map((x) => x.reason).sort()).toEqual(['bad_weight', 'missing_field', 'unknown_doc']);
    for (const c of r.report.accounting) expect(c.ok, `${c.name}: ${c.lhs} vs ${JSON.stringify(c.rhs)}`).toBe(true);
  });

  it('skips the click stages and says so: no click stage stats, bias not applicable, click questions not applicable', () => {
    const r = runs.synthetic!;
    for (const s of CLICK_STAGES) expect(stage(r, s), s).toBeUndefined();
    expect(r.report.sections.bias).toEqual({ applicable: false, reason: 'not applicable: no click log' });
    expect(r.report.sections.clickLog).toMatchObject({ present: false, skipped: expect.arrayContaining(['sessions', 'bias', 'behavioural negatives', 'session co-click veto']) });
    const v = verdicts(r);
    for (const id of ['positives', 'balance', 'freshness']) expect(v[id], id).toMatchObject({ verdict: 'not_applicable', summary: 'not applicable: no click log' });
    for (const id of ['negatives', 'falseNegatives', 'leakage']) expect(v[id]!.verdict, id).not.toBe('not_applicable');
    const steps = r.report.funnel.map((f) => f.step);
    expect(steps).toContain('synthetic rows kept');
    expect(steps).not.toContain('raw clicks');
    expect(r.report.funnel[0]!.count).toBe(stage(r, 'ingest:corpus')!.in.rows! + stage(r, 'sources:synthetic')!.in.rows!);
  });

  it('mines negatives with the miners that need no clicks; the false-negative filters run unchanged', () => {
    const r = runs.synthetic!;
    const mine = stage(r, 'negatives/mine')!;
    expect(mine.notes?.some((n) => n.startsWith('behavioural miner skipped: not applicable: no click log'))).toBe(true);
    expect(r.report.stages.some((s) => s.stage.startsWith('false-negatives/'))).toBe(true);
    const recs = readJsonl(join(dir, 'synthetic', 'dataset', 'clickforge', 'train.jsonl')) as { negatives: { source: string }[] }[];
    const sources = new Set(recs.flatMap((x) => x.negatives.map((n) => n.source)));
    expect(sources.has('bm25')).toBe(true);
    expect(sources.has('behavioural')).toBe(false);
    expectExportsLoad(join(dir, 'synthetic'));
  });

  it('puts synthetic-only families in train by default; with trainOnly off the split (and minTestClicks) places them', () => {
    const moved = stage(runs.synthetic!, 'sources:synthetic-to-train')!;
    const o = moved.out;
    expect(o.already_train! + o.moved_from_dev! + o.moved_from_test! + o.kept_held_out_linked! + o.without_record!).toBe(moved.in.synthetic_only_families);
    expect(o.moved_from_dev! + o.moved_from_test!).toBeGreaterThan(0);
    // held out: only the families the move left there because they are linked to a held-out family
    const heldOut = readJsonl(join(dir, 'synthetic', 'dataset', 'clickforge', 'dev.jsonl')).length + testQrels(join(dir, 'synthetic')).length;
    expect(heldOut > 0).toBe(o.kept_held_out_linked! > 0);
    const split = stage(runs.anySplit!, 'splits')!;
    expect(stage(runs.anySplit!, 'sources:synthetic-to-train')).toBeUndefined();
    expect(split.out.dev! + split.out.test!).toBeGreaterThan(0);
  });

  it('writes byte-identical files for the same inputs and seed', () => {
    // (manifest.json names the output folder, which differs here)
    for (const f of ['positives.jsonl', 'evidence.parquet', 'report.json', 'report.html', 'dataset/clickforge/train.jsonl', 'dataset/sentence-transformers/train.jsonl']) {
      expect(readFileSync(join(dir, 'again', f), 'utf8'), f).toBe(readFileSync(join(dir, 'synthetic', f), 'utf8'));
    }
  });

  it('seeds only: grade > 0 seeds are positives, grade 0 a judged negative, seed families in test', () => {
    const r = runs.seeds!;
    const st = stage(r, 'sources:seeds')!;
    expect([st.in.rows, st.out.rows, st.dropped.unknown_doc]).toEqual([4, 3, 1]);
    const pos = readJsonl(join(dir, 'seeds', 'positives.jsonl')) as { query: string; doc_id: string; grade: number }[];
    expect(pos.map((p) => [p.query, p.doc_id, p.grade]).sort()).toEqual([['Okta Password Reset', 'kb0', 3], ['cannot print anymore', 'kb2', 3]]);
    expect(stage(r, 'sources:seeds-in-test')!.out.seed_queries_test).toBe(2);
    expect(stage(r, 'sources:judged-negatives')!.out.added).toBe(1);
    expect(testQrels(join(dir, 'seeds')).map((q) => q.slice(1)).sort()).toEqual([['kb0', '3'], ['kb2', '3']]);
    for (const c of r.report.accounting) expect(c.ok, c.name).toBe(true);
  });

  it('synthetic + seeds: a synthetic query and a seed of one intent are one family, held out with the seed', () => {
    const r = runs.both!;
    const pos = readJsonl(join(dir, 'both', 'positives.jsonl')) as { query_norm: string; doc_id: string; grade: number; evidence: { sources?: string[] } }[];
    const okta = pos.find((p) => p.query_norm === 'okta password reset' && p.doc_id === 'kb0')!;
    expect(okta.grade).toBe(3);
    expect(okta.evidence.sources).toEqual(expect.arrayContaining(['synthetic:offline:keyword', 'seed']));
    const moved = stage(r, 'sources:synthetic-to-train')!;
    expect(moved.in.synthetic_only_families).toBeLessThan(stage(runs.synthetic!, 'sources:synthetic-to-train')!.in.synthetic_only_families!);
    const idOf = new Map(readJsonl(join(dir, 'both', 'dataset', 'beir', 'queries.jsonl')).map((q) => [q.text as string, q._id as string]));
    expect(testQrels(join(dir, 'both'))).toContainEqual([idOf.get('okta password reset'), 'kb0', '3']);
    const train = readJsonl(join(dir, 'both', 'dataset', 'clickforge', 'train.jsonl')).map((x) => x.query_norm);
    expect(train).not.toContain('okta password reset');
    for (const c of r.report.accounting) expect(c.ok, c.name).toBe(true);
  });

  it('clicks + synthetic: the click stages run, and synthetic-only families still go to train', () => {
    const r = runs.clicks!;
    for (const s of CLICK_STAGES) expect(stage(r, s), s).toBeDefined();
    expect(r.report.sections.clickLog).toBeUndefined();
    expect(verdicts(r).positives!.verdict).not.toBe('not_applicable');
    const moved = stage(r, 'sources:synthetic-to-train')!;
    expect(moved.in.synthetic_only_families).toBeGreaterThan(0);
    expect(moved.out.moved_from_dev! + moved.out.moved_from_test! + moved.out.already_train! + moved.out.kept_held_out_linked!).toBe(moved.in.synthetic_only_families);
  });
});

describe('build without a click log: what it refuses', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-noclicks-err-'));
    writeFileSync(join(dir, 'corpus.jsonl'), CORPUS);
    writeFileSync(join(dir, 'queries.jsonl'), SYNTH);
  });
  const attempt = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => build({ input, output: join(dir, 'out'), threads: 1, ...extra });

  it('no click log and no bootstrap source: no_input, naming both ways', async () => {
    await expect(attempt({ corpus: join(dir, 'corpus.jsonl') })).rejects.toThrow(/--serps.*--synthetic/s);
  });
  it('bootstrap sources without a corpus: no_corpus', async () => {
    await expect(attempt({ synthetic: join(dir, 'queries.jsonl') })).rejects.toMatchObject({ code: 'no_corpus' });
  });
  it('options that read the click log: needs_click_log, with what to change', async () => {
    const input = { corpus: join(dir, 'corpus.jsonl'), synthetic: join(dir, 'queries.jsonl') };
    await expect(attempt(input, { splits: { mode: 'chronological' } })).rejects.toMatchObject({ code: 'needs_click_log', message: expect.stringContaining('splits.mode auto or hashed') });
    await expect(attempt(input, { calibration: { fit: true } })).rejects.toMatchObject({ code: 'needs_click_log' });
  });
});
