import { usageError } from '../../errors.js';
import { createModel, type BiEncoder } from '../../model/bi-encoder.js';
import type { ModelOptions, TrainOptions } from '../../model/options.js';
import { train, type TrainStats } from '../../model/train.js';
import { buildBm25, type Bm25Options } from '../../retrieval/bm25.js';
import { denseTopK } from '../../retrieval/dense.js';
import { normalizeQuery } from '../../text/normalize.js';
import { bootstrapCI, pairedBootstrapDiff, retrievalMetrics, type BootstrapOptions, type Run } from './metrics.js';
import { docText, readBeir, readTrainingFile, type BeirData, type TrainRecord } from './readers.js';

export interface EvalOptions {
  /** A BEIR folder and its qrels split (default "test"). These queries must be held out of training. */
  readonly eval: { readonly beir: string; readonly split?: string };
  readonly model?: ModelOptions;
  /** Training options of the built-in model (epochs, batch size, temperature...). */
  readonly training?: TrainOptions;
  readonly bm25?: Bm25Options;
  /** Cut-offs. Default [10, 100]. Runs are retrieved to the largest. */
  readonly ks?: readonly number[];
  readonly bootstrap?: Omit<BootstrapOptions, 'seed'>;
  /** Seeds the model table, the shuffling and the bootstrap unless they set their own. Default 42. */
  readonly seed?: number;
}

export interface SystemResult {
  readonly mean: Readonly<Record<string, number>>;
  readonly ci: Readonly<Record<string, [number, number]>>;
  readonly perQuery: Readonly<Record<string, number[]>>;
  readonly seconds: number;
}

export interface EvalReport {
  readonly corpus: number;
  /** Evaluated query ids (with at least one relevant document), aligned with perQuery arrays. */
  readonly qids: readonly string[];
  readonly train: {
    readonly source: string;
    readonly records: number;
    readonly stats: TrainStats;
    /** Training queries equal (after normalizeQuery) to an evaluation query: leakage, should be 0. */
    readonly heldOutOverlap: number;
  };
  readonly systems: { readonly bm25: SystemResult; readonly untrained: SystemResult; readonly trained: SystemResult };
  readonly notes: readonly string[];
}

export interface CompareReport {
  readonly a: EvalReport;
  readonly b: EvalReport;
  /** metric -> trained(b) - trained(a) over the same queries, with a paired bootstrap interval. */
  readonly diff: Readonly<Record<string, { mean: number; lo: number; hi: number }>>;
}

interface Prepared {
  readonly data: BeirData;
  readonly qids: string[];
  readonly qTexts: string[];
  readonly dTexts: string[];
  readonly kMax: number;
  readonly ks: readonly number[];
  readonly bm25: SystemResult;
  readonly untrained: SystemResult;
}

function summarise(run: Run, p: { data: BeirData; ks: readonly number[] }, boot: BootstrapOptions, seconds: number): SystemResult {
  const m = retrievalMetrics(run, p.data.qrels, p.ks);
  const ci: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(m.perQuery)) ci[k] = bootstrapCI(v, boot);
  return { mean: m.mean, ci, perQuery: m.perQuery, seconds };
}

function denseRun(model: BiEncoder, p: { qids: string[]; qTexts: string[]; dTexts: string[]; kMax: number; data: BeirData }): Run {
  const D = model.embed(p.dTexts);
  const Q = model.embed(p.qTexts);
  const k = Math.min(p.kMax, p.dTexts.length);
  const r = denseTopK(Q, D, model.dim, k);
  const run = new Map<string, string[]>();
  for (let q = 0; q < p.qids.length; q++) {
    const ids: string[] = [];
    for (let i = 0; i < k; i++) {
      const d = r.ids[q * k + i]!;
      if (d >= 0) ids.push(p.data.corpus[d]!.id);
    }
    run.set(p.qids[q]!, ids);
  }
  return run;
}

function prepare(opts: EvalOptions): Prepared {
  const seed = opts.seed ?? 42;
  const ks = opts.ks ?? [10, 100];
  if (ks.length === 0 || ks.some((k) => !(Number.isInteger(k) && k > 0))) throw usageError('bad_ks', `evaluate: ks must be positive integers (got ${JSON.stringify(ks)}).`);
  const data = readBeir(opts.eval.beir, opts.eval.split ?? 'test');
  if (data.corpus.length === 0) throw usageError('empty_corpus', `evaluate: ${opts.eval.beir}/corpus.jsonl has no documents.`);
  const qids = [...data.qrels.keys()];
  const qTexts = qids.map((q) => data.queries.get(q)!);
  const dTexts = data.corpus.map(docText);
  const kMax = Math.max(...ks);
  const boot = { ...opts.bootstrap, seed };
  const base = { data, qids, qTexts, dTexts, kMax, ks };

  const t0 = performance.now();
  const idx = buildBm25(data.corpus.map((d, i) => ({ id: d.id, text: dTexts[i]! })), opts.bm25);
  const bmRun = new Map<string, string[]>();
  for (let q = 0; q < qids.length; q++) bmRun.set(qids[q]!, Array.from(idx.search(qTexts[q]!, kMax).ids, (i) => idx.docId(i)));
  const bm25 = summarise(bmRun, base, boot, (performance.now() - t0) / 1000);

  const t1 = performance.now();
  const untrainedModel = createModel({ seed, ...opts.model });
  const untrained = summarise(denseRun(untrainedModel, base), base, boot, (performance.now() - t1) / 1000);
  return { ...base, bm25, untrained };
}

function trainAndScore(p: Prepared, opts: EvalOptions, source: string, records: readonly TrainRecord[]): EvalReport {
  const seed = opts.seed ?? 42;
  const evalQueries = new Set(p.qTexts.map(normalizeQuery));
  let overlap = 0;
  for (const r of records) if (evalQueries.has(normalizeQuery(r.query))) overlap++;
  const t0 = performance.now();
  const model = createModel({ seed, ...opts.model });
  const stats = train(model, records, { seed, ...opts.training });
  const trained = summarise(denseRun(model, p), p, { ...opts.bootstrap, seed }, (performance.now() - t0) / 1000);
  const notes: string[] = [];
  if (overlap > 0) notes.push(`${overlap} training records have a query equal to an evaluation query: the evaluation is not held out; remove them or split by query family.`);
  if (records.length < 1000) notes.push(`only ${records.length} training records: differences between systems will be noisy (see the confidence intervals).`);
  return {
    corpus: p.data.corpus.length,
    qids: p.qids,
    train: { source, records: records.length, stats, heldOutOverlap: overlap },
    systems: { bm25: p.bm25, untrained: p.untrained, trained },
    notes,
  };
}

const load = (t: string | readonly TrainRecord[]): [string, readonly TrainRecord[]] => (typeof t === 'string' ? [t, readTrainingFile(t)] : ['(records)', t]);

/**
 * Train the built-in model on a training file and measure it on held-out BEIR queries against the
 * whole corpus (exact dense top-k), next to BM25 and the untrained model, with bootstrap CIs.
 *
 * Input: a training file (see readTrainingFile) or records, and a BEIR folder.
 * Output: EvalReport (means, 95% CIs and per-query values per system; training stats; notes).
 * Drops: training records with empty text or weight <= 0 (counted in train.stats.skipped);
 * evaluation queries without any relevant document (not in qids).
 */
export async function evaluateDataset(opts: EvalOptions & { readonly train: string | readonly TrainRecord[] }): Promise<EvalReport> {
  const p = prepare(opts);
  const [source, records] = load(opts.train);
  return trainAndScore(p, opts, source, records);
}

/** Evaluate two training sets on the same held-out queries with the same seed; b - a per metric with a paired bootstrap CI. */
export async function compareDatasets(a: string | readonly TrainRecord[], b: string | readonly TrainRecord[], opts: EvalOptions): Promise<CompareReport> {
  const p = prepare(opts);
  const [sa, ra] = load(a);
  const [sb, rb] = load(b);
  const ea = trainAndScore(p, opts, sa, ra);
  const eb = trainAndScore(p, opts, sb, rb);
  const diff: Record<string, { mean: number; lo: number; hi: number }> = {};
  for (const m of Object.keys(ea.systems.trained.perQuery)) {
    diff[m] = pairedBootstrapDiff(eb.systems.trained.perQuery[m]!, ea.systems.trained.perQuery[m]!, { ...opts.bootstrap, seed: opts.seed ?? 42 });
  }
  return { a: ea, b: eb, diff };
}
