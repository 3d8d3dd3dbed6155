import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDb, queryRows, sqlString } from '../../db/duckdb.js';
import { mergeConfig, type ConfigInput } from '../../config.js';
import { build, type BuildResult, type ProgressEvent } from '../../pipeline.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createRng } from '../../util/rng.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { Checklist } from '../../stages/report/checklist.js';
import { checklistTerminal } from '../../stages/report/rebuild.js';
import { buildCollectionWorld, buildHelpdeskWorld, parseSimulateOptions, readCranfield, readWorldTruth, simulateLog, type SimulateOptionsInput, type SimulateStats, type WorldTruth } from '../simulate/index.js';
import { compareDatasets, datasetQuality, readTrainingFile, type CompareReport, type DatasetQuality, type TrainRecord } from '../evaluate/index.js';

export interface DemoOptions {
  readonly outDir: string;
  readonly sessions: number;
  readonly seed: number;
  /** Train the built-in model on both datasets and compare them on held-out query families. */
  readonly evaluate: boolean;
  /** Which simulated world: the built-in help desk (default) or the real Cranfield collection with simulated users. */
  readonly world?: { readonly kind: 'helpdesk' } | { readonly kind: 'cranfield'; readonly collection: string };
  /** Extra simulator options (merged over seed and sessions). */
  readonly simulate?: SimulateOptionsInput;
  /** Extra build options (merged over the demo's; e.g. `{ grading: { rule: 'funnel' } }` to measure the old rule). */
  readonly build?: ConfigInput;
}

export interface DemoResult {
  readonly outDir: string;
  readonly simulated: SimulateStats;
  readonly build: BuildResult;
  readonly quality: { readonly naive: DatasetQuality; readonly clean: DatasetQuality };
  readonly records: { readonly naive: number; readonly clean: number };
  readonly compare?: CompareReport;
}

/**
 * The naive dataset most teams start from: every clicked (query, document) pair is a positive,
 * with random negatives.
 */
async function naiveDataset(build: BuildResult, corpus: readonly { doc_id: string; text: string }[], seed: number): Promise<TrainRecord[]> {
  const { conn, close } = await openDb();
  try {
    const rows = await queryRows<{ query: string; doc_id: string; clicks: number }>(
      conn,
      `SELECT query, doc_id, clicks FROM read_parquet(${sqlString(build.files.evidence!)}) WHERE clicks > 0 ORDER BY query_norm, doc_id`,
    );
    const text = new Map(corpus.map((d) => [d.doc_id, d.text]));
    const rng = createRng(seed);
    const out: TrainRecord[] = [];
    for (const r of rows) {
      const positive = text.get(r.doc_id);
      if (positive === undefined) continue;
      const negs: { doc_id: string; text: string }[] = [];
      while (negs.length < 4) {
        const d = corpus[rng.int(corpus.length)]!;
        if (d.doc_id !== r.doc_id) negs.push(d);
      }
      out.push({ query: r.query, positive, positiveId: r.doc_id, negatives: negs.map((n) => n.text), negativeIds: negs.map((n) => n.doc_id) });
    }
    return out;
  } finally {
    close();
  }
}

const heldOut = (truth: WorldTruth) => (r: TrainRecord) => {
  const f = truth.queryFamily.get(r.query) ?? [...truth.queryFamily.entries()].find(([q]) => normalizeQuery(q) === normalizeQuery(r.query))?.[1];
  return f === undefined || !truth.testFamilies.has(f);
};

const toJsonl = (recs: readonly TrainRecord[]) =>
  recs.map((r) => JSON.stringify({ query: r.query, positive: r.positive, doc_id: r.positiveId, ...(r.weight !== undefined ? { weight: r.weight } : {}), negatives: (r.negatives ?? []).map((t, i) => ({ doc_id: r.negativeIds?.[i], text: t })) })).join('\n') + '\n';

/**
 * The demo: simulate a help-desk search log with known truth, build a dataset from it with the
 * default options, build the naive dataset (all clicks + random negatives) next to it, measure
 * both against the truth, and (optionally) train the built-in model on each and compare them on
 * query families that neither saw.
 */
export async function runDemo(o: DemoOptions, onProgress?: (e: ProgressEvent) => void): Promise<DemoResult> {
  const dataDir = join(o.outDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const simOpts = parseSimulateOptions(mergeConfig({ seed: o.seed, sessions: o.sessions }, o.simulate) as SimulateOptionsInput);
  const w = o.world ?? { kind: 'helpdesk' };
  const world = w.kind === 'cranfield' ? buildCollectionWorld(readCranfield(w.collection), simOpts) : buildHelpdeskWorld(simOpts);
  const simulated = await simulateLog(world, simOpts, dataDir);
  // Every family goes to train: the demo measures on the simulator's own held-out families (their
  // records are removed from both datasets below), so the pipeline's own dev/test split would only
  // withhold training data from clickforge and not from the naive dataset.
  const buildOpts = mergeConfig(
    {
      input: { serps: [join(dataDir, 'serps.jsonl')], corpus: join(dataDir, 'corpus.jsonl') },
      output: join(o.outDir, 'build'),
      seed: o.seed,
      splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 }, minPerStratum: 0 },
    },
    o.build,
  ) as ConfigInput;
  const result = await build(buildOpts, onProgress ? { onProgress } : {});
  const truth = readWorldTruth(dataDir);
  const keep = heldOut(truth);
  const corpus = world.docs.map((d) => ({ doc_id: d.doc_id, text: `${d.title}\n\n${d.text}` }));
  const naive = (await naiveDataset(result, corpus, o.seed)).filter(keep);
  const ds = join(result.outDir, 'dataset', 'clickforge');
  const clean = ['train', 'dev', 'test'].flatMap((s) => (existsSync(join(ds, `${s}.jsonl`)) ? readTrainingFile(join(ds, `${s}.jsonl`)) : [])).filter(keep);
  const naivePath = join(o.outDir, 'naive-train.jsonl');
  const cleanPath = join(o.outDir, 'clean-train.jsonl');
  await writeFileAtomic(naivePath, toJsonl(naive));
  await writeFileAtomic(cleanPath, toJsonl(clean));
  const quality = {
    naive: datasetQuality(naive, truth, truth.testQueries),
    clean: datasetQuality(clean, truth, truth.testQueries),
  };
  const compare = o.evaluate ? await compareDatasets(naivePath, cleanPath, { eval: { beir: join(dataDir, 'truth', 'beir'), split: 'test' }, seed: o.seed }) : undefined;
  return { outDir: o.outDir, simulated, build: result, quality, records: { naive: naive.length, clean: clean.length }, ...(compare ? { compare } : {}) };
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);

export function renderDemo(r: DemoResult): string {
  const s = r.build.report.summary;
  const lines: string[] = [];
  lines.push(
    `Simulated ${r.simulated.detail.pages.toLocaleString('en-US')} result pages (${r.simulated.detail.sessions.toLocaleString('en-US')} sessions) of a help-desk search with known relevance: ${r.outDir}/data`,
    `Built the dataset: ${r.build.outDir}`,
    '',
    `raw clicks ${s.clicks.toLocaleString('en-US')}, discarded ${pct(s.clickDiscardRate)}:`,
  );
  for (const c of r.build.report.clickOutcomes) lines.push(`  ${c.kept ? 'kept   ' : 'discard'} ${c.outcome.padEnd(20)} ${c.count.toLocaleString('en-US').padStart(8)}  ${pct(c.share)}`);
  lines.push(
    `positive pairs ${s.positivePairs.toLocaleString('en-US')} over ${s.positiveQueries.toLocaleString('en-US')} queries; counts add up: ${r.build.report.accounting.every((a) => a.ok) ? 'yes' : 'NO'}`,
    '',
    'Against the simulator\'s hidden truth (training records of held-out families removed from both):',
    '                                 naive (all clicks + random negs)   clickforge',
    `  training records               ${String(r.records.naive).padStart(10)}                         ${String(r.records.clean).padStart(10)}`,
    `  positives that are relevant    ${pct(r.quality.naive.positivePrecision).padStart(10)}                         ${pct(r.quality.clean.positivePrecision).padStart(10)}`,
    `  negatives that are relevant    ${pct(r.quality.naive.negativeFalseNegativeRate).padStart(10)}                         ${pct(r.quality.clean.negativeFalseNegativeRate).padStart(10)}`,
  );
  if (r.compare) {
    const c = r.compare;
    lines.push('', `Built-in bi-encoder trained on each, measured on ${c.a.qids.length} queries of held-out families:`);
    for (const m of ['ndcg@10', 'mrr@10', 'recall@10', 'recall@100']) {
      const a = c.a.systems.trained.mean[m] ?? NaN;
      const b = c.b.systems.trained.mean[m] ?? NaN;
      const d = c.diff[m];
      lines.push(`  ${m.padEnd(11)} naive ${a.toFixed(3)}  clickforge ${b.toFixed(3)}  difference ${d ? `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]` : '—'}`);
    }
    lines.push(`  (BM25 ndcg@10 ${(c.a.systems.bm25.mean['ndcg@10'] ?? NaN).toFixed(3)}, untrained model ${(c.a.systems.untrained.mean['ndcg@10'] ?? NaN).toFixed(3)}; 95% bootstrap intervals over queries)`);
  }
  const checklist = r.build.report.sections.checklist as Checklist | undefined;
  if (checklist) lines.push('', 'The dataset checklist (report.html answers each question with its evidence and charts):', ...checklistTerminal(checklist).trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push('', `Next: open ${join(r.build.outDir, 'report.html')} in a browser (report.md is the same for a pull request); training files are in ${join(r.build.outDir, 'dataset')}`);
  return `${lines.join('\n')}\n`;
}
