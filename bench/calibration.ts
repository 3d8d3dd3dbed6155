/**
 * Calibration and do-no-harm, measured on labels the calibration never saw.
 *
 * Worlds: the real TREC Session 2014 log (../shared/data, or $CLICKFORGE_DATA; skipped with a
 * message when absent) and five simulated worlds (default help desk, no-dwell-signal, broad-topic,
 * click-only, small), whose labels are a seeded sample of shown results graded from the truth.
 * Per world, labelled pairs are split by group (TREC: connected sessions and queries; simulated:
 * the truth's query family) into a calibration side (`--calibration`, 20%) and a measurement
 * side. Three builds run on the same log: defaults with the measurement labels, `calibrate` with
 * the calibration labels, and `build --calibration` with the measurement labels. Every figure is
 * over measurement-side labelled pairs (relevant = grade > 0): precision of positives (raw clicks,
 * defaults, calibrated), the false-negative rate of exported negatives per source, the best single
 * signal against the calibrated estimate at the same number of clicked pairs, the held-out AUC of
 * the estimate among clicked pairs, and the do-no-harm warnings. Wilson 95% intervals for rates;
 * a bootstrap over measurement groups for the gains.
 * On TREC and the default world (`--curve-worlds`) it then draws the curve of precision and AUC
 * against the number of calibration labels (calibration pool and measurement side half and half).
 *
 *   npx tsx bench/calibration.ts [--seed 42] [--calibration 0.2] [--worlds trec,default,...] [--curve 100,200,400,800,0] [--curve-worlds trec,default] [--out DIR]
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { openDb, readColumns, sqlString } from '../src/db/duckdb.js';
import { build, type BuildResult } from '../src/pipeline.js';
import type { DoNoHarmSection } from '../src/stages/calibration/harm.js';
import { auc } from '../src/stages/calibration/logistic.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { calibrationGroups, groupQueries, labelGrades } from '../src/tools/real-logs/measure.js';
import { readTrecSession, trecSessionDir, trecSessionPresent, writeTrecSession } from '../src/tools/real-logs/trec-session.js';
import { buildHelpdeskWorld, presetOptions, sampleLabels, simulateLog, simulateOptions } from '../src/tools/simulate/index.js';
import { bootstrapGroups, rateAmong, rateOf, type Rate } from '../src/util/intervals.js';
import { arg } from './args.js';

const seed = Number(arg('seed', '42'));
const share = Number(arg('calibration', '0.2'));
const worlds = arg('worlds', 'trec,default,no-dwell-signal,broad-topic,click-only,small').split(',');
const curveSizes = arg('curve', '100,200,400,800,0').split(',').filter(Boolean).map(Number);
const curveWorlds = new Set(arg('curve-worlds', 'trec,default').split(','));
const work = arg('out', join(tmpdir(), `clickforge-bench-calibration-${seed}`));
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

interface Label { query: string; doc_id: string; grade: number }
interface World { name: string; serps: string; corpus: string; labels: Label[]; groupOf: (queryNorm: string) => string; config: ConfigInput }

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '  -  ' : x.toFixed(3));
const ci = (r: Rate) => (r.n ? `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}]` : '        -          ');
const ivl = (c: [number, number] | null) => (c ? `[${c[0] >= 0 ? '+' : ''}${c[0].toFixed(3)}, ${c[1] >= 0 ? '+' : ''}${c[1].toFixed(3)}]` : '[-]');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const key = (q: string, d: string) => `${q}\t${d}`;
const writeLabels = (path: string, ls: readonly Label[]) => writeFileSync(path, ls.map((l) => JSON.stringify(l)).join('\n') + '\n');

/** What one build says about each labelled pair. */
interface PairView { shown: boolean; clicked: boolean; positive: boolean; p: number | null; negSources: Set<string> }
async function viewOf(r: BuildResult): Promise<Map<string, PairView>> {
  const out = new Map<string, PairView>();
  const { conn, close } = await openDb();
  const cols = await readColumns(conn, `SELECT * EXCLUDE (signals) FROM read_parquet(${sqlString(r.files.evidence!)})`);
  const hasP = cols.names.includes('calibrated_relevance');
  const qn = cols.str('query_norm'), doc = cols.str('doc_id'), clicks = cols.num('clicks'), p = hasP ? cols.num('calibrated_relevance') : null;
  for (let i = 0; i < cols.rowCount; i++) out.set(key(qn[i]!, doc[i]!), { shown: true, clicked: clicks[i]! > 0, positive: false, p: p ? p[i]! : null, negSources: new Set() });
  close();
  for (const l of readFileSync(r.files.positives!, 'utf8').split('\n')) {
    if (!l) continue;
    const x = JSON.parse(l) as { query_norm: string; doc_id: string };
    const v = out.get(key(x.query_norm, x.doc_id));
    if (v) v.positive = true;
  }
  const dir = join(r.outDir, 'dataset', 'clickforge');
  for (const f of existsSync(dir) ? readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort() : []) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!l) continue;
      const row = JSON.parse(l) as { query_norm: string; negatives: { doc_id: string; source: string; filled?: boolean }[] };
      for (const n of row.negatives) {
        const k = key(row.query_norm, n.doc_id);
        let v = out.get(k);
        if (!v) out.set(k, (v = { shown: false, clicked: false, positive: false, p: null, negSources: new Set() }));
        v.negSources.add(n.filled ? 'fill' : n.source);
      }
    }
  }
  return out;
}

/** Measurement-side pairs: label, group, and the views of the default and calibrated builds. */
interface Row { k: string; relevant: boolean; group: number; d: PairView | undefined; c: PairView | undefined }

const rate = (rows: readonly Row[], keep: (r: Row) => boolean): Rate => rateAmong(rows, (r) => r.relevant, keep);
function gain(rows: readonly Row[], groups: number, a: (r: Row) => boolean, b: (r: Row) => boolean, s: number) {
  const diff = rate(rows, a).rate - rate(rows, b).rate;
  const w = (m: Uint32Array, keep: (r: Row) => boolean) => {
    let n = 0, k = 0;
    for (const r of rows) if (keep(r)) { n += m[r.group]!; if (r.relevant) k += m[r.group]!; }
    return n ? k / n : null;
  };
  return { diff, ci: bootstrapGroups(groups, (m) => { const x = w(m, a), y = w(m, b); return x === null || y === null ? null : x - y; }, 1000, s) };
}

function splitLabels(w: World, calShare: number, s: number): { cal: Label[]; meas: Label[] } {
  const weight = new Map<string, number>();
  for (const l of w.labels) { const g = w.groupOf(normalizeQuery(l.query)); weight.set(g, (weight.get(g) ?? 0) + 1); }
  const calGroups = calibrationGroups(weight, calShare, s);
  const cal: Label[] = [], meas: Label[] = [];
  for (const l of w.labels) (calGroups.has(w.groupOf(normalizeQuery(l.query))) ? cal : meas).push(l);
  return { cal, meas };
}

interface Outcome { raw: Rate; defaults: Rate; calibrated: Rate; gainRaw: ReturnType<typeof gain>; gainDefaults: ReturnType<typeof gain>; aucCal: number | null; best: { name: string; signal: Rate; calibratedSame: Rate; gain: ReturnType<typeof gain> } | null; neg: Record<string, { d: Rate; c: Rate }>; base: Rate; warnings: string[]; harm: DoNoHarmSection | null; informative: string; calLabels: number; error?: string }

async function evaluate(w: World, cal: Label[], meas: Label[], tag: string, withDefaults?: { view: Map<string, PairView>; report: BuildResult }): Promise<Outcome & { defaultsRun: { view: Map<string, PairView>; report: BuildResult } }> {
  const dir = join(work, w.name, tag);
  mkdirSync(dir, { recursive: true });
  writeLabels(join(dir, 'cal.jsonl'), cal);
  writeLabels(join(dir, 'meas.jsonl'), meas);
  const input = { serps: [w.serps], corpus: w.corpus };
  const defaultsRun = withDefaults ?? await (async () => {
    const report = await build({ ...w.config, input: { ...input, labels: join(dir, 'meas.jsonl') }, output: join(dir, 'defaults'), seed, calibration: { fit: true } });
    return { view: await viewOf(report), report };
  })();
  let calibratedRun: BuildResult | null = null, error: string | undefined, informative = '-';
  try {
    const fit = await build({ ...w.config, input: { ...input, labels: join(dir, 'cal.jsonl') }, output: join(dir, 'fit'), seed, calibration: { fit: true } });
    const calFile = fit.files.calibration!;
    const cj = JSON.parse(readFileSync(calFile, 'utf8')) as { models: { clicked: { informative: boolean }; unclicked: { informative: boolean } } };
    informative = `${cj.models.clicked.informative ? 'yes' : 'no'}/${cj.models.unclicked.informative ? 'yes' : 'no'}`;
    calibratedRun = await build({ ...w.config, input: { ...input, labels: join(dir, 'meas.jsonl') }, output: join(dir, 'calibrated'), seed, calibration: { file: calFile } });
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  }
  const cv = calibratedRun ? await viewOf(calibratedRun) : null;
  const grade = new Map<string, number>();
  const groupId = new Map<string, number>();
  for (const l of meas) {
    const k = key(normalizeQuery(l.query), l.doc_id);
    grade.set(k, Math.max(grade.get(k) ?? -Infinity, l.grade));
  }
  const rows: Row[] = [...grade.entries()].map(([k, g]) => {
    const grp = w.groupOf(k.slice(0, k.indexOf('\t')));
    if (!groupId.has(grp)) groupId.set(grp, groupId.size);
    return { k, relevant: g > 0, group: groupId.get(grp)!, d: defaultsRun.view.get(k), c: cv?.get(k) };
  });
  const groups = groupId.size;
  const clicked = (r: Row) => r.d?.clicked === true;
  const inDefaults = (r: Row) => r.d?.positive === true;
  const inCalibrated = (r: Row) => r.c?.positive === true;
  const shown = (r: Row) => r.d?.shown === true;
  // the best single signal on the measurement side (its precision does not depend on a fit) against the calibrated estimate at the same count
  const h = (defaultsRun.report.report.sections.calibration as { heldOut?: { singleSignals: { name: string; description: string; precision: { n: number; rate: number | null } }[]; minCoverage: number } } | null)?.heldOut;
  const clickedRows = rows.filter(clicked);
  let best: Outcome['best'] = null;
  let aucCal: number | null = null;
  if (cv) {
    const withP = clickedRows.filter((r) => r.c?.p !== null && r.c?.p !== undefined);
    aucCal = auc(withP.map((r) => r.c!.p!), withP.map((r) => (r.relevant ? 1 : 0)));
    const eligible = (h?.singleSignals ?? []).filter((s) => s.precision.n >= (h?.minCoverage ?? 10) && s.precision.n < clickedRows.length && s.precision.rate !== null);
    const b = eligible.reduce<(typeof eligible)[number] | null>((a, s) => (a === null || s.precision.rate! > a.precision.rate! ? s : a), null);
    if (b) {
      const ranked = [...withP].sort((x, y) => y.c!.p! - x.c!.p! || (x.k < y.k ? -1 : 1));
      const top = new Set(ranked.slice(0, b.precision.n).map((r) => r.k));
      const sig = (defaultsRun.report.report.sections.calibration as { heldOut: { singleSignals: { name: string; precision: Rate }[] } }).heldOut.singleSignals.find((s) => s.name === b.name)!.precision;
      best = { name: b.description, signal: { ...sig, rate: sig.rate ?? NaN, lo: sig.lo ?? NaN, hi: sig.hi ?? NaN }, calibratedSame: rate(rows, (r) => top.has(r.k)), gain: { diff: NaN, ci: null } };
    }
  }
  const sources = [...new Set(rows.flatMap((r) => [...(r.d?.negSources ?? []), ...(r.c?.negSources ?? [])]))].sort();
  const neg: Outcome['neg'] = {};
  for (const s of ['all', ...sources]) {
    const has = (v: PairView | undefined) => (v ? (s === 'all' ? v.negSources.size > 0 : v.negSources.has(s)) : false);
    neg[s] = { d: rate(rows, (r) => has(r.d)), c: cv ? rate(rows, (r) => has(r.c)) : rateOf(0, 0) };
  }
  const harm = (calibratedRun?.report.sections.doNoHarm ?? null) as DoNoHarmSection | null;
  return {
    defaultsRun,
    raw: rate(rows, clicked),
    defaults: rate(rows, inDefaults),
    calibrated: cv ? rate(rows, inCalibrated) : rateOf(0, 0),
    gainRaw: gain(rows, groups, inCalibrated, clicked, seed),
    gainDefaults: gain(rows, groups, inCalibrated, inDefaults, seed + 1),
    aucCal,
    best,
    neg,
    base: rate(rows, shown),
    warnings: [...(defaultsRun.report.report.sections.doNoHarm as DoNoHarmSection | null)?.warnings ?? []],
    harm,
    informative,
    calLabels: cal.length,
    ...(error ? { error } : {}),
  };
}

function print(w: World, o: Outcome, meas: number) {
  console.log(`\n## ${w.name}: ${o.calLabels} calibration labels, ${meas} measurement labels; calibration informative (clicked/unclicked): ${o.informative}${o.error ? `; calibration failed: ${o.error}` : ''}`);
  console.log('positives (share relevant)            precision [95% CI]      pairs');
  for (const [n, r] of [['raw clicks', o.raw], ['defaults', o.defaults], ['calibrated', o.calibrated]] as const) console.log(`  ${n.padEnd(36)} ${ci(r)}  ${String(r.n).padStart(6)}`);
  console.log(`  calibrated - raw clicks: ${signed(o.gainRaw.diff)} ${ivl(o.gainRaw.ci)}; calibrated - defaults: ${signed(o.gainDefaults.diff)} ${ivl(o.gainDefaults.ci)}; AUC of the estimate among clicked pairs ${f3(o.aucCal)}`);
  if (o.best) console.log(`  best single signal "${o.best.name}": ${ci(o.best.signal)} (${o.best.signal.n}); calibrated estimate, same count: ${ci(o.best.calibratedSame)}`);
  console.log('negatives (FN rate)                    defaults                calibrated');
  console.log(`  ${'a random shown result (base rate)'.padEnd(36)} ${ci(o.base)}  (${o.base.n})`);
  for (const [s, r] of Object.entries(o.neg)) console.log(`  ${(s === 'all' ? 'exported, all sources' : `exported from ${s}`).padEnd(36)} ${ci(r.d)} (${r.d.n})  ${ci(r.c)} (${r.c.n})`);
  console.log(`  do-no-harm warnings of the default build: ${o.warnings.length}`);
  for (const x of o.warnings) console.log(`    - ${x}`);
}

async function simWorld(name: string): Promise<World> {
  const opts = simulateOptions.parse(name === 'default' ? { sessions: 5000, seed } : presetOptions(name, name === 'small' ? { seed } : { sessions: 5000, seed }));
  const dir = join(work, name, 'sim');
  await simulateLog(buildHelpdeskWorld(opts), opts, dir);
  const family = new Map<string, string>();
  for (const l of readFileSync(join(dir, 'truth', 'queries.jsonl'), 'utf8').split('\n')) {
    if (!l) continue;
    const q = JSON.parse(l) as { query: string; family: string };
    family.set(normalizeQuery(q.query), q.family);
  }
  const labels = sampleLabels(dir, { pairs: 2500, seed });
  return { name, serps: join(dir, 'serps.jsonl'), corpus: join(dir, 'corpus.jsonl'), labels, groupOf: (q) => family.get(q) ?? q, config: {} };
}

const t0 = performance.now();
for (const name of worlds) {
  let w: World;
  if (name === 'trec') {
    const dir = trecSessionDir();
    if (!trecSessionPresent(dir)) {
      console.log(`\n## trec: skipped, TREC Session 2014 not found at ${dir} (set CLICKFORGE_DATA to the folder holding trec-session-2014-clicks/)`);
      continue;
    }
    const log = readTrecSession(dir);
    const files = await writeTrecSession(log, join(work, 'trec', 'in'), { clickTimes: 'spaced' });
    const lab = labelGrades(log);
    const groupOf = groupQueries(log);
    const labels = [...lab.grade.entries()].map(([k, g]) => ({ query: k.slice(0, k.indexOf('\t')), doc_id: k.slice(k.indexOf('\t') + 1), grade: g }));
    // no document text: BM25 over "document <id>" would match digits of ids
    w = { name, serps: files.serps, corpus: files.corpus, labels, groupOf: (q) => groupOf.get(q) ?? q, config: { negatives: { miners: ['behavioural'] } } };
  } else {
    w = await simWorld(name);
  }
  const { cal, meas } = splitLabels(w, share, seed);
  const o = await evaluate(w, cal, meas, `split-${share}`);
  print(w, o, meas.length);

  if (curveWorlds.has(name) && curveSizes.length) {
    // labels buy: calibration pool and measurement side half and half, the pool subsampled by group
    const half = splitLabels(w, 0.5, seed + 100);
    let defaults: { view: Map<string, PairView>; report: BuildResult } | undefined;
    console.log(`\n## ${name}: precision and ranking against the number of calibration labels (measurement side: ${half.meas.length} labels)`);
    console.log('labels   informative   calibrated precision [95% CI]  (pairs)   defaults              calibrated - defaults [95% CI]   AUC');
    for (const n of curveSizes) {
      const pool = n === 0 ? half.cal : splitLabels({ ...w, labels: half.cal }, n / half.cal.length, seed + n).cal;
      const r = await evaluate(w, pool, half.meas, `curve-${n}`, defaults);
      defaults = r.defaultsRun;
      console.log(`${String(pool.length).padStart(6)}   ${r.informative.padEnd(11)}   ${ci(r.calibrated)}  (${r.calibrated.n})   ${ci(r.defaults)}  ${signed(r.gainDefaults.diff)} ${ivl(r.gainDefaults.ci)}   ${f3(r.aucCal)}${r.error ? `  (${r.error})` : ''}`);
    }
  }
}
console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s; outputs in ${work}`);
