/**
 * Does each stage of hard negatives make the trained model better? ("evaluate shows the gain")
 *   npx tsx bench/negatives-gain.ts [--sessions 20000] [--seed 42] [--out DIR] [--reuse] [--no-compare]
 * 1. Simulate the default help-desk world (known truth, held-out test query families).
 * 2. build with the negatives curriculum on and every family in train (the evaluation uses the
 *    simulator's own held-out families instead, as the demo does: training records whose query
 *    belongs to a truth test family are dropped from every stage).
 * 3. compareDatasets: stage-1 (positives only, in-batch negatives) vs stage-2 (+ BM25/behavioural),
 *    and stage-2 vs stage-3 (+ dense mined by the built-in model), on truth/beir split test.
 * Prints one JSON line per step, then a table: trained-model means and the paired bootstrap 95%
 * interval of the difference (later stage minus earlier), after each stage's false-negative rate
 * against the hidden truth. --reuse skips simulate + build when their output is already in --out;
 * --no-compare stops after the quality lines (no training).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { build } from '../src/pipeline.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { compareDatasets, datasetQuality, readTrainingFile, type CompareReport, type TrainRecord } from '../src/tools/evaluate/index.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../src/tools/simulate/index.js';

const argStr = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const sessions = Number(argStr('sessions', '20000'));
const seed = Number(argStr('seed', '42'));
const out = argStr('out', '') || mkdtempSync(join(tmpdir(), 'cf-neg-gain-'));
const reuse = process.argv.includes('--reuse');
const log = (o: object): void => console.log(JSON.stringify(o));
const dataDir = join(out, 'data');
const buildDir = join(out, 'build');
const stages = ['stage-1-in-batch', 'stage-2-lexical', 'stage-3-dense'] as const;

let t = performance.now();
if (!(reuse && existsSync(join(dataDir, 'truth', 'queries.jsonl')))) {
  await mkdir(dataDir, { recursive: true });
  const simOpts = parseSimulateOptions({ seed, sessions });
  const sim = await simulateLog(buildHelpdeskWorld(simOpts), simOpts, dataDir);
  log({ step: 'simulate', sessions: sim.detail.sessions, pages: sim.detail.pages, seconds: +((performance.now() - t) / 1000).toFixed(1) });
}

t = performance.now();
const stageDir = (s: string) => join(buildDir, 'dataset', 'curriculum', s, 'clickforge');
if (!(reuse && stages.every((s) => existsSync(join(stageDir(s), 'train.jsonl'))))) {
  const cfg: ConfigInput = {
    input: { serps: [join(dataDir, 'serps.jsonl')], corpus: join(dataDir, 'corpus.jsonl') },
    output: buildDir,
    seed,
    curriculum: { enabled: true },
    splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 }, minPerStratum: 0 },
  };
  const r = await build(cfg);
  log({ step: 'build', seconds: +((performance.now() - t) / 1000).toFixed(1), curriculum: r.report.sections.curriculum ?? null });
}

// Truth: query -> family, and the simulator's held-out (test) families.
const readJsonl = <T>(p: string): T[] => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
const familyOf = new Map<string, string>();
const rawFamily = new Map<string, string>();
const testFamilies = new Set<string>();
const testQueries: string[] = [];
for (const q of readJsonl<{ query: string; family: string; split: string }>(join(dataDir, 'truth', 'queries.jsonl'))) {
  familyOf.set(normalizeQuery(q.query), q.family);
  rawFamily.set(q.query, q.family);
  if (q.split === 'test') {
    testFamilies.add(q.family);
    testQueries.push(q.query);
  }
}
const qrels = new Map<string, Map<string, number>>();
for (const r of readJsonl<{ query: string; doc_id: string; grade: number }>(join(dataDir, 'truth', 'qrels.jsonl'))) {
  let m = qrels.get(r.query);
  if (!m) qrels.set(r.query, (m = new Map()));
  m.set(r.doc_id, r.grade);
}
const keep = (r: TrainRecord): boolean => {
  const f = familyOf.get(normalizeQuery(r.query));
  return f === undefined || !testFamilies.has(f);
};
const data: Record<string, TrainRecord[]> = {};
for (const s of stages) {
  const all = ['train', 'dev', 'test'].flatMap((sp) => (existsSync(join(stageDir(s), `${sp}.jsonl`)) ? readTrainingFile(join(stageDir(s), `${sp}.jsonl`)) : []));
  data[s] = all.filter(keep);
  const negs = data[s].reduce((a, r) => a + (r.negatives?.length ?? 0), 0);
  if (data[s].length === 0) throw new Error(`bench/negatives-gain: no training records for ${s} in ${stageDir(s)} (${all.length} before dropping held-out families): check the build output.`);
  log({ step: 'load', stage: s, records: all.length, kept: data[s].length, droppedHeldOut: all.length - data[s].length, negativesPerRecord: +(negs / Math.max(1, data[s].length)).toFixed(2) });
  // Against the hidden truth: share of judged negatives that are in fact relevant (false negatives).
  const q = datasetQuality(data[s], { qrels, queryFamily: rawFamily }, testQueries);
  log({ step: 'quality', stage: s, negatives: q.counts.negatives, falseNegativeRate: +q.negativeFalseNegativeRate.toFixed(4), positivePrecision: +q.positivePrecision.toFixed(4), familyLeakage: q.familyLeakage });
}

if (process.argv.includes('--no-compare')) process.exit(0);
const evalOpts = { eval: { beir: join(dataDir, 'truth', 'beir'), split: 'test' }, seed };
const metrics = ['ndcg@10', 'mrr@10', 'recall@10', 'recall@100'];
const results: { name: string; c: CompareReport }[] = [];
for (const [a, b] of [[stages[0], stages[1]], [stages[1], stages[2]]] as const) {
  t = performance.now();
  const c = await compareDatasets(data[a]!, data[b]!, evalOpts);
  const name = `${a} -> ${b}`;
  results.push({ name, c });
  log({
    step: 'compare', a, b, queries: c.a.qids.length, seconds: +((performance.now() - t) / 1000).toFixed(1),
    a_mean: c.a.systems.trained.mean, b_mean: c.b.systems.trained.mean, diff: c.diff,
    bm25: c.a.systems.bm25.mean, untrained: c.a.systems.untrained.mean,
  });
}

const f3 = (x: number | undefined) => (x === undefined ? '  —  ' : x.toFixed(3));
console.log(`\nheld-out test queries: ${results[0]!.c.a.qids.length}; out: ${out}`);
for (const { name, c } of results) {
  console.log(`\n${name}`);
  for (const m of metrics) {
    const d = c.diff[m];
    console.log(`  ${m.padEnd(11)} ${f3(c.a.systems.trained.mean[m])} -> ${f3(c.b.systems.trained.mean[m])}  diff ${d ? `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]` : '—'}`);
  }
}
const c0 = results[0]!.c;
console.log(`\nBM25 ndcg@10 ${f3(c0.a.systems.bm25.mean['ndcg@10'])}, untrained model ${f3(c0.a.systems.untrained.mean['ndcg@10'])} (95% paired bootstrap intervals over queries)`);
