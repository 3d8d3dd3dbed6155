/**
 * Do weak-supervision files help a small click log? (issue 17, weak supervision)
 *   npx tsx bench/weak-sources.ts [--sessions 3000] [--seed 42] [--out DIR] [--only NAMES] [--no-compare]
 * 1. Simulate the help-desk world with few sessions (a young product's log).
 * 2. Derive two weak-supervision files from the corpus alone, as a help centre has them: FAQ
 *    mappings (every article titled "FAQ: <question>" -> that article) and collection pages
 *    (every category -> its articles, in corpus order; sources.collections.maxDocs caps them).
 * 3. build clicks only, clicks + FAQ, clicks + collections and clicks + both; every family in train (the evaluation
 *    uses the simulator's held-out families, as bench/negatives-gain.ts does: records whose
 *    query is a truth test query are dropped). The FAQ may cover test intents: that is what
 *    an FAQ written before the queries arrive does, and no test query text enters training.
 * 4. Print each build's funnel by source, then train the built-in model on each and compare on
 *    the held-out test queries (paired bootstrap 95% interval of the difference).
 * Measured figures and what they decided: docs/design/weak-supervision.md.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { build } from '../src/pipeline.js';
import type { SourceFunnel } from '../src/stages/report/source-funnel.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { evaluateDataset, pairedBootstrapDiff, readTrainingFile, type EvalReport, type TrainRecord } from '../src/tools/evaluate/index.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../src/tools/simulate/index.js';
import { arg, numArg } from './args.js';

const sessions = numArg('sessions', 3000);
const seed = numArg('seed', 42);
const out = arg('out', '') || mkdtempSync(join(tmpdir(), 'cf-weak-sources-'));
const log = (o: object): void => console.log(JSON.stringify(o));
const readJsonl = <T>(p: string): T[] => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
const dataDir = join(out, 'data');

await mkdir(dataDir, { recursive: true });
const simOpts = parseSimulateOptions({ seed, sessions });
const sim = await simulateLog(buildHelpdeskWorld(simOpts), simOpts, dataDir);
log({ step: 'simulate', sessions: sim.detail.sessions, pages: sim.detail.pages });

// weak files from the corpus alone
type Doc = { doc_id: string; title?: string; category?: string };
const docs = readJsonl<Doc>(join(dataDir, 'corpus.jsonl'));
const faq = docs.filter((d) => d.title?.startsWith('FAQ: ')).map((d) => ({ question: d.title!.slice(5), doc_id: d.doc_id }));
const byCategory = new Map<string, string[]>();
for (const d of docs) if (d.category) byCategory.set(d.category, [...(byCategory.get(d.category) ?? []), d.doc_id]);
const collections = [...byCategory].map(([title, ids]) => ({ title, doc_ids: ids }));
const write = (name: string, rows: unknown[]) => { writeFileSync(join(dataDir, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n'); return join(dataDir, name); };
const weak = { faq: write('faq.jsonl', faq), collections: write('collections.jsonl', collections) };
log({ step: 'weak-files', faqRows: faq.length, collectionRows: collections.length });

type Variant = { readonly input: Record<string, string>; readonly sources?: ConfigInput['sources'] };
const allVariants: Record<string, Variant> = {
  clicks: { input: {} },
  'clicks+faq': { input: { faq: weak.faq } },
  'clicks+collections': { input: { collections: weak.collections } },
  'clicks+collections(weight 1)': { input: { collections: weak.collections }, sources: { collections: { weight: 1 } } },
  'clicks+collections(weight 1, maxDocs 5)': { input: { collections: weak.collections }, sources: { collections: { weight: 1, maxDocs: 5 } } },
  'clicks+faq+collections': { input: weak },
  'clicks+faq+collections(weight 1)': { input: weak, sources: { collections: { weight: 1 } } },
};
// --only 'clicks+faq,clicks+collections' runs those (clicks, the baseline, always runs)
const only = arg('only', '');
const variants = Object.fromEntries(Object.entries(allVariants).filter(([k]) => k === 'clicks' || !only || only.split(',').includes(k)));
const data: Record<string, TrainRecord[]> = {};
const testQueries = new Set(readJsonl<{ query: string; split: string }>(join(dataDir, 'truth', 'queries.jsonl')).filter((q) => q.split === 'test').map((q) => normalizeQuery(q.query)));
for (const [name, v] of Object.entries(variants)) {
  const dir = join(out, name.replace(/\W+/g, '-'));
  const cfg: ConfigInput = {
    input: { serps: [join(dataDir, 'serps.jsonl')], corpus: join(dataDir, 'corpus.jsonl'), ...v.input },
    ...(v.sources ? { sources: v.sources } : {}),
    output: dir, seed,
    splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 }, minPerStratum: 0 },
  };
  const r = await build(cfg);
  const f = r.report.sections.sourceFunnel as SourceFunnel | undefined;
  log({ step: 'build', variant: name, positivePairs: r.report.summary.positivePairs, funnel: f?.rows ?? null, recordsBySources: f?.recordsBySources ?? null, accountingOk: r.report.accounting.every((c) => c.ok) });
  const all = readTrainingFile(join(dir, 'dataset', 'clickforge', 'train.jsonl'));
  data[name] = all.filter((x) => !testQueries.has(normalizeQuery(x.query)));
  log({ step: 'load', variant: name, records: all.length, kept: data[name].length });
}
if (process.argv.includes('--no-compare')) process.exit(0);

const metrics = ['ndcg@10', 'mrr@10', 'recall@10'];
const reports: Record<string, EvalReport> = {};
for (const name of Object.keys(variants)) {
  const t = performance.now();
  reports[name] = await evaluateDataset({ eval: { beir: join(dataDir, 'truth', 'beir'), split: 'test' }, seed, train: data[name]! });
  log({ step: 'evaluate', variant: name, queries: reports[name].qids.length, seconds: +((performance.now() - t) / 1000).toFixed(1), trained: reports[name].systems.trained.mean });
}
const A = reports.clicks!.systems.trained;
console.log(`\n${reports.clicks!.qids.length} held-out queries; out: ${out}`);
for (const name of Object.keys(variants).slice(1)) {
  const B = reports[name]!.systems.trained;
  console.log(`clicks -> ${name}`);
  for (const m of metrics) {
    const d = pairedBootstrapDiff(B.perQuery[m]!, A.perQuery[m]!, { seed });
    console.log(`  ${m.padEnd(10)} ${A.mean[m]!.toFixed(3)} -> ${B.mean[m]!.toFixed(3)}  diff ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]`);
  }
}
const r0 = reports.clicks!;
console.log(`BM25 ndcg@10 ${r0.systems.bm25.mean['ndcg@10']!.toFixed(3)}, untrained ${r0.systems.untrained.mean['ndcg@10']!.toFixed(3)}`);
