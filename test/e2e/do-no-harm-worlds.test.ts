import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWarnings } from '../../src/cli/warnings.js';
import { parseConfig } from '../../src/config.js';
import { build, type BuildResult } from '../../src/pipeline.js';
import type { DoNoHarmSection } from '../../src/stages/calibration/harm.js';
import { buildHelpdeskWorld, presetOptions, sampleLabels, simulateLog, simulateOptions, type SampledLabel } from '../../src/tools/simulate/index.js';
import { hash32 } from '../../src/util/rng.js';
import type { Rate } from '../../src/util/intervals.js';

// Issue 13, item 4: the do-no-harm properties on the default help-desk world and on each harder
// preset. Each world is simulated, ~1500 shown (query, document) pairs are labelled from its truth,
// and a build with those labels must either not be worse than raw clicks / the base rate, or say
// so in a warning that carries the numbers and an option to set.
const SEED = 42;
const SESSIONS = 3000;
const LABELS = 1500;
const WORLDS = ['default', 'no-dwell-signal', 'broad-topic', 'click-only', 'small'] as const;
type WorldName = (typeof WORLDS)[number];

interface World { dir: string; sessions: number; labels: number; result: BuildResult; harm: DoNoHarmSection }
interface Calibrated { fit: BuildResult; heldOutLabels: number; defaults: World; calibrated: World; clickedInformative: boolean; unclickedInformative: boolean }

const tmp = mkdtempSync(join(tmpdir(), 'cf-do-no-harm-'));
const worlds = new Map<WorldName, World>();
let cal: Calibrated;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const writeLabels = (path: string, ls: readonly SampledLabel[]) => { writeFileSync(path, ls.map((l) => `${JSON.stringify(l)}\n`).join('')); return path; };
const input = (dir: string, labels: string) => ({ serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl'), labels });

async function buildWith(dir: string, labels: string, out: string, calibration: { fit?: boolean; file?: string } = {}): Promise<{ result: BuildResult; harm: DoNoHarmSection }> {
  const result = await build({ input: input(dir, labels), output: join(tmp, out), seed: SEED, calibration });
  const harm = result.report.sections.doNoHarm as DoNoHarmSection | null;
  if (!harm) throw new Error(`${out}: a build with labels wrote no doNoHarm section`);
  return { result, harm };
}

beforeAll(async () => {
  for (const name of WORLDS) {
    const opts = simulateOptions.parse(name === 'default' ? { sessions: SESSIONS, seed: SEED } : presetOptions(name, name === 'small' ? { seed: SEED } : { sessions: SESSIONS, seed: SEED }));
    const dir = join(tmp, name, 'sim');
    await simulateLog(buildHelpdeskWorld(opts), opts, dir);
    const labels = sampleLabels(dir, { pairs: LABELS, seed: SEED });
    const b = await buildWith(dir, writeLabels(join(tmp, name, 'labels.jsonl'), labels), join(name, 'build'));
    worlds.set(name, { dir, sessions: opts.sessions, labels: labels.length, ...b });
  }

  // The default world, calibrated on the labels of one half of the truth's query families and
  // measured on the other half, against the default build on the same held-out labels.
  const dir = worlds.get('default')!.dir;
  const half = { fit: new Set<string>(), held: new Set<string>() };
  for (const l of readFileSync(join(dir, 'truth', 'queries.jsonl'), 'utf8').split('\n')) {
    if (!l) continue;
    const q = JSON.parse(l) as { query: string; family: string };
    (hash32(`${SEED}:${q.family}`) % 2 === 0 ? half.fit : half.held).add(q.query);
  }
  const fitLabels = writeLabels(join(tmp, 'default', 'labels.fit.jsonl'), sampleLabels(dir, { pairs: LABELS, seed: SEED, queries: half.fit }));
  const heldOut = sampleLabels(dir, { pairs: LABELS, seed: SEED + 1, queries: half.held });
  const heldLabels = writeLabels(join(tmp, 'default', 'labels.held.jsonl'), heldOut);
  const fit = await buildWith(dir, fitLabels, join('default', 'fit'), { fit: true });
  const file = fit.result.files.calibration;
  if (!file) throw new Error('calibration.fit: true wrote no calibration.json');
  const models = (JSON.parse(readFileSync(file, 'utf8')) as { models: { clicked: { informative: boolean }; unclicked: { informative: boolean } } }).models;
  const d = await buildWith(dir, heldLabels, join('default', 'held-defaults'));
  const c = await buildWith(dir, heldLabels, join('default', 'held-calibrated'), { file });
  cal = {
    fit: fit.result,
    heldOutLabels: heldOut.length,
    defaults: { dir, sessions: SESSIONS, labels: heldOut.length, ...d },
    calibrated: { dir, sessions: SESSIONS, labels: heldOut.length, ...c },
    clickedInformative: models.clicked.informative,
    unclickedInformative: models.unclicked.informative,
  };
  printTable();
}, 600_000);

const w = (name: WorldName) => worlds.get(name)!;
const stage = (r: BuildResult, name: string) => r.report.stages.find((s) => s.stage === name);
const testQueries = (r: BuildResult) => stage(r, 'export')?.out.test ?? 0;
const bias = (r: BuildResult) => r.report.sections.bias as { identified: boolean; identification?: { clickOnly?: boolean } };

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
const ci = (r: Rate) => `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}] (${r.n})`;
function printTable() {
  const rows: [string, World][] = [...WORLDS.map((n): [string, World] => [n, w(n)]), ['default, held-out half: defaults', cal.defaults], ['default, held-out half: calibrated', cal.calibrated]];
  const lines = [
    `do-no-harm on simulated worlds (seed ${SEED}; relevant = truth grade > 0; Wilson 95% intervals; n in parentheses)`,
    `${'world'.padEnd(36)} ${'sessions'.padStart(8)} ${'labels'.padStart(6)}  ${'base rate'.padEnd(28)} ${'raw clicks'.padEnd(28)} ${'positives'.padEnd(28)} test-q  curve-id  warnings`,
  ];
  for (const [name, x] of rows) {
    const h = x.harm;
    lines.push(`${name.padEnd(36)} ${String(x.sessions).padStart(8)} ${String(x.labels).padStart(6)}  ${ci(h.baseRate).padEnd(28)} ${ci(h.rawClicks).padEnd(28)} ${ci(h.positives).padEnd(28)} ${String(testQueries(x.result)).padStart(6)}  ${String(bias(x.result).identified).padEnd(8)}  ${h.warnings.length}`);
    for (const d of h.discards) lines.push(`    discard ${d.rule}: discarded ${ci(d.discarded)} vs kept ${ci(d.kept)}${d.harmful ? '  HARMFUL' : ''}`);
    for (const [s, r] of Object.entries(h.negatives)) lines.push(`    negatives ${s}: ${ci(r)}${r.harmful ? '  HARMFUL' : ''}`);
    for (const m of h.warnings) lines.push(`    warning: ${m}`);
  }
  lines.push(`calibration (fit on ${(cal.fit.report.sections.doNoHarm as DoNoHarmSection).labelledPairs} labelled pairs of one half of the families, ${cal.heldOutLabels} held-out labels): clicked model informative ${cal.clickedInformative}, unclicked ${cal.unclickedInformative}; positives precision calibrated - defaults ${(cal.calibrated.harm.positives.rate - cal.defaults.harm.positives.rate).toFixed(3)}`);
  console.log(lines.join('\n'));
}

// Config paths a warning names (e.g. `evidence.shortDwellMs`), checked against the real options.
const defaults = parseConfig({ input: { serps: ['x.jsonl'] }, output: 'out' }) as unknown as Record<string, unknown>;
const isOption = (path: string) => {
  let v: unknown = defaults;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object' || !Object.hasOwn(v, k)) return false;
    v = (v as Record<string, unknown>)[k];
  }
  return true;
};
const optionsNamed = (line: string) => [...line.matchAll(/\b[a-z]+\.[a-z][A-Za-z]*\b/g)].map((m) => m[0]).filter(isOption);

/** Properties 1 and 2 of one build's doNoHarm section. */
function checkDoNoHarm(label: string, r: BuildResult, h: DoNoHarmSection) {
  expect(h.labelledPairs, `${label}: labelled shown pairs`).toBeGreaterThan(200);
  expect(h.rawClicks.n, `${label}: labelled clicked pairs`).toBeGreaterThanOrEqual(20);
  const warned = (re: RegExp) => h.warnings.some((x) => re.test(x));

  // 1. positives never less precise than raw clicks without a warning that says so
  if (!(h.positives.rate >= h.rawClicks.rate)) {
    expect(warned(/less precise than raw clicks/), `${label}: positives ${ci(h.positives)} below raw clicks ${ci(h.rawClicks)} with no warning`).toBe(true);
  }
  // ... negatives never relevant more often than the base rate without a warning naming the source
  for (const [s, n] of Object.entries(h.negatives)) {
    if (n.n >= 20 && n.rate > h.baseRate.rate) {
      expect(n.harmful, `${label}: negatives from ${s} ${ci(n)} above base rate ${ci(h.baseRate)} not flagged harmful`).toBe(true);
      expect(h.warnings.some((x) => x.includes(`negatives from ${s} `) && x.includes(n.rate.toFixed(3))), `${label}: no warning for negatives from ${s} ${ci(n)}`).toBe(true);
    }
  }
  // ... and no discard rule flagged harmful without its warning
  for (const d of h.discards) {
    if (d.harmful) expect(h.warnings.some((x) => x.includes(d.option) && x.includes(d.discarded.rate.toFixed(3))), `${label}: harmful "${d.rule}" ${ci(d.discarded)} vs ${ci(d.kept)} has no warning`).toBe(true);
  }
  // 2. every do-no-harm warning carries its numbers and an option that exists, and reaches the report's warnings
  for (const x of h.warnings) {
    expect(x, `${label}: warning without numbers`).toMatch(/\d\.\d{3}/);
    expect(optionsNamed(x), `${label}: warning names no option to set: ${x}`).not.toHaveLength(0);
    expect(r.report.warnings, `${label}: do-no-harm warning missing from report.warnings`).toContain(x);
  }
}

describe('do no harm on the default world and the harder presets', () => {
  for (const name of WORLDS) {
    it(`${name}: positives, negatives and discard rules do no harm or warn with the numbers and an option`, () => {
      checkDoNoHarm(name, w(name).result, w(name).harm);
    });
  }

  it('every world with fewer than 30 test queries warns that the test split is too small', () => {
    for (const name of WORLDS) {
      const r = w(name).result;
      if (testQueries(r) < 30) expect(buildWarnings(r.report).some((x) => /the test split holds/.test(x)), `${name}: ${testQueries(r)} test queries, no warning`).toBe(true);
    }
  });

  it('click-only: the curve is reported as not identified, with the click-only warning', () => {
    const r = w('click-only').result;
    expect(bias(r).identified).toBe(false);
    expect(buildWarnings(r.report).some((x) => /impressions seem recorded only for clicked results|not identified/.test(x))).toBe(true);
    // the default world's curve is identified: the check tells the worlds apart
    expect(bias(w('default').result).identified).toBe(true);
  });

  it('small: 300 sessions still build, and a thin test split is warned about', () => {
    const r = w('small').result;
    expect(w('small').sessions).toBe(300);
    expect(r.report.summary.positivePairs).toBeGreaterThan(0);
    const t = testQueries(r);
    if (t < 30) expect(buildWarnings(r.report).some((x) => x.startsWith(`the test split holds ${t} quer`))).toBe(true);
  });

  it('no-dwell-signal: the short-dwell / pogo discards are compared on the labels', () => {
    const rows = w('no-dwell-signal').harm.discards.filter((d) => /short_dwell|pogo/.test(d.rule));
    expect(rows.length).toBeGreaterThan(0);
    for (const d of rows) expect(d.discarded.n + d.kept.n).toBeGreaterThan(0);
  });

  it('broad-topic: a random shown result is relevant more often than in the default world', () => {
    expect(w('broad-topic').harm.baseRate.rate).toBeGreaterThan(w('default').harm.baseRate.rate);
  });
});

describe('calibration on the default world, measured on held-out query families', () => {
  it('both held-out builds do no harm or warn', () => {
    checkDoNoHarm('held-out defaults', cal.defaults.result, cal.defaults.harm);
    checkDoNoHarm('held-out calibrated', cal.calibrated.result, cal.calibrated.harm);
  });

  it('the clicked model is informative, and calibrated positives are at least as precise as the defaults (-0.02)', () => {
    expect(cal.clickedInformative).toBe(true);
    const c = cal.calibrated.harm.positives, d = cal.defaults.harm.positives;
    expect(c.n).toBeGreaterThanOrEqual(20);
    expect(c.rate, `calibrated ${ci(c)} vs defaults ${ci(d)}`).toBeGreaterThanOrEqual(d.rate - 0.02);
  });
});
