import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCollectionWorld, buildHelpdeskWorld, readBeirFolder, readCranfield, simulateLog,
  type SimulateOptionsInput, type SimulateStats, type SimulatedWorld,
} from '../../../src/tools/simulate/index.js';
import { contentTokens } from '../../../src/tools/simulate/text.js';
import { ClickforgeError } from '../../../src/errors.js';
import { normalizeQuery } from '../../../src/text/normalize.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cranfieldDir = resolve(repoRoot, '../shared/data/cranfield');
const tmp = mkdtempSync(join(tmpdir(), 'cf-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const jsonl = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record<string, unknown>);
interface SerpRow { serp_id: string; session_id: string; user_id: string; ts: string; query: string; results: string[]; clicks: { doc_id: string; ts: string; dwell_ms?: number; rank: number }[]; conversions: { kind: string }[]; session_success: boolean }

function allFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)])).sort();
}

describe('help-desk world', () => {
  const world = buildHelpdeskWorld({ world: { intents: 300 } });
  const positives = new Map<string, string[]>();
  for (const r of world.qrels) if (r.grade >= 2) positives.set(r.query, [...(positives.get(r.query) ?? []), r.doc_id]);

  it('judges every query, with multi-positives and grades in 1..3', () => {
    const judged = new Set(world.qrels.map((r) => r.query));
    for (const q of world.queries) expect(judged.has(q.query)).toBe(true);
    expect(world.qrels.every((r) => r.grade >= 1 && r.grade <= 3)).toBe(true);
    const multi = world.queries.filter((q) => (positives.get(q.query) ?? []).length >= 2).length;
    expect(multi / world.queries.length).toBeGreaterThan(0.5);
    expect(world.qrels.some((r) => r.grade === 1)).toBe(true);
  });

  it('has seven styles per intent, unique query texts, a train/test split by family and weights summing to 1', () => {
    expect(new Set(world.queries.map((q) => q.style)).size).toBe(7);
    expect(new Set(world.queries.map((q) => normalizeQuery(q.query))).size).toBe(world.queries.length);
    const byFam = new Map<string, Set<string>>();
    for (const q of world.queries) byFam.set(q.family, (byFam.get(q.family) ?? new Set()).add(q.split));
    expect([...byFam.values()].every((s) => s.size === 1)).toBe(true);
    const test = world.queries.filter((q) => q.split === 'test').length / world.queries.length;
    expect(test).toBeGreaterThan(0.1);
    expect(test).toBeLessThan(0.3);
    expect(world.queries.reduce((a, q) => a + q.weight, 0)).toBeCloseTo(1, 6);
  });

  it('uses opaque doc ids and has near-duplicates, lookalikes and eye-catching documents', () => {
    expect(world.docs.every((d) => /^KB\d+$/.test(d.doc_id))).toBe(true);
    expect(world.docs.some((d) => d.title.endsWith('(updated)'))).toBe(true);
    expect(world.docs.some((d) => d.attractive)).toBe(true);
    const fam = world.queries[0]?.family ?? '';
    expect((world.lookalikes.get(fam) ?? []).length).toBeGreaterThan(0);
    const pub = world.docs.map((d) => d.published_at);
    expect(Math.max(...pub) - Math.min(...pub)).toBeGreaterThan(365 * 86400_000);
  });

  it('novice phrasings rarely share a word with their positives; keyword phrasings always do', () => {
    const docs = new Map(world.docs.map((d) => [d.doc_id, new Set(contentTokens(`${d.title} ${d.text}`))]));
    const overlap = (style: string) => {
      const qs = world.queries.filter((q) => q.style === style);
      const hit = qs.filter((q) => (positives.get(q.query) ?? []).some((d) => contentTokens(q.query).some((t) => docs.get(d)?.has(t))));
      return hit.length / qs.length;
    };
    expect(overlap('novice')).toBeLessThan(0.1);
    expect(overlap('keyword')).toBe(1);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => buildHelpdeskWorld({ clicks: { model: 'ubm' as 'pbm' } })).toThrow(/clicks\.model/);
    expect(() => buildHelpdeskWorld({ start: '2024-05-01', end: '2024-01-01' })).toThrow(ClickforgeError);
  });
});

describe('simulateLog', () => {
  const small: SimulateOptionsInput = { sessions: 400, world: { intents: 60 }, format: ['serps', 'events'] };

  it('is deterministic: same seed = same bytes, another seed differs', async () => {
    const w1 = buildHelpdeskWorld(small);
    await simulateLog(w1, small, join(tmp, 'd1'));
    await simulateLog(buildHelpdeskWorld(small), small, join(tmp, 'd2'));
    const other = { ...small, seed: 7 };
    await simulateLog(buildHelpdeskWorld(other), other, join(tmp, 'd3'));
    const files = allFiles(join(tmp, 'd1'));
    expect(files).toEqual(allFiles(join(tmp, 'd2')));
    expect(files).toContain('truth/beir/qrels/test.tsv');
    for (const f of files) expect(readFileSync(join(tmp, 'd2', f)).equals(readFileSync(join(tmp, 'd1', f))), f).toBe(true);
    expect(readFileSync(join(tmp, 'd3', 'serps.jsonl')).equals(readFileSync(join(tmp, 'd1', 'serps.jsonl')))).toBe(false);
  });

  it('writes SERP records and flat events that agree, in chronological order', () => {
    const serps = jsonl(join(tmp, 'd1', 'serps.jsonl')) as unknown as SerpRow[];
    const events = jsonl(join(tmp, 'd1', 'events.jsonl'));
    const ts = serps.map((s) => Date.parse(s.ts));
    expect(ts.every((t, i) => i === 0 || t >= (ts[i - 1] as number))).toBe(true);
    const ets = events.map((e) => Date.parse(String(e.ts)));
    expect(ets.every((t, i) => i === 0 || t >= (ets[i - 1] as number))).toBe(true);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('search')).toBe(serps.length);
    expect(count('impression')).toBe(serps.reduce((a, s) => a + s.results.length, 0));
    expect(count('click')).toBe(serps.reduce((a, s) => a + s.clicks.length, 0));
    expect(count('conversion')).toBe(serps.reduce((a, s) => a + s.conversions.length, 0));
    expect(count('session_end')).toBe(400);
    for (const s of serps) {
      for (const c of s.clicks) {
        expect(s.results[c.rank - 1]).toBe(c.doc_id);
        expect(Date.parse(c.ts)).toBeGreaterThan(Date.parse(s.ts));
        expect(c.dwell_ms).toBeGreaterThan(0);
      }
    }
    const corpus = jsonl(join(tmp, 'd1', 'corpus.jsonl'));
    expect(Object.keys(corpus[0] ?? {})).toEqual(['doc_id', 'title', 'text', 'category', 'entity', 'published_at']);
    const qrelsTsv = readFileSync(join(tmp, 'd1', 'truth/beir/qrels/train.tsv'), 'utf8').split('\n');
    expect(qrelsTsv[0]).toBe('query-id\tcorpus-id\tscore');
  });

  it('cascade: at most one click per page; events-only output works', async () => {
    const o: SimulateOptionsInput = { ...small, sessions: 300, clicks: { model: 'cascade' }, format: ['events'] };
    const stats = await simulateLog(buildHelpdeskWorld(o), o, join(tmp, 'cascade'));
    expect(existsSync(join(tmp, 'cascade', 'serps.jsonl'))).toBe(false);
    const events = jsonl(join(tmp, 'cascade', 'events.jsonl'));
    const perSerp = new Map<string, number>();
    for (const e of events) if (e.type === 'click') perSerp.set(String(e.serp_id), (perSerp.get(String(e.serp_id)) ?? 0) + 1);
    expect(Math.max(...perSerp.values())).toBe(1);
    expect(events.filter((e) => e.type === 'search').length).toBe(stats.out.serps);
    const ex = stats.detail.examinedByRank;
    expect(ex[0]).toBe(1);
    expect(ex[9] as number).toBeLessThan(ex[1] as number);
  });

  it('omits dwell_ms in timestamps mode', async () => {
    const o: SimulateOptionsInput = { ...small, sessions: 100, dwell: 'timestamps', format: ['serps'] };
    await simulateLog(buildHelpdeskWorld(o), o, join(tmp, 'ts'));
    const serps = jsonl(join(tmp, 'ts', 'serps.jsonl')) as unknown as SerpRow[];
    const clicks = serps.flatMap((s) => s.clicks);
    expect(clicks.length).toBeGreaterThan(0);
    expect(clicks.every((c) => c.dwell_ms === undefined)).toBe(true);
  });
});

describe('click model on a mid-size log', () => {
  let stats: SimulateStats;
  let serps: SerpRow[];
  let world: SimulatedWorld;
  const o: SimulateOptionsInput = { sessions: 12_000, world: { intents: 150 }, ranker: { shuffleRate: 1 } };
  beforeAll(async () => {
    world = buildHelpdeskWorld(o);
    stats = await simulateLog(world, o, join(tmp, 'pbm'));
    serps = jsonl(join(tmp, 'pbm', 'serps.jsonl')) as unknown as SerpRow[];
  });

  it('counts what it wrote', () => {
    expect(serps.length).toBe(stats.out.serps);
    expect(serps.reduce((a, s) => a + s.clicks.length, 0)).toBe(stats.out.clicks);
    expect(new Set(serps.map((s) => s.session_id)).size).toBe(12_000);
    const users = new Map<string, Set<string>>();
    for (const s of serps) users.set(s.user_id, (users.get(s.user_id) ?? new Set()).add(s.session_id));
    expect([...users.values()].filter((s) => s.size > 1).length).toBeGreaterThan(100);
  });

  it('click-through rate by rank follows the examination curve (randomised top-k)', () => {
    const e = world.examination;
    const ctr = stats.detail.clicksByRank.map((c, r) => c / (stats.detail.pagesByRank[r] as number));
    for (let r = 1; r < 10; r++) {
      const ratio = (ctr[r] as number) / (ctr[0] as number) / ((e[r] as number) / (e[0] as number));
      expect(ratio, `rank ${r + 1}`).toBeGreaterThan(0.85);
      expect(ratio, `rank ${r + 1}`).toBeLessThan(1.15);
    }
    const truth = JSON.parse(readFileSync(join(tmp, 'pbm', 'truth/examination.json'), 'utf8')) as { curve: number[]; observed: number[] };
    truth.curve.forEach((v, r) => expect(Math.abs((truth.observed[r] as number) - v)).toBeLessThan(0.02));
  });

  it('has head and tail queries', () => {
    const freq = new Map<string, number>();
    for (const s of serps) freq.set(s.query, (freq.get(s.query) ?? 0) + 1);
    const counts = [...freq.values()].sort((a, b) => b - a);
    expect(counts[0] as number).toBeGreaterThan(20 * (counts[Math.floor(counts.length / 2)] as number));
  });
});

describe('users: satisfaction, dwell, pogo and reformulation', () => {
  let stats: SimulateStats;
  let clicks: { serp_id: string; doc_id: string; grade: number; satisfied: boolean; pogo: boolean; dwell_ms: number }[];
  let serps: SerpRow[];
  let world: SimulatedWorld;
  const o: SimulateOptionsInput = { sessions: 8000, world: { intents: 150 }, truthClicks: true, clicks: { model: 'dbn' }, behaviour: { pogoRate: 0.3, reformulateRate: 0.4 } };
  beforeAll(async () => {
    world = buildHelpdeskWorld(o);
    stats = await simulateLog(world, o, join(tmp, 'dbn'));
    clicks = jsonl(join(tmp, 'dbn', 'truth/clicks.jsonl')) as unknown as typeof clicks;
    serps = jsonl(join(tmp, 'dbn', 'serps.jsonl')) as unknown as SerpRow[];
  });

  it('satisfied clicks are more often relevant than unsatisfied ones, but dwell overlaps', () => {
    const sat = clicks.filter((c) => c.satisfied);
    const unsat = clicks.filter((c) => !c.satisfied);
    const rel = (a: typeof clicks) => a.filter((c) => c.grade >= 2).length / a.length;
    expect(rel(sat)).toBeGreaterThan(rel(unsat) + 0.2);
    expect(sat.filter((c) => c.dwell_ms < 30_000).length / sat.length).toBeGreaterThan(0.1);
    expect(unsat.filter((c) => c.dwell_ms >= 30_000).length / unsat.length).toBeGreaterThan(0.1);
    // Irrelevant results get clicks, more when they look attractive.
    expect(clicks.filter((c) => c.grade === 0).length).toBeGreaterThan(100);
  });

  it('eye-catching irrelevant documents are clicked more often than plain irrelevant ones', () => {
    const attractive = new Set(world.docs.filter((d) => d.attractive).map((d) => d.doc_id));
    const judged = new Set(world.qrels.map((r) => `${r.query}\u0000${r.doc_id}`));
    const shown = [0, 0], clicked = [0, 0];
    for (const s of serps) {
      const cl = new Set(s.clicks.map((c) => c.doc_id));
      s.results.forEach((d, r) => {
        if (r > 2 || judged.has(`${s.query}\u0000${d}`)) return;
        const k = attractive.has(d) ? 1 : 0;
        shown[k]!++;
        if (cl.has(d)) clicked[k]!++;
      });
    }
    expect((clicked[1] as number) / (shown[1] as number)).toBeGreaterThan(1.5 * ((clicked[0] as number) / (shown[0] as number)));
  });

  it('pogo-sticking and reformulation happen at the configured rates', () => {
    const d = stats.detail;
    expect(d.pogo / d.unsatisfiedClicks).toBeGreaterThan(0.26);
    expect(d.pogo / d.unsatisfiedClicks).toBeLessThan(0.34);
    expect(d.reformulations / d.reformulationChances).toBeGreaterThan(0.36);
    expect(d.reformulations / d.reformulationChances).toBeLessThan(0.44);
    expect(clicks.filter((c) => c.pogo).length).toBe(d.pogo);
    // In the log: extra pages per session = reformulations + topic switches.
    expect(serps.length - d.sessions).toBe(d.reformulations + d.topicSwitches);
    // A reformulation is another phrasing of the same intent.
    const fam = new Map(world.queries.map((q) => [q.query, q.family]));
    const bySession = new Map<string, SerpRow[]>();
    for (const s of serps) bySession.set(s.session_id, [...(bySession.get(s.session_id) ?? []), s]);
    let same = 0, changed = 0;
    for (const pages of bySession.values()) {
      for (let i = 1; i < pages.length; i++) {
        const a = pages[i - 1] as SerpRow, b = pages[i] as SerpRow;
        if (fam.get(a.query) === fam.get(b.query)) { same++; expect(b.query).not.toBe(a.query); } else changed++;
      }
    }
    expect(same).toBeGreaterThan(0);
    expect(changed).toBeLessThan(same);
  });
});

describe('real collections', () => {
  it('reads a BEIR folder and reports bad lines with file and line', async () => {
    const dir = join(tmp, 'beir');
    mkdirSync(join(dir, 'qrels'), { recursive: true });
    writeFileSync(join(dir, 'corpus.jsonl'), '{"_id":"d1","title":"Cats","text":"cats purr"}\n{"_id":"d2","title":"Dogs","text":"dogs bark loudly"}\n{"_id":"d3","title":"","text":"birds sing"}\n');
    writeFileSync(join(dir, 'queries.jsonl'), '{"_id":"q1","text":"why do cats purr"}\n{"_id":"q2","text":"barking dogs"}\n{"_id":"q3","text":"unjudged"}\n');
    writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td3\t0\nq2\td2\t1\n');
    const coll = readBeirFolder(dir);
    expect(coll.docs).toHaveLength(3);
    expect(coll.qrels).toEqual([{ query_id: 'q1', doc_id: 'd1', grade: 2 }, { query_id: 'q2', doc_id: 'd2', grade: 1 }]);
    const o: SimulateOptionsInput = { sessions: 50, world: { collectionVariants: 1 } };
    const world = buildCollectionWorld(coll, o);
    expect(world.queries.map((q) => q.family).sort()).toEqual(['q1', 'q1', 'q2', 'q2']);
    expect(world.queries.find((q) => q.query_id === 'q1')?.style).toBe('question');
    expect(world.notes?.join(' ')).toMatch(/1 queries without a positive judgement/);
    const stats = await simulateLog(world, o, join(tmp, 'beir-out'));
    expect(stats.out.serps).toBeGreaterThanOrEqual(50);
    writeFileSync(join(dir, 'queries.jsonl'), '{"_id":"q1","text":"x"}\n{oops\n');
    expect(() => readBeirFolder(dir)).toThrow(/queries\.jsonl:2/);
  });

  it.skipIf(!existsSync(cranfieldDir))('reads Cranfield: 1400 docs, 225 queries numbered as cranqrel numbers them', async () => {
    const c = readCranfield(cranfieldDir);
    expect(c.docs).toHaveLength(1400);
    expect(c.queries).toHaveLength(225);
    expect(c.queries[2]).toMatchObject({ query_id: '3', source_id: '004' });
    expect(c.queries[2]?.text).toMatch(/heat conduction in composite slabs/);
    expect(c.queries[224]?.query_id).toBe('225');
    // cranqrel "1 184 2": Cleverdon 2 -> grade 2; -1 rows are skipped.
    expect(c.qrels).toContainEqual({ query_id: '1', doc_id: '184', grade: 2 });
    expect(c.qrels.some((r) => r.query_id === '1' && r.doc_id === '486')).toBe(false);
    // Query 3 is about heat conduction in slabs: so are its judged documents.
    const best = c.qrels.filter((r) => r.query_id === '3').map((r) => c.docs[Number(r.doc_id) - 1]?.text ?? '');
    expect(best.some((t) => /conduction|slab/.test(t))).toBe(true);
    const world = buildCollectionWorld(c, { sessions: 300 });
    expect(world.queries).toHaveLength(225);
    const stats = await simulateLog(world, { sessions: 300 }, join(tmp, 'cran'));
    expect(stats.out.clicks).toBeGreaterThan(0);
  });
});
