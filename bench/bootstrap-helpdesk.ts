/**
 * Synthetic-only vs clicks-only vs both on the simulated help desk, on held-out families (issue 17).
 *   npx tsx bench/bootstrap-helpdesk.ts [--sessions 20000] [--small-share 0.1] [--seed 42] [--out DIR]
 *     [--reuse] [--arms clicks,both] [--no-strict] [--train '{"epochs":2}'] [--sources '{"synthetic":{"weight":0.5}}']
 * 1. Simulate the default help-desk world (seeded), and the same world with a log of
 *    sessions x small-share sessions (the cold-start case: a new help desk's first weeks).
 * 2. `synth` over the world's corpus with the offline generator (default options, same seed).
 * 3. Build each arm (every family in train, as bench/negatives-gain.ts): clicks only; clicks +
 *    --synthetic; synthetic only (no click log); the small log; the small log + synthetic.
 * 4. Drop every training record whose query belongs to a truth test family (the evaluation
 *    queries' intents). The "(strict)" variants also drop synthetic queries made from a document
 *    of a held-out intent: they show how much of the gain is coverage of intents no click reached.
 * 5. Data quality per arm against the truth (synthetic queries judged by their source document's
 *    intent), then train the built-in model on each with the same options, evaluate on the
 *    held-out families' real queries next to BM25 and the untrained model, and print paired
 *    bootstrap 95% intervals of the differences.
 * Prints one JSON line per step, then the tables. --reuse skips simulate, synth, builds and
 * evaluations (same records and options) whose output is already in --out; --arms runs some arms
 * only; --sources sets the build's `sources` block (grades and weights).
 *
 * Measured (20,000 sessions, defaults: sources.synthetic grade 1, weight 1; nDCG@10 and paired
 * bootstrap 95% intervals over the held-out queries; docs/design/bootstrap-helpdesk.md):
 *                                    seed 42 (572 q)          seed 7 (609 q)
 *   BM25 / untrained                 0.372 / 0.346            0.380 / 0.359
 *   clicks / both / synthetic        0.938 / 0.923 / 0.475    0.942 / 0.929 / 0.464
 *   small / small+synthetic          0.846 / 0.803            0.822 / 0.780
 *   synthetic - untrained            +0.129 [ 0.107,  0.153]  +0.105 [ 0.084,  0.127]
 *   synthetic - BM25                 +0.103 [ 0.082,  0.124]  +0.084 [ 0.064,  0.107]
 *   both - clicks                    -0.016 [-0.023, -0.009]  -0.013 [-0.019, -0.007]
 *   small+synthetic - small          -0.043 [-0.057, -0.029]  -0.042 [-0.057, -0.027]
 *   synthetic (strict) - untrained   +0.111 [ 0.089,  0.134]  +0.079 [ 0.057,  0.101]
 *   --sources '{"synthetic":{"weight":0.25}}':
 *   both - clicks                    -0.003 [-0.007,  0.003]  +0.000 [-0.004,  0.005]
 *   small+synthetic - small          -0.006 [-0.018,  0.005]  +0.002 [-0.010,  0.014]
 *   Positive precision (truth) clicks 0.689 / 0.684, both 0.752 / 0.748; false negatives among
 *   mined negatives clicks 0.07% / 0.19%, both 0.06% / 0.15%, synthetic 0.00% / 0.00%.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { ClickforgeError } from '../src/errors.js';
import { build } from '../src/pipeline.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { datasetQuality, evaluateDataset, pairedBootstrapDiff, readTrainingFile, type EvalReport, type TrainRecord } from '../src/tools/evaluate/index.js';
import { buildHelpdeskWorld, familyLookup, parseSimulateOptions, readWorldTruth, simulateLog, withSourceDocQueries } from '../src/tools/simulate/index.js';
import { parseSynthOptions, readCorpus, synthesize, writeSynthOutput } from '../src/tools/synth/index.js';
import { arg, numArg } from './args.js';

const sessions = numArg('sessions', 20000);
const smallShare = numArg('small-share', 0.1);
const seed = numArg('seed', 42);
const out = arg('out', '') || mkdtempSync(join(tmpdir(), 'cf-bootstrap-helpdesk-'));
const reuse = process.argv.includes('--reuse');
const training = JSON.parse(arg('train', '{}')) as object;
const sources = JSON.parse(arg('sources', '{}')) as ConfigInput['sources'];
const log = (o: object): void => console.log(JSON.stringify(o));
const since = (t: number) => +((performance.now() - t) / 1000).toFixed(1);
const SKIPPED_NO_CLICKS = 'skipped: build without a click log is not supported on this commit';

const dirs = { full: join(out, 'data'), small: join(out, 'data-small'), synth: join(out, 'synth') };
const synthFile = join(dirs.synth, 'queries.jsonl');

interface Arm {
  readonly log?: 'full' | 'small';
  readonly synthetic: boolean;
}
const ARMS = {
  clicks: { log: 'full', synthetic: false },
  both: { log: 'full', synthetic: true },
  synthetic: { synthetic: true },
  small: { log: 'small', synthetic: false },
  'small+synthetic': { log: 'small', synthetic: true },
} as const satisfies Record<string, Arm>;
type ArmName = keyof typeof ARMS;
const STRICT_ARMS = process.argv.includes('--no-strict') ? [] : (['both', 'synthetic'] as const satisfies readonly ArmName[]);
const selected = new Set(arg('arms', Object.keys(ARMS).join(',')).split(','));
for (const a of selected) if (!(a in ARMS)) throw new Error(`bench/bootstrap-helpdesk: --arms: unknown arm "${a}" (arms: ${Object.keys(ARMS).join(', ')}).`);
const skipped = new Set<string>();
/** Why a dataset has no result: not asked for (--arms), or not buildable on this commit. */
const missing = (name: string) => (skipped.has(name.replace(' (strict)', '')) ? SKIPPED_NO_CLICKS : 'not run (--arms)');

async function simulate(dir: string, n: number): Promise<void> {
  if (reuse && existsSync(join(dir, 'truth', 'queries.jsonl'))) return;
  const t = performance.now();
  await mkdir(dir, { recursive: true });
  const o = parseSimulateOptions({ seed, sessions: n });
  const sim = await simulateLog(buildHelpdeskWorld(o), o, dir);
  log({ step: 'simulate', dir, sessions: sim.detail.sessions, pages: sim.detail.pages, seconds: since(t) });
}

/** The small log must come from the very same world: same corpus, queries and judgements. */
function assertSameWorld(a: string, b: string): void {
  for (const f of ['corpus.jsonl', join('truth', 'queries.jsonl'), join('truth', 'qrels.jsonl'), join('truth', 'docs.jsonl')]) {
    if (!readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) throw new Error(`bench/bootstrap-helpdesk: ${join(b, f)} differs from ${join(a, f)}: the small log is not from the same world.`);
  }
}

async function synth(): Promise<void> {
  if (reuse && existsSync(synthFile)) return;
  const t = performance.now();
  const corpus = await readCorpus(join(dirs.full, 'corpus.jsonl'));
  const options = parseSynthOptions({ seed });
  const r = await synthesize(corpus.docs, options);
  await writeSynthOutput(dirs.synth, r, { corpus, options, inputs: { corpus: join(dirs.full, 'corpus.jsonl') } });
  const removed = Object.fromEntries(Object.entries(r.report.queries.removed).map(([f, m]) => [f, Object.values(m).reduce((a, b) => a + b, 0)]));
  log({ step: 'synth', generator: r.report.generator.id, passages: r.report.passages.in, generated: r.report.queries.generated, kept: r.report.queries.kept, removed, seconds: since(t) });
}

const armDir = (a: ArmName) => join(out, 'build', a);
const trainFile = (a: ArmName) => join(armDir(a), 'dataset', 'clickforge', 'train.jsonl');

function armConfig(a: ArmName): ConfigInput {
  const arm: Arm = ARMS[a];
  return {
    input: {
      serps: arm.log ? [join(dirs[arm.log], 'serps.jsonl')] : [],
      corpus: join(dirs.full, 'corpus.jsonl'),
      ...(arm.synthetic ? { synthetic: synthFile } : {}),
    },
    output: armDir(a),
    seed,
    ...(sources ? { sources } : {}),
    splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 }, minPerStratum: 0 },
  };
}

/** Builds an arm; false when this commit cannot build it (no click log). */
async function buildArm(a: ArmName): Promise<boolean> {
  if (reuse && existsSync(trainFile(a))) return true;
  const t = performance.now();
  try {
    await build(armConfig(a));
    log({ step: 'build', arm: a, seconds: since(t) });
    return true;
  } catch (e) {
    if (e instanceof ClickforgeError && e.code === 'no_input' && !(ARMS[a] as Arm).log) {
      log({ step: 'build', arm: a, skipped: SKIPPED_NO_CLICKS, error: e.message });
      return false;
    }
    throw e;
  }
}

await simulate(dirs.full, sessions);
await simulate(dirs.small, Math.max(1, Math.round(sessions * smallShare)));
assertSameWorld(dirs.full, dirs.small);
await synth();

const truth = readWorldTruth(dirs.full);
const synthRows = readFileSync(synthFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { query: string; doc_id: string });
const judged = withSourceDocQueries(truth, synthRows);
const realFamily = familyLookup(truth);
const anyFamily = familyLookup(judged);
const synthQueries = new Set(synthRows.map((r) => normalizeQuery(r.query)));
const heldOut = (f: string | undefined) => f !== undefined && truth.testFamilies.has(f);

const data = new Map<string, TrainRecord[]>();
for (const a of Object.keys(ARMS) as ArmName[]) {
  if (!selected.has(a)) continue;
  if (!(await buildArm(a))) {
    skipped.add(a);
    continue;
  }
  const all = readTrainingFile(trainFile(a));
  const kept = all.filter((r) => !heldOut(realFamily(r.query)));
  data.set(a, kept);
  log({ step: 'load', arm: a, records: all.length, kept: kept.length, droppedHeldOut: all.length - kept.length });
  if ((STRICT_ARMS as readonly string[]).includes(a)) data.set(`${a} (strict)`, kept.filter((r) => !heldOut(anyFamily(r.query))));
  if (kept.length === 0) throw new Error(`bench/bootstrap-helpdesk: no training records for ${a} in ${trainFile(a)} (${all.length} before dropping held-out families): check the build output.`);
}

const quality = new Map<string, ReturnType<typeof datasetQuality>>();
for (const [name, recs] of data) {
  const q = datasetQuality(recs, judged, truth.testQueries);
  quality.set(name, q);
  const synthetic = recs.filter((r) => synthQueries.has(normalizeQuery(r.query))).length;
  log({ step: 'quality', dataset: name, records: recs.length, syntheticRecords: synthetic, negatives: q.counts.negatives, positivePrecision: +q.positivePrecision.toFixed(4), falseNegativeRate: +q.negativeFalseNegativeRate.toFixed(4), unjudgedPositives: q.counts.positivesUnknownQuery, familyLeakage: q.familyLeakage });
}

const evalOpts = { eval: { beir: join(dirs.full, 'truth', 'beir'), split: 'test' }, seed, training };
const reports = new Map<string, EvalReport>();
const evalCache = join(out, 'eval');
/** With --reuse, a dataset already trained and evaluated with the same options is read back (keyed by its records and the evaluation files' contents). */
async function evaluateCached(recs: readonly TrainRecord[]): Promise<{ report: EvalReport; cached: boolean }> {
  const h = createHash('sha256').update(JSON.stringify({ split: evalOpts.eval.split, seed, training, recs }));
  for (const f of ['corpus.jsonl', 'queries.jsonl', join('qrels', 'test.tsv')]) h.update(readFileSync(join(evalOpts.eval.beir, f)));
  const key = h.digest('hex').slice(0, 16);
  const file = join(evalCache, `${key}.json`);
  if (reuse && existsSync(file)) return { report: JSON.parse(readFileSync(file, 'utf8')) as EvalReport, cached: true };
  const report = await evaluateDataset({ ...evalOpts, train: recs });
  await mkdir(evalCache, { recursive: true });
  writeFileSync(file, JSON.stringify(report));
  return { report, cached: false };
}
for (const [name, recs] of data) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { report: r, cached } = await evaluateCached(recs);
  const c = process.cpuUsage(cpu);
  reports.set(name, r);
  log({ step: 'evaluate', dataset: name, records: recs.length, queries: r.qids.length, heldOutOverlap: r.train.heldOutOverlap, ...(cached ? { cached } : {}), seconds: since(t), cpuSeconds: +((c.user + c.system) / 1e6).toFixed(1), trained: r.systems.trained.mean });
}

// ---- tables
const METRICS = ['ndcg@10', 'recall@10', 'mrr@10'] as const;
const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '  -  ' : x.toFixed(3));
const pct = (x: number) => (Number.isNaN(x) ? '  -  ' : `${(100 * x).toFixed(2)}%`);
const any = reports.values().next().value;
if (!any) throw new Error('bench/bootstrap-helpdesk: nothing was evaluated');
type System = EvalReport['systems']['trained'];
const systemOf = (name: string): System | undefined => (name === 'BM25' ? any.systems.bm25 : name === 'untrained' ? any.systems.untrained : reports.get(name)?.systems.trained);

const table: string[] = [];
table.push(`\nseed ${seed}, ${sessions} sessions (small log ${Math.round(sessions * smallShare)}), ${any.qids.length} held-out test queries, out ${out}`);
table.push(`\n${'dataset'.padEnd(26)}${'records'.padStart(8)}${'synthetic'.padStart(10)}  pos.prec  false-neg  ${METRICS.map((m) => m.padEnd(22)).join('')}`);
for (const name of ['BM25', 'untrained', ...Object.keys(ARMS), ...STRICT_ARMS.map((a) => `${a} (strict)`)]) {
  const s = systemOf(name);
  if (!s) {
    table.push(`${name.padEnd(26)}${missing(name)}`);
    continue;
  }
  const recs = data.get(name);
  const q = quality.get(name);
  const cols = recs && q ? `${String(recs.length).padStart(8)}${String(recs.filter((r) => synthQueries.has(normalizeQuery(r.query))).length).padStart(10)}  ${f3(q.positivePrecision).padStart(8)}  ${pct(q.negativeFalseNegativeRate).padStart(9)}` : ''.padEnd(39);
  table.push(`${name.padEnd(26)}${cols}  ${METRICS.map((m) => `${f3(s.mean[m])} [${f3(s.ci[m]?.[0])}, ${f3(s.ci[m]?.[1])}]`.padEnd(22)).join('')}`);
}

const PAIRS: readonly (readonly [string, string])[] = [
  ['both', 'clicks'],
  ['synthetic', 'untrained'],
  ['synthetic', 'clicks'],
  ['synthetic', 'BM25'],
  ['small+synthetic', 'small'],
  ['small+synthetic', 'synthetic'],
  ['small', 'untrained'],
  ['both (strict)', 'clicks'],
  ['synthetic (strict)', 'untrained'],
];
const diffRows: string[] = [];
for (const [b, a] of PAIRS) {
  const B = systemOf(b), A = systemOf(a);
  if (!A || !B) {
    diffRows.push(`  ${`${b} - ${a}`.padEnd(34)} ${[...new Set([a, b].filter((x) => !systemOf(x)).map(missing))].join('; ')}`);
    continue;
  }
  const diff: Record<string, { mean: number; lo: number; hi: number }> = {};
  const cells = METRICS.map((m) => {
    const d = (diff[m] = pairedBootstrapDiff(B.perQuery[m]!, A.perQuery[m]!, { seed }));
    return `${m} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]`.padEnd(34);
  });
  diffRows.push(`  ${`${b} - ${a}`.padEnd(34)} ${cells.join('')}`);
  log({ step: 'compare', b, a, diff });
}
console.log(table.join('\n'));
console.log('\npaired differences (95% paired bootstrap over held-out queries)');
console.log(diffRows.join('\n'));
