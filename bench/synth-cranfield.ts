/**
 * Cold start on real queries (issue 17): synthetic queries from the Cranfield documents only,
 * turned into training records (query -> the document it was generated from; in-batch negatives
 * only, see docs/design/synth.md), the built-in model trained on them and evaluated on Cranfield's
 * real 225 queries and judgements, next to the untrained model and BM25, with paired bootstrap
 * intervals. Then the same without the round-trip filter, and with 20% of the real queries'
 * judgements added as seeds (evaluated on the other 80%). Skips when ../shared/data/cranfield is
 * absent.
 *
 *   npx tsx bench/synth-cranfield.ts [--seed 42] [--cranfield <dir>] [--k 20] [--synth '{"noise":{"rate":0}}']
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { docText, evaluateDataset, type EvalReport, type TrainRecord } from '../src/tools/evaluate/index.js';
import { pairedBootstrapDiff } from '../src/tools/evaluate/metrics.js';
import { readCranfield } from '../src/tools/simulate/index.js';
import { synthesize, type SynthOptionsInput, type SynthResult } from '../src/tools/synth/index.js';
import { createRng } from '../src/util/rng.js';
import { arg, numArg } from './args.js';

const seed = numArg('seed', 42);
const k = numArg('k', 20);
const extra = JSON.parse(arg('synth', '{}')) as SynthOptionsInput;
const cranDir = resolve(arg('cranfield', join(import.meta.dirname, '../../shared/data/cranfield')));
if (!existsSync(join(cranDir, 'cran.all.1400'))) {
  console.log(`skipped: the Cranfield collection is not at ${cranDir} (pass --cranfield <dir>)`);
  process.exit(0);
}

const coll = readCranfield(cranDir);
const beir = join(tmpdir(), `clickforge-synth-cranfield-${process.pid}`);
mkdirSync(join(beir, 'qrels'), { recursive: true });
writeFileSync(join(beir, 'corpus.jsonl'), coll.docs.map((d) => JSON.stringify({ _id: d.doc_id, title: d.title, text: d.text })).join('\n') + '\n');
writeFileSync(join(beir, 'queries.jsonl'), coll.queries.map((q) => JSON.stringify({ _id: q.query_id, text: q.text })).join('\n') + '\n');
const tsv = (rows: typeof coll.qrels) => 'query-id\tcorpus-id\tscore\n' + rows.map((r) => `${r.query_id}\t${r.doc_id}\t${r.grade}`).join('\n') + '\n';
writeFileSync(join(beir, 'qrels', 'test.tsv'), tsv(coll.qrels));
// 20% of the judged queries are seeds, the other 80% the evaluation set of the seeded variant
const judged = [...new Set(coll.qrels.map((r) => r.query_id))];
const rng = createRng(seed).fork('seed-split');
for (let i = judged.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [judged[i], judged[j]] = [judged[j]!, judged[i]!];
}
const seedQ = new Set(judged.slice(0, Math.round(judged.length * 0.2)));
writeFileSync(join(beir, 'qrels', 'rest80.tsv'), tsv(coll.qrels.filter((r) => !seedQ.has(r.query_id))));

const textOf = new Map(coll.docs.map((d) => [d.doc_id, docText({ id: d.doc_id, title: d.title, text: d.text })]));
const records = (r: SynthResult): TrainRecord[] => r.queries.map((q) => ({ query: q.query, positive: textOf.get(q.doc_id)!, positiveId: q.doc_id, ...(q.weight !== 1 ? { weight: q.weight } : {}) }));
const qText = new Map(coll.queries.map((q) => [q.query_id, q.text]));
const seedRecords: TrainRecord[] = coll.qrels.filter((r) => seedQ.has(r.query_id)).map((r) => ({ query: qText.get(r.query_id)!, positive: textOf.get(r.doc_id)!, positiveId: r.doc_id, weight: r.grade / 3 }));

const docs = coll.docs.map((d) => ({ doc_id: d.doc_id, title: d.title, text: d.text }));
const t0 = performance.now();
const filtered = await synthesize(docs, { seed, ...extra, filters: { ...extra.filters, roundTrip: { k, sameDoc: true } } });
const unfiltered = await synthesize(docs, { seed, ...extra, filters: { ...extra.filters, enabled: ['length', 'verbatim', 'duplicates'] } });
const synthSeconds = (performance.now() - t0) / 1000;

const f3 = (x: number | undefined) => (x === undefined ? '  -  ' : x.toFixed(3));
const diffLine = (label: string, a: readonly number[], b: readonly number[]) => {
  const d = pairedBootstrapDiff(a, b, { seed });
  const verdict = d.lo > 0 ? 'interval excludes 0: better' : d.hi < 0 ? 'interval excludes 0: worse' : 'interval includes 0';
  return `  ${label.padEnd(44)} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} [${d.lo.toFixed(4)}, ${d.hi.toFixed(4)}]  ${verdict}`;
};
const M = ['ndcg@10', 'recall@100', 'mrr@10'] as const;
const row = (label: string, r: EvalReport['systems']['bm25']) => `  ${label.padEnd(28)} ${M.map((m) => `${f3(r.mean[m])} [${f3(r.ci[m]?.[0])}, ${f3(r.ci[m]?.[1])}]`.padEnd(24)).join('')}`;
const header = `  ${''.padEnd(28)} ${M.map((m) => m.padEnd(24)).join('')}`;

const opts = { eval: { beir, split: 'test' }, seed };
const evF = await evaluateDataset({ ...opts, train: records(filtered) });
const evU = await evaluateDataset({ ...opts, train: records(unfiltered) });
const s = (r: SynthResult) => `${r.queries.length} queries from ${r.report.passages.withQueries}/${r.report.passages.in} passages (generated ${r.report.queries.generated}; removed ${Object.entries(r.report.queries.removed).map(([f, m]) => `${f} ${Object.values(m).reduce((a, b) => a + b, 0)}`).join(', ')})`;
console.log(`Cranfield cold start, seed ${seed}, round-trip k ${k}, synth options ${JSON.stringify(extra)} (synth of both variants ${synthSeconds.toFixed(1)} s)`);
console.log(`filtered:   ${s(filtered)}`);
console.log(`unfiltered: ${s(unfiltered)}`);
console.log(`kept by style (filtered): ${Object.entries(filtered.report.queries.byStyle).map(([st, c]) => `${st} ${c.kept}/${c.generated}`).join(', ')}`);
console.log(`\nall ${evF.qids.length} real queries (mean [95% bootstrap interval])`);
console.log(header);
console.log(row('BM25', evF.systems.bm25));
console.log(row('untrained', evF.systems.untrained));
console.log(row('synthetic, round-trip on', evF.systems.trained));
console.log(row('synthetic, round-trip off', evU.systems.trained));
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

const o80 = { eval: { beir, split: 'rest80' }, seed };
const e80F = await evaluateDataset({ ...o80, train: records(filtered) });
const e80S = await evaluateDataset({ ...o80, train: [...records(filtered), ...seedRecords] });
const e80O = await evaluateDataset({ ...o80, train: seedRecords });
console.log(`\nwith seeds: ${seedQ.size} real queries (${seedRecords.length} judgements) as seeds, evaluated on the other ${e80F.qids.length}`);
console.log(header);
console.log(row('BM25', e80F.systems.bm25));
console.log(row('untrained', e80F.systems.untrained));
console.log(row('seeds only', e80O.systems.trained));
console.log(row('synthetic (filtered)', e80F.systems.trained));
console.log(row('synthetic + seeds', e80S.systems.trained));
for (const m of ['ndcg@10'] as const) {
  console.log(`paired differences, ${m}`);
  console.log(diffLine('synthetic + seeds - synthetic', e80S.systems.trained.perQuery[m]!, e80F.systems.trained.perQuery[m]!));
  console.log(diffLine('synthetic + seeds - seeds only', e80S.systems.trained.perQuery[m]!, e80O.systems.trained.perQuery[m]!));
  console.log(diffLine('synthetic + seeds - BM25', e80S.systems.trained.perQuery[m]!, e80F.systems.bm25.perQuery[m]!));
}
rmSync(beir, { recursive: true, force: true });
