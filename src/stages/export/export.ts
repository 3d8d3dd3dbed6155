import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '../../db/duckdb.js';
import type { RecordSinks } from '../../ports/index.js';
import type { Doc, StageStats } from '../../types.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { RecordScorer } from '../negatives/mine.js';
import type { TrainingRecord } from '../negatives/types.js';
import { composeBatches, type BatchPlan } from './batches.js';
import { clickforge, flagEmbedding, hasNegatives, sentenceTransformersPairs, sentenceTransformersTuples, tevatron, type Row, type Teacher } from './formats.js';
import type { ExportOptions } from './options.js';
import { writeQrels, writeRows } from './write.js';

export type Split = 'train' | 'dev' | 'test';

export interface ExportInput {
  readonly records: readonly TrainingRecord[];
  /** family id -> split. Records whose family is absent go to train. */
  readonly splitOf: ReadonlyMap<string, Split>;
  readonly docs: readonly Doc[];
  readonly outDir: string;
  /** Seeds the batch composition order. Default 42. */
  readonly seed?: number;
  /** What the records' scores mean (from mineNegatives); teacher scores are written only for one embedder's cosine. Default BM25. */
  readonly scorer?: RecordScorer;
  /** The query instruction (config `prompts.query`), written as FlagEmbedding's `prompt` when not empty. */
  readonly queryPrompt?: string;
  /** Where the files go: the pipeline passes the file sinks (`fileSinks`). */
  readonly sinks: RecordSinks;
}

/** A file that was not written because it would have been empty, and why. */
export interface OmittedFile {
  readonly file: string;
  readonly reason: string;
}

export interface ExportResult {
  /** Relative path -> rows written. Only files with at least one row are written. */
  readonly files: Readonly<Record<string, number>>;
  readonly omitted: readonly OmittedFile[];
  /** Where FlagEmbedding's pos_scores / neg_scores come from, or null when they are left out. */
  readonly teacherScores: string | null;
  /** Negatives added by negatives.fill among the exported rows' negatives. */
  readonly filledNegatives: number;
  readonly stats: StageStats;
  /** Batch composition of the train split (when export.batchSize > 0). */
  readonly batches?: Omit<BatchPlan, 'order' | 'unplacedRows'>;
}

/**
 * Export training records in every configured format, per split.
 *
 * Input: mined records (positives + filtered negatives), the split of each query family, the corpus.
 * Output: <outDir>/<format>/<split>.jsonl (+ .parquet) for train and dev (sentence-transformers
 * also <split>.pairs.jsonl); the BEIR folder <outDir>/beir/{corpus.jsonl, queries.jsonl,
 * qrels/<split>.tsv} holds every split's graded positives as qrels, so
 * `clickforge evaluate --beir <outDir>/beir` measures held-out families. Test records never appear
 * in a training format. A file that would be empty is not written (listed in `omitted`).
 * Every file is written row by row to a temp file and renamed when complete.
 * Drops: positives below `minGrade` (counted), records left without a positive (counted); records
 * with fewer than `export.negatives` negatives have no n-tuple / FlagEmbedding / Tevatron row (counted).
 */
export async function exportDataset(conn: DuckDBConnection, input: ExportInput, opts: ExportOptions): Promise<ExportResult> {
  const files: Record<string, number> = {};
  const omitted: OmittedFile[] = [];
  const dropped: Record<string, number> = { below_min_grade: 0, no_positive_left: 0 };
  const bySplit: Record<Split, TrainingRecord[]> = { train: [], dev: [], test: [] };
  for (const r0 of input.records) {
    const positives = r0.positives.filter((p) => p.grade >= opts.minGrade);
    dropped.below_min_grade! += r0.positives.length - positives.length;
    if (positives.length === 0) {
      dropped.no_positive_left!++;
      continue;
    }
    const r = positives.length === r0.positives.length ? r0 : { ...r0, positives };
    bySplit[input.splitOf.get(r.family) ?? 'train'].push(r);
  }
  const docById = new Map(input.docs.map((d) => [d.doc_id, d]));
  const docOf = (id: string) => {
    const d = docById.get(id);
    return d ? { title: d.title ?? '', text: d.text } : undefined;
  };
  // stable query ids: position in the sorted list of distinct normalised queries
  const qids = new Map<string, string>();
  [...new Set(input.records.map((r) => r.query_norm))].sort().forEach((q, i) => qids.set(q, `q${i + 1}`));
  const teacher: Teacher = opts.teacherScores === 'auto' && input.scorer?.kind === 'dense' ? { name: `cosine under ${input.scorer.embedder}` } : null;
  const k = opts.negatives;

  const write = async (rel: string, rows: Iterable<Row>, whyEmpty: string, fileFormats = opts.fileFormats) => {
    const written = await writeRows(input.sinks, conn, join(input.outDir, rel), rows, fileFormats);
    if (Object.keys(written).length === 0) omitted.push({ file: rel, reason: whyEmpty });
    for (const [ext, n] of Object.entries(written)) files[rel.replace(/\.jsonl$/, `.${ext}`)] = n;
  };
  const flat = function* (recs: readonly TrainingRecord[], rowsOf: (r: TrainingRecord) => Row[]) {
    for (const r of recs) yield* rowsOf(r);
  };

  // the records with k negatives: the only ones with n-tuple, FlagEmbedding and Tevatron rows
  const fullBySplit = { train: bySplit.train.filter((r) => hasNegatives(r, k)), dev: bySplit.dev.filter((r) => hasNegatives(r, k)) };
  const short = { train: bySplit.train.length - fullBySplit.train.length, dev: bySplit.dev.length - fullBySplit.dev.length };
  let filledNegatives = 0;
  for (const split of ['train', 'dev'] as const) {
    const recs = bySplit[split];
    const full = fullBySplit[split];
    const noRecords = `no ${split} records (no query family was assigned to ${split})`;
    const noFull = recs.length === 0 ? noRecords : `no ${split} record has ${k} negatives (export.negatives) after negatives.fill`;
    for (const fmt of opts.formats) {
      if (fmt === 'clickforge') await write(`clickforge/${split}.jsonl`, flat(recs, (r) => clickforge(r, k)), noRecords);
      else if (fmt === 'sentence-transformers') {
        await write(`sentence-transformers/${split}.jsonl`, flat(full, (r) => sentenceTransformersTuples(r, k)), noFull);
        await write(`sentence-transformers/${split}.pairs.jsonl`, flat(recs, sentenceTransformersPairs), noRecords);
      } else if (fmt === 'flagembedding') await write(`flagembedding/${split}.jsonl`, flat(full, (r) => flagEmbedding(r, k, input.queryPrompt ?? '', teacher)), noFull);
      else if (fmt === 'tevatron') await write(`tevatron/${split}.jsonl`, flat(full, (r) => tevatron(r, k, qids.get(r.query_norm)!, docOf)), noFull);
    }
    for (const r of full) for (const n of r.negatives.slice(0, k)) if (n.filled) filledNegatives++;
  }

  let batches: ExportResult['batches'];
  const trainFull = fullBySplit.train;
  if (opts.batchSize > 0 && opts.formats.includes('sentence-transformers') && trainFull.length > 0) {
    // one row per (record, positive), the same rows in the same order as the n-tuple file
    const rows = trainFull.flatMap((r) => r.positives.map((p) => ({ r, p })));
    const plan = composeBatches(
      rows.map(({ r, p }) => ({ family: r.family, positiveId: p.doc_id, positiveText: p.text })),
      { batchSize: opts.batchSize, seed: input.seed ?? 42, nearDuplicateJaccard: opts.batchNearDuplicateJaccard },
    );
    const st = trainFull.flatMap((r) => sentenceTransformersTuples(r, k));
    await write('sentence-transformers/train.batched.jsonl', plan.order.map((i) => st[i]!), `no complete conflict-free batch of ${opts.batchSize} rows (export.batchSize)`);
    const { order, unplacedRows, ...summary } = plan;
    batches = summary;
    await writeFileAtomic(join(input.outDir, 'batches', 'train.json'), JSON.stringify({ ...summary, order, unplacedRows }) + '\n');
    files['batches/train.json'] = order.length;
  } else {
    await rm(join(input.outDir, 'batches', 'train.json'), { force: true });
  }

  if (opts.formats.includes('beir')) {
    // BEIR loaders read JSONL and TSV only, whatever export.fileFormats says
    await write('beir/corpus.jsonl', input.docs.map((d) => ({ _id: d.doc_id, title: d.title ?? '', text: d.text })), 'the corpus is empty', ['jsonl']);
    const all = [...bySplit.train, ...bySplit.dev, ...bySplit.test];
    const queries = function* () {
      const seen = new Set<string>();
      for (const r of all) {
        const id = qids.get(r.query_norm)!;
        if (seen.has(id)) continue;
        seen.add(id);
        yield { _id: id, text: r.query, metadata: { family: r.family } };
      }
    };
    await write('beir/queries.jsonl', queries(), 'no records', ['jsonl']);
    for (const split of ['train', 'dev', 'test'] as const) {
      const rel = `beir/qrels/${split}.tsv`;
      const lines = function* (): Generator<readonly [string, string, string]> {
        for (const r of bySplit[split]) for (const p of r.positives) yield [qids.get(r.query_norm)!, p.doc_id, String(p.grade)];
      };
      const n = await writeQrels(input.sinks, join(input.outDir, rel), lines());
      if (n > 0) files[rel] = n;
      else omitted.push({ file: rel, reason: `no ${split} records (no query family was assigned to ${split})` });
    }
  }

  const kept = bySplit.train.length + bySplit.dev.length + bySplit.test.length;
  const notes: string[] = [];
  if (short.train + short.dev > 0) notes.push(`${short.train + short.dev} records (train ${short.train}, dev ${short.dev}) have fewer than ${k} negatives: they are in the pairs and clickforge files only, not in the n-tuple, FlagEmbedding or Tevatron files.`);
  if (filledNegatives > 0) notes.push(`${filledNegatives} exported negatives were added by negatives.fill (random documents that passed the false-negative filters).`);
  notes.push(teacher ? `FlagEmbedding pos_scores / neg_scores: ${teacher.name}.` : 'FlagEmbedding pos_scores / neg_scores left out: no embedder scored the records on one scale (export.teacherScores).');
  if (batches) notes.push(`batch composition (size ${batches.batchSize}): ${batches.batches} conflict-free batches; rows not placed: ${Object.entries(batches.unplaced).map(([key, v]) => `${key} ${v}`).join(', ') || 'none'}.`);
  for (const o of omitted) notes.push(`not written: ${o.file} (${o.reason}).`);
  return {
    files,
    omitted,
    teacherScores: teacher?.name ?? null,
    filledNegatives,
    ...(batches ? { batches } : {}),
    stats: {
      stage: 'export',
      in: { records: input.records.length },
      out: { records: kept, train: bySplit.train.length, dev: bySplit.dev.length, test: bySplit.test.length, records_short_of_negatives: short.train + short.dev },
      dropped: { no_positive_left: dropped.no_positive_left!, 'positives.below_min_grade': dropped.below_min_grade! },
      notes,
    },
  };
}
