import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';

const FIX = new URL('../../fixtures/messy/', import.meta.url).pathname;
const read = (f: string) => { try { return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>); } catch { return []; } };

// seeds: two positives, two judged negatives, one bad grade, one unknown doc
const SEEDS = [
  { query: 'okta password', doc_id: 'd1', grade: 2 },
  { query: 'okta password', doc_id: 'd4', grade: 0 },
  { query: 'vpn setup', doc_id: 'd2', grade: 1 },
  { query: 'vpn setup', doc_id: 'd1', grade: 0 },
  { query: 'printer', doc_id: 'd4', grade: 'high' },
  { query: 'printer', doc_id: 'zzz', grade: 1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n';

type Rec = { query: string; positives: { doc_id: string; grade: number }[]; negatives: { doc_id: string; source: string }[] };

async function run(dir: string, seeds: string, extra: Record<string, unknown> = {}): Promise<BuildResult> {
  const input = { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl'), seeds };
  return build({ input, output: dir, threads: 1, ...extra });
}

describe('build with --seeds over a click log', () => {
  let r: BuildResult;
  let off: BuildResult;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-seeds-build-'));
    writeFileSync(join(dir, 'seeds.jsonl'), SEEDS);
    r = await run(join(dir, 'out'), join(dir, 'seeds.jsonl'));
    off = await run(join(dir, 'off'), join(dir, 'seeds.jsonl'), { sources: { seeds: { keepInTest: false } } });
  });

  it('makes grade > 0 seeds positives of the highest grade, with provenance seed', () => {
    const pos = read(join(dir, 'out', 'positives.jsonl')) as { query: string; doc_id: string; grade: number; evidence: { sources?: string[] } }[];
    expect(pos.find((p) => p.query === 'okta password' && p.doc_id === 'd1')).toMatchObject({ grade: 3, evidence: { sources: ['seed'] } });
    expect(pos.find((p) => p.query === 'vpn setup')).toMatchObject({ doc_id: 'd2', grade: 3 });
    expect(pos.some((p) => p.doc_id === 'd4' && p.query === 'okta password')).toBe(false);
  });

  it('keeps seed families in test by default and says how many seeds each split holds', () => {
    // the test split is exported as BEIR: queries.jsonl + qrels/test.tsv
    const queries = new Map((read(join(dir, 'out', 'dataset', 'beir', 'queries.jsonl')) as { _id: string; text: string }[]).map((q) => [q.text, q._id]));
    const qrels = readFileSync(join(dir, 'out', 'dataset', 'beir', 'qrels', 'test.tsv'), 'utf8');
    for (const q of ['okta password', 'vpn setup']) expect(qrels, q).toMatch(new RegExp(`^${queries.get(q)}\t`, 'm'));
    const st = r.report.stages.find((s) => s.stage === 'sources:seeds-in-test')!;
    expect(st.in.seed_queries).toBe(2);
    expect(st.out.seed_queries_test).toBe(2);
    const stOff = off.report.stages.find((s) => s.stage === 'sources:seeds-in-test')!;
    expect(stOff.out.families_moved_to_test).toBe(0);
    expect(stOff.out.seed_queries_test).toBeLessThan(2);
  });

  it('exports grade-0 seeds as negatives of their query, never removed by a filter', () => {
    // with keepInTest off the seed records are training records, whose negatives are exported
    const all = ['train', 'dev'].flatMap((s) => read(join(dir, 'off', 'dataset', 'clickforge', `${s}.jsonl`))) as Rec[];
    const okta = all.find((x) => x.query === 'okta password')!;
    expect(okta.negatives[0]).toMatchObject({ doc_id: 'd4', source: 'judged' });
    const vpn = all.find((x) => x.query === 'vpn setup')!;
    expect(vpn.negatives[0]).toMatchObject({ doc_id: 'd1', source: 'judged' });
    const st = off.report.stages.find((s) => s.stage === 'sources:judged-negatives')!;
    expect(st.in.judged_negatives).toBe(2);
    expect(st.out.added! + Object.values(st.dropped).reduce((a, b) => a + b, 0)).toBe(st.in.judged_negatives);
  });

  it('quarantines the bad seed rows with line and reason; the seeds counts add up', () => {
    const q = read(join(dir, 'out', 'quarantine.jsonl')).filter((x) => x.stage === 'sources') as { input: string; line: number; reason: string }[];
    expect(q.map((x) => [x.input, x.line, x.reason])).toEqual([['seeds', 5, 'bad_grade'], ['seeds', 6, 'unknown_doc']]);
    const st = r.report.stages.find((s) => s.stage === 'sources:seeds')!;
    expect(st.in.rows).toBe(6);
    expect(st.out.rows).toBe(4);
    for (const c of r.report.accounting) expect(c.ok, `${c.name}: ${c.lhs} vs ${JSON.stringify(c.rhs)}`).toBe(true);
  });

  it('the funnel by source counts seed rows kept, of them positives (grade 0 rows are judged negatives), and drops', () => {
    const f = r.report.sections.sourceFunnel as { rows: { source: string; in: number; kept: number; keptPositives: number; dropped: Record<string, number> }[] };
    expect(f.rows.find((x) => x.source === 'seeds')).toMatchObject({ in: 6, kept: 4, keptPositives: 2, dropped: { bad_grade: 1, unknown_doc: 1 } });
  });
});
