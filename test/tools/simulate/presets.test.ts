import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildHelpdeskWorld, presetOptions, SIMULATE_PRESETS, simulateLog, simulateOptions, type SimulateOptionsInput,
} from '../../../src/tools/simulate/index.js';
import { contentTokens } from '../../../src/tools/simulate/text.js';
import { ClickforgeError } from '../../../src/errors.js';
import { cli } from '../../cli/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'cf-presets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const jsonl = <T>(p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as T);
interface Serp { serp_id: string; session_id: string; query: string; results: string[]; presentation?: unknown[]; clicks: { doc_id: string; rank: number; dwell_ms: number }[] }
interface Event { type: string; serp_id?: string; doc_id?: string; rank?: number }
interface TruthClick { serp_id: string; doc_id: string; rank: number; satisfied: boolean; pogo: boolean; dwell_ms: number }
interface Qrel { query: string; doc_id: string; grade: number }

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] as number; };
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

/** Share of shown results with a qrel of at least `grade` for the page's query. */
function relevantShare(pages: { query: string; results: string[] }[], qrels: Qrel[], grade: number): number {
  const g = new Map(qrels.map((r) => [`${r.query}\u0000${r.doc_id}`, r.grade]));
  let shown = 0, rel = 0;
  for (const p of pages) for (const d of p.results) { shown++; if ((g.get(`${p.query}\u0000${d}`) ?? 0) >= grade) rel++; }
  return rel / shown;
}

// One run of the default world and one of each preset, all with the same base options.
const base: SimulateOptionsInput = { sessions: 1500, format: ['serps', 'events'], truthClicks: true };
const dirs: Record<string, string> = {};
beforeAll(async () => {
  const runs: [string, SimulateOptionsInput][] = [
    ['default', base],
    ...SIMULATE_PRESETS.filter((p) => p !== 'small').map((p): [string, SimulateOptionsInput] => [p, presetOptions(p, base)]),
    ['small', presetOptions('small')],
  ];
  for (const [name, opts] of runs) {
    dirs[name] = join(tmp, name);
    await simulateLog(buildHelpdeskWorld(opts), opts, dirs[name]);
  }
}, 60_000);
const file = (run: string, rel: string) => join(dirs[run] as string, rel);

describe('presetOptions', () => {
  it('merges presets left to right, overrides on top, and every preset parses', () => {
    expect(presetOptions('no-dwell-signal', { sessions: 10, behaviour: { pogoRate: 0.2 } })).toEqual({ sessions: 10, behaviour: { dwellSignal: false, pogoRate: 0.2 } });
    expect(presetOptions(['small', 'click-only'], { sessions: 50 })).toEqual({ sessions: 50, logging: 'clicked-only' });
    for (const p of SIMULATE_PRESETS) expect(() => simulateOptions.parse(presetOptions(p))).not.toThrow();
    expect(simulateOptions.parse(presetOptions('small')).sessions).toBe(300);
  });

  it('refuses an unknown preset with the list of presets', () => {
    expect(() => presetOptions('tiny')).toThrow(ClickforgeError);
    expect(() => presetOptions(['small', 'tiny'])).toThrow(/no-dwell-signal, broad-topic, click-only, small/);
  });

  it('is a CLI flag, combined with flags that win over it', () => {
    const out = join(tmp, 'cli');
    const r = cli(['simulate', '--preset', 'small,click-only', '--sessions', '40', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('preset            small, click-only');
    const serps = jsonl<Serp>(join(out, 'serps.jsonl'));
    expect(new Set(serps.map((s) => s.session_id)).size).toBe(40);
    expect(serps.every((s) => s.results.length === s.clicks.length)).toBe(true);
    const bad = cli(['simulate', '--preset', 'easy', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown simulate preset "easy"');
  });
});

describe('no-dwell-signal', () => {
  const dwellBy = (run: string, pick: (c: TruthClick) => boolean) => jsonl<TruthClick>(file(run, 'truth/clicks.jsonl')).filter(pick).map((c) => c.dwell_ms);

  it('gives satisfied and unsatisfied clicks the same dwell distribution; the default world does not', () => {
    const sat = dwellBy('no-dwell-signal', (c) => c.satisfied), unsat = dwellBy('no-dwell-signal', (c) => !c.satisfied);
    const dSat = dwellBy('default', (c) => c.satisfied), dUnsat = dwellBy('default', (c) => !c.satisfied);
    expect(sat.length).toBeGreaterThan(500);
    expect(unsat.length).toBeGreaterThan(500);
    expect(Math.abs(median(sat) / median(unsat) - 1)).toBeLessThan(0.15);
    expect(Math.abs(mean(sat) / mean(unsat) - 1)).toBeLessThan(0.15);
    const short = (a: number[]) => a.filter((d) => d < 10_000).length / a.length;
    expect(Math.abs(short(sat) - short(unsat))).toBeLessThan(0.06);
    expect(median(dSat) / median(dUnsat)).toBeGreaterThan(3);
    expect(short(dUnsat) - short(dSat)).toBeGreaterThan(0.2);
  });

  it('keeps pogo-sticks as behaviour, with a dwell like any other click', () => {
    const pogo = dwellBy('no-dwell-signal', (c) => c.pogo), other = dwellBy('no-dwell-signal', (c) => !c.pogo);
    expect(pogo.length).toBeGreaterThan(200);
    expect(Math.abs(median(pogo) / median(other) - 1)).toBeLessThan(0.2);
    expect(median(dwellBy('default', (c) => c.pogo))).toBeLessThan(10_000);
  });

  it('changes only the dwell: the same clicks, satisfaction and pogo flags as the default world', () => {
    const key = (c: TruthClick) => `${c.serp_id} ${c.doc_id} ${c.rank} ${c.satisfied} ${c.pogo}`;
    expect(jsonl<TruthClick>(file('no-dwell-signal', 'truth/clicks.jsonl')).map(key)).toEqual(jsonl<TruthClick>(file('default', 'truth/clicks.jsonl')).map(key));
  });
});

describe('broad-topic', () => {
  it('shows relevant results far more often than the default world', () => {
    const share = (run: string, grade: number) => relevantShare(jsonl<Serp>(file(run, 'serps.jsonl')), jsonl<Qrel>(file(run, 'truth/qrels.jsonl')), grade);
    const broad = share('broad-topic', 1), def = share('default', 1);
    expect(broad).toBeGreaterThan(0.4);
    expect(broad - def).toBeGreaterThan(0.1);
    expect(share('broad-topic', 2)).toBeGreaterThan(share('default', 2) + 0.04);
  });

  it('has about twice the judged documents per query, and novice phrasings still miss the documents\' words', () => {
    const perQuery = (run: string) => { const q = jsonl<Qrel>(file(run, 'truth/qrels.jsonl')); return q.length / new Set(q.map((r) => r.query)).size; };
    expect(perQuery('broad-topic') / perQuery('default')).toBeGreaterThan(1.8);
    const world = buildHelpdeskWorld(presetOptions('broad-topic'));
    const words = new Map(world.docs.map((d) => [d.doc_id, new Set(contentTokens(`${d.title} ${d.text}`))]));
    const rel = new Map<string, string[]>();
    for (const r of world.qrels) rel.set(r.query, [...(rel.get(r.query) ?? []), r.doc_id]);
    const novice = world.queries.filter((q) => q.style === 'novice');
    const hit = novice.filter((q) => (rel.get(q.query) ?? []).some((d) => contentTokens(q.query).some((t) => words.get(d)?.has(t))));
    expect(hit.length / novice.length).toBeLessThan(0.1);
  });
});

describe('click-only', () => {
  const serps = () => jsonl<Serp>(file('click-only', 'serps.jsonl'));

  it('lists only clicked results, in rank order, with aligned presentation', () => {
    const s = serps();
    expect(s.some((p) => p.results.length > 1)).toBe(true);
    for (const p of s) {
      expect(p.results).toEqual([...p.clicks].sort((a, b) => a.rank - b.rank).map((c) => c.doc_id));
      expect(p.presentation).toHaveLength(p.results.length);
    }
  });

  it('writes impression events only for clicked documents, at their true rank', () => {
    const ev = jsonl<Event>(file('click-only', 'events.jsonl'));
    const imp = ev.filter((e) => e.type === 'impression').map((e) => `${e.serp_id} ${e.doc_id} ${e.rank}`).sort();
    const clk = ev.filter((e) => e.type === 'click').map((e) => `${e.serp_id} ${e.doc_id} ${e.rank}`).sort();
    expect(imp.length).toBeGreaterThan(1000);
    expect(imp).toEqual(clk);
    expect(clk.some((c) => !c.endsWith(' 1'))).toBe(true);
  });

  it('is the default world with the unclicked results left out; the truth keeps the full pages', () => {
    const full = jsonl<Serp>(file('default', 'serps.jsonl'));
    const shown = jsonl<{ serp_id: string; results: string[] }>(file('click-only', 'truth/shown.jsonl'));
    expect(shown.map((p) => p.results)).toEqual([...full].sort((a, b) => Number(a.serp_id.slice(1)) - Number(b.serp_id.slice(1))).map((p) => p.results));
    const strip = (p: Serp) => ({ ...p, results: undefined, presentation: undefined });
    expect(serps().map(strip)).toEqual(full.map(strip));
    expect(readFileSync(file('click-only', 'truth/qrels.jsonl'), 'utf8')).toBe(readFileSync(file('default', 'truth/qrels.jsonl'), 'utf8'));
    expect(readFileSync(file('click-only', 'truth/README.md'), 'utf8')).toContain('shown.jsonl');
    expect(readFileSync(file('default', 'truth/README.md'), 'utf8')).not.toContain('shown.jsonl');
  });
});

describe('small', () => {
  it('has 300 sessions of the default world', () => {
    const s = jsonl<Serp>(file('small', 'serps.jsonl'));
    expect(new Set(s.map((p) => p.session_id)).size).toBe(300);
    expect(s.length).toBeGreaterThan(300);
    expect(s.length).toBeLessThan(600);
    expect(readFileSync(file('small', 'corpus.jsonl'), 'utf8')).toBe(readFileSync(file('default', 'corpus.jsonl'), 'utf8'));
    expect(readFileSync(file('small', 'truth/qrels.jsonl'), 'utf8')).toBe(readFileSync(file('default', 'truth/qrels.jsonl'), 'utf8'));
  });
});
