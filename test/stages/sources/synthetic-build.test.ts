import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';

const FIX = new URL('../../fixtures/messy/', import.meta.url).pathname;
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

// a synth queries.jsonl: 3 good rows (one of a pair the click log already holds), 4 bad ones
const SYNTH = [
  { query: 'okta password reset how', style: 'question', doc_id: 'd1', passage_id: 'd1#0', generator: 'offline', noise: [], clean: 'okta password reset how', weight: 1 },
  { query: 'reset okta', style: 'keyword', doc_id: 'd1', passage_id: 'd1#0', generator: 'offline', noise: [], clean: 'reset okta', weight: 0.5 },
  { query: 'printer driver install', style: 'keyword', doc_id: 'd4', passage_id: 'd4#0', generator: 'offline', noise: [], clean: 'printer driver install', weight: 2 },
  { query: 'ghost doc', style: 'keyword', doc_id: 'nope', passage_id: 'nope#0', generator: 'offline', weight: 1 },
  { query: '  ', style: 'keyword', doc_id: 'd1', generator: 'offline', weight: 1 },
  { query: 'no generator', style: 'keyword', doc_id: 'd1', weight: 1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n{not json\n\n';

describe('build with --synthetic over a click log', () => {
  let r: BuildResult;
  let dir: string;
  let synth: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-synth-build-'));
    synth = join(dir, 'queries.jsonl');
    writeFileSync(synth, SYNTH);
    const input = { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl'), synthetic: synth };
    r = await build({ input, output: join(dir, 'out'), threads: 1 });
  });

  it('makes each good synthetic query a positive of its document with provenance synthetic:<generator>:<style>', () => {
    const pos = read(join(dir, 'out'), 'positives.jsonl') as { query: string; doc_id: string; grade: number; weight: number; evidence: { sources?: string[] } }[];
    const printer = pos.find((p) => p.query === 'printer driver install');
    expect(printer).toMatchObject({ doc_id: 'd4', grade: 1, weight: 2 });
    expect(printer!.evidence.sources).toEqual(['synthetic:offline:keyword']);
    expect(pos.find((p) => p.query === 'okta password reset how')?.evidence.sources).toEqual(['synthetic:offline:question']);
    // a pair with clicks and a synthetic query says both
    const both = pos.find((p) => p.doc_id === 'd1' && p.evidence.sources?.includes('clicks'));
    expect(both?.evidence.sources).toEqual(['clicks', 'synthetic:offline:keyword']);
    // pairs with clicks only carry no sources list
    expect(pos.some((p) => p.evidence.sources === undefined)).toBe(true);
  });

  it('quarantines every bad row with file, line and reason, and its counts add up', () => {
    const q = read(join(dir, 'out'), 'quarantine.jsonl').filter((x) => x.stage === 'sources') as { input: string; file: string; line: number; reason: string }[];
    expect(q.map((x) => [x.line, x.reason])).toEqual([[4, 'unknown_doc'], [5, 'missing_field'], [6, 'missing_field'], [7, 'bad_json']]);
    for (const x of q) expect([x.input, x.file]).toEqual(['synthetic', synth]);
    const st = r.report.stages.find((s) => s.stage === 'sources:synthetic')!;
    const drops = Object.values(st.dropped).reduce((a, b) => a + b, 0);
    expect(st.in.rows).toBe(8);
    expect(st.out.rows! + drops).toBe(st.in.rows);
    expect(st.out.rows).toBe(3);
    for (const c of r.report.accounting) expect(c.ok, `${c.name}: ${c.lhs} vs ${JSON.stringify(c.rhs)}`).toBe(true);
  });

  it('puts the synthetic queries in families and splits like click queries', () => {
    const splits = ['train', 'dev', 'test'].flatMap((s) => { try { return read(join(dir, 'out', 'dataset', 'clickforge'), `${s}.jsonl`); } catch { return []; } });
    expect(splits.some((x) => JSON.stringify(x).includes('printer driver install'))).toBe(true);
    const fam = r.report.stages.find((s) => s.stage === 'families')!;
    // the messy log has 4 distinct queries; the 2 synthetic queries no page holds join them
    expect(fam.in.queries).toBe(6);
  });
});
