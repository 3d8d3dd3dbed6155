/**
 * Cold start on real queries (issue 17), through the product as a user without clicks runs it:
 * `clickforge synth` over the Cranfield documents → `clickforge build --synthetic` with no click
 * log → the built-in model trained on the exported dataset (dataset/clickforge/train.jsonl: mined
 * negatives after the false-negative filters) → evaluated on Cranfield's 225 real queries and
 * judgements (BEIR folder), next to the untrained model and BM25, with paired bootstrap intervals.
 * Then the same with synth's round-trip filter off, and with 20% of the real queries' judgements
 * as `--seeds` (evaluated on the other 80%). One comparison arm skips `build`: synth's queries
 * turned straight into (query, source document) records with in-batch negatives only, which shows
 * what build's mined negatives and weights add. Skips when ../shared/data/cranfield is absent.
 *
 *   npx tsx bench/synth-cranfield.ts [--seed 42] [--cranfield <dir>] [--keep <dir> [--reuse]]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { docText, evaluateDataset, type EvalReport, type TrainRecord } from '../src/tools/evaluate/index.js';
import { pairedBootstrapDiff } from '../src/tools/evaluate/metrics.js';
import { readCranfield } from '../src/tools/simulate/index.js';
import { createRng } from '../src/util/rng.js';
import { arg, numArg } from './args.js';

const seed = numArg('seed', 42);
const cranDir = resolve(arg('cranfield', join(import.meta.dirname, '../../shared/data/cranfield')));
if (!existsSync(join(cranDir, 'cran.all.1400'))) {
  console.log(`skipped: the Cranfield collection is not at ${cranDir} (pass --cranfield <dir>)`);
  process.exit(0);
}
const work = resolve(arg('keep', join(tmpdir(), `clickforge-synth-cranfield-${process.pid}`)));
mkdirSync(work, { recursive: true });
const keep = process.argv.includes('--keep');
const ROOT = resolve(import.meta.dirname, '..');

/** Run the CLI from source, as `npx clickforge ...` would; stop the bench on a failure. */
// --reuse: with --keep, skip synth and build when an earlier run left their outputs there
const reuse = process.argv.includes('--reuse') && existsSync(join(work, 'build-seeds', 'report.json'));
function clickforge(args: string[]): string {
  if (reuse) return '';
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`clickforge ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// --- the inputs a user would have: a corpus file, and (last arm) a seeds file --------------------
const coll = readCranfield(cranDir);
const beir = join(work, 'beir');
mkdirSync(join(beir, 'qrels'), { recursive: true });
writeFileSync(join(work, 'corpus.jsonl'), coll.docs.map((d) => JSON.stringify({ doc_id: d.doc_id, title: d.title, text: d.text })).join('\n') + '\n');
writeFileSync(join(beir, 'corpus.jsonl'), coll.docs.map((d) => JSON.stringify({ _id: d.doc_id, title: d.title, text: d.text })).join('\n') + '\n');
writeFileSync(join(beir, 'queries.jsonl'), coll.queries.map((q) => JSON.stringify({ _id: q.query_id, text: q.text })).join('\n') + '\n');
const tsv = (rows: typeof coll.qrels) => 'query-id\tcorpus-id\tscore\n' + rows.map((r) => `${r.query_id}\t${r.doc_id}\t${r.grade}`).join('\n') + '\n';
writeFileSync(join(beir, 'qrels', 'test.tsv'), tsv(coll.qrels));
// 20% of the judged queries are seeds, the other 80% the evaluation set of the seeded arms
const judged = [...new Set(coll.qrels.map((r) => r.query_id))];
const rng = createRng(seed).fork('seed-split');
for (let i = judged.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [judged[i], judged[j]] = [judged[j]!, judged[i]!];
}
const seedQ = new Set(judged.slice(0, Math.round(judged.length * 0.2)));
writeFileSync(join(beir, 'qrels', 'rest80.tsv'), tsv(coll.qrels.filter((r) => !seedQ.has(r.query_id))));
const qText = new Map(coll.queries.map((q) => [q.query_id, q.text]));
const seedRows = coll.qrels.filter((r) => seedQ.has(r.query_id));
writeFileSync(join(work, 'seeds.jsonl'), seedRows.map((r) => JSON.stringify({ query: qText.get(r.query_id), doc_id: r.doc_id, grade: r.grade })).join('\n') + '\n');

// --- synth, twice: default filters (round trip k = 20) and round trip off ----------------------
const synthOut = (name: string, extra: string[]) => {
  const s = clickforge(['synth', '--corpus', 'corpus.jsonl', '--out', name, '--seed', String(seed), '--quiet', ...extra]);
  console.log(`$ clickforge synth --corpus corpus.jsonl --out ${name} ${extra.join(' ')}\n${s.trim().split('\n').filter((l) => /^(passages|queries|kept)/.test(l)).map((l) => `  ${l}`).join('\n')}`);
};
synthOut('synth', []);
synthOut('synth-unfiltered', ['--set', 'filters.enabled=["length","verbatim","duplicates"]']);

// --- build with no click log: synthetic only, both variants; synthetic + seeds; seeds only ------
// every family to train (the evaluation is the real queries, outside the build)
const allTrain = ['--set', 'splits.fractions={"train":1,"dev":0,"test":0}'];
const seedsTrain = ['--set', 'sources.seeds.keepInTest=false'];
const buildOut = (name: string, inputs: string[], extra: string[]) => {
  clickforge(['build', '--corpus', 'corpus.jsonl', ...inputs, '--out', name, '--seed', String(seed), '--quiet', ...extra]);
  const report = JSON.parse(readFileSync(join(work, name, 'report.json'), 'utf8')) as { stages: { stage: string; in: Record<string, number>; out: Record<string, number>; dropped: Record<string, number> }[]; accounting: { ok: boolean }[] };
  const st = (n: string) => report.stages.find((x) => x.stage === n);
  const rec = readFileSync(join(work, name, 'dataset', 'clickforge', 'train.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  const src = ['sources:synthetic', 'sources:seeds'].map(st).filter((x) => x).map((x) => `${x!.stage} ${x!.in.rows} rows -> ${x!.out.rows} kept (${Object.entries(x!.dropped).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${c}`).join(', ') || 'no drop'})`);
  const fn = report.stages.filter((x) => x.stage.startsWith('false-negatives/')).map((x) => `${x.stage.slice(16)} -${Object.values(x.dropped).reduce((a, b) => a + b, 0)}`);
  const ok = report.accounting.every((c) => c.ok) ? 'all checks hold' : 'A CHECK FAILS';
  console.log(`$ clickforge build --corpus corpus.jsonl ${inputs.join(' ')} --out ${name} ${extra.join(' ')}\n  ${src.join('; ')}\n  train records ${rec}; false-negative filters ${fn.join(', ')}; accounting: ${ok}`);
  return join(work, name, 'dataset', 'clickforge', 'train.jsonl');
};
const dsF = buildOut('build-synth', ['--synthetic', 'synth/queries.jsonl'], allTrain);
const dsU = buildOut('build-synth-unfiltered', ['--synthetic', 'synth-unfiltered/queries.jsonl'], allTrain);
const dsS = buildOut('build-synth-seeds', ['--synthetic', 'synth/queries.jsonl', '--seeds', 'seeds.jsonl'], [...allTrain, ...seedsTrain]);
const dsO = buildOut('build-seeds', ['--seeds', 'seeds.jsonl'], [...allTrain, ...seedsTrain]);
if (reuse) console.log('synth and build outputs reused from an earlier run in the --keep folder (the summaries above are not printed again)');

// the comparison arm without build: synth's queries as records, in-batch negatives only
const textOf = new Map(coll.docs.map((d) => [d.doc_id, docText({ id: d.doc_id, title: d.title, text: d.text })]));
const direct: TrainRecord[] = readFileSync(join(work, 'synth', 'queries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
  const q = JSON.parse(l) as { query: string; doc_id: string; weight?: number };
  return { query: q.query, positive: textOf.get(q.doc_id)!, positiveId: q.doc_id, ...(q.weight !== undefined && q.weight !== 1 ? { weight: q.weight } : {}) };
});

// --- train and evaluate -------------------------------------------------------------------------
const f3 = (x: number | undefined) => (x === undefined ? '  -  ' : x.toFixed(3));
const diffLine = (label: string, a: readonly number[], b: readonly number[]) => {
  const d = pairedBootstrapDiff(a, b, { seed });
  const verdict = d.lo > 0 ? 'interval excludes 0: better' : d.hi < 0 ? 'interval excludes 0: worse' : 'interval includes 0';
  return `  ${label.padEnd(44)} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} [${d.lo.toFixed(4)}, ${d.hi.toFixed(4)}]  ${verdict}`;
};
const M = ['ndcg@10', 'recall@100', 'mrr@10'] as const;
const row = (label: string, r: EvalReport['systems']['bm25']) => `  ${label.padEnd(34)} ${M.map((m) => `${f3(r.mean[m])} [${f3(r.ci[m]?.[0])}, ${f3(r.ci[m]?.[1])}]`.padEnd(24)).join('')}`;
const header = `  ${''.padEnd(34)} ${M.map((m) => m.padEnd(24)).join('')}`;

const t1 = cpu();
// --arms all | real | seeds | direct: which evaluations to run (each trains a model; run groups in separate processes to share the wait)
const armsArg = arg('arms', 'all');
const arms = new Set(armsArg === 'all' ? ['real', 'seeds', 'direct'] : armsArg.split(','));
const opts = { eval: { beir, split: 'test' }, seed };
let evF: EvalReport | null = null;
if (arms.has('real')) {
  // each arm's row as soon as it is measured (training is the slow part)
  evF = await evaluateDataset({ ...opts, train: dsF });
  console.log(`\nall ${evF.qids.length} real queries (mean [95% bootstrap interval])`);
  console.log(header);
  console.log(row('BM25', evF.systems.bm25));
  console.log(row('untrained', evF.systems.untrained));
  console.log(row(`build, round trip on (${evF.train.records})`, evF.systems.trained));
  const evU = await evaluateDataset({ ...opts, train: dsU });
  console.log(row(`build, round trip off (${evU.train.records})`, evU.systems.trained));
  for (const m of ['ndcg@10', 'recall@100'] as const) {
    console.log(`paired differences, ${m}`);
    const F = evF.systems.trained.perQuery[m]!;
    console.log(diffLine('filtered - untrained', F, evF.systems.untrained.perQuery[m]!));
    console.log(diffLine('filtered - unfiltered', F, evU.systems.trained.perQuery[m]!));
    console.log(diffLine('filtered - BM25', F, evF.systems.bm25.perQuery[m]!));
    console.log(diffLine('unfiltered - untrained', evU.systems.trained.perQuery[m]!, evF.systems.untrained.perQuery[m]!));
  }
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
  const nd = (r: EvalReport['systems']['bm25']) => r.mean['ndcg@10']!;
  console.log(`ratios ndcg@10: filtered/untrained ${ratio(nd(evF.systems.trained), nd(evF.systems.untrained))}, filtered/unfiltered ${ratio(nd(evF.systems.trained), nd(evU.systems.trained))}, filtered/BM25 ${ratio(nd(evF.systems.trained), nd(evF.systems.bm25))}`);
}

const o80 = { eval: { beir, split: 'rest80' }, seed };
if (arms.has('seeds')) {
  const e80F = await evaluateDataset({ ...o80, train: dsF });
  console.log(`\nwith seeds: ${seedQ.size} real queries (${seedRows.length} judgements) as --seeds, evaluated on the other ${e80F.qids.length}`);
  console.log(header);
  console.log(row('BM25', e80F.systems.bm25));
  console.log(row('untrained', e80F.systems.untrained));
  console.log(row(`build, synthetic (${e80F.train.records})`, e80F.systems.trained));
  const e80O = await evaluateDataset({ ...o80, train: dsO });
  console.log(row(`build, seeds only (${e80O.train.records})`, e80O.systems.trained));
  const e80S = await evaluateDataset({ ...o80, train: dsS });
  console.log(row(`build, synthetic + seeds (${e80S.train.records})`, e80S.systems.trained));
  console.log('paired differences, ndcg@10');
  console.log(diffLine('synthetic + seeds - synthetic', e80S.systems.trained.perQuery['ndcg@10']!, e80F.systems.trained.perQuery['ndcg@10']!));
  console.log(diffLine('synthetic + seeds - seeds only', e80S.systems.trained.perQuery['ndcg@10']!, e80O.systems.trained.perQuery['ndcg@10']!));
  console.log(diffLine('synthetic + seeds - BM25', e80S.systems.trained.perQuery['ndcg@10']!, e80F.systems.bm25.perQuery['ndcg@10']!));
  console.log(diffLine('seeds only - untrained', e80O.systems.trained.perQuery['ndcg@10']!, e80F.systems.untrained.perQuery['ndcg@10']!));
}
// last: the comparison arm without build (synth's queries as records, in-batch negatives only)
if (arms.has('direct')) {
  const evD = await evaluateDataset({ ...opts, train: direct });
  const built = evF ?? (await evaluateDataset({ ...opts, train: dsF }));
  console.log(`\nall ${evD.qids.length} real queries, without build`);
  console.log(header);
  console.log(row(`direct, in-batch only (${evD.train.records})`, evD.systems.trained));
  for (const m of ['ndcg@10', 'recall@100'] as const) console.log(diffLine(`build (filtered) - direct, ${m}`, built.systems.trained.perQuery[m]!, evD.systems.trained.perQuery[m]!));
}
console.log(`\ntraining + evaluation (arms ${[...arms].join(', ')}): ${(cpu() - t1).toFixed(1)} CPU s`);
if (!keep) rmSync(work, { recursive: true, force: true });
