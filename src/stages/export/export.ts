import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '../../db/duckdb.js';
import { inputError } from '../../errors.js';
import type { RecordSinks, RelevanceScorer } from '../../ports/index.js';
import type { Doc, StageStats } from '../../types.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { RecordScorer } from '../negatives/mine.js';
import type { TrainingRecord } from '../negatives/types.js';
import { composeBatches, type BatchPlan } from './batches.js';
import { exportFormatWriters, hasNegatives, sentenceTransformersTuples, type FormatContext, type Teacher } from './formats/index.js';
import type { ExportOptions } from './options.js';
import { teacherScore } from './teacher.js';
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
  /** The teacher of export.teacherScores "judge" (the pipeline passes the rerank judge); required then, unused otherwise. */
  readonly teacher?: RelevanceScorer;
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
  const { bySplit, dropped } = assignSplits(input, opts.minGrade);
  const judged = opts.teacherScores === 'judge' ? await judgeScores(input, bySplit, opts.negatives) : null;
  const teacher: Teacher = judged
    ? { name: `${judged.id} (export.teacherScores judge)` }
    : opts.teacherScores === 'auto' && input.scorer?.kind === 'dense' ? { name: `cosine under ${input.scorer.embedder}` } : null;
  const ctx = formatContext(conn, input, opts, bySplit, teacher, files, omitted);
  const k = opts.negatives;

  // the records with k negatives: the only ones with n-tuple, FlagEmbedding and Tevatron rows
  const fullBySplit = { train: bySplit.train.filter((r) => hasNegatives(r, k)), dev: bySplit.dev.filter((r) => hasNegatives(r, k)) };
  const short = { train: bySplit.train.length - fullBySplit.train.length, dev: bySplit.dev.length - fullBySplit.dev.length };
  let filledNegatives = 0;
  for (const split of ['train', 'dev'] as const) {
    const records = bySplit[split];
    const full = fullBySplit[split];
    const noRecords = `no ${split} records (no query family was assigned to ${split})`;
    const noFull = records.length === 0 ? noRecords : `no ${split} record has ${k} negatives (export.negatives) after negatives.fill`;
    for (const fmt of opts.formats) await exportFormatWriters[fmt].writeSplit?.(ctx, { split, records, full, noRecords, noFull });
    for (const r of full) for (const n of r.negatives.slice(0, k)) if (n.filled) filledNegatives++;
  }
  const batches = await writeBatches(ctx, input, opts, fullBySplit.train, files);
  for (const fmt of new Set(opts.formats)) await exportFormatWriters[fmt].writeDataset?.(ctx);

  const kept = bySplit.train.length + bySplit.dev.length + bySplit.test.length;
  const notes: string[] = [];
  if (short.train + short.dev > 0) notes.push(`${short.train + short.dev} records (train ${short.train}, dev ${short.dev}) have fewer than ${k} negatives: they are in the pairs and clickforge files only, not in the n-tuple, FlagEmbedding or Tevatron files.`);
  if (filledNegatives > 0) notes.push(`${filledNegatives} exported negatives were added by negatives.fill (random documents that passed the false-negative filters).`);
  notes.push(teacher ? `FlagEmbedding pos_scores / neg_scores and MarginMSE labels: ${teacher.name}.` : 'FlagEmbedding pos_scores / neg_scores and the MarginMSE file left out: no teacher scored the records on one scale (export.teacherScores).');
  if (judged && judged.unscored > 0) notes.push(`${judged.unscored} train/dev records have no teacher scores: the judge gave no score for at least one of their texts (no FlagEmbedding scores, no MarginMSE rows).`);
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
      out: { records: kept, train: bySplit.train.length, dev: bySplit.dev.length, test: bySplit.test.length, records_short_of_negatives: short.train + short.dev, ...(judged ? { teacher_scored: judged.scored, teacher_unscored: judged.unscored } : {}) },
      dropped: { no_positive_left: dropped.noPositiveLeft, 'positives.below_min_grade': dropped.belowMinGrade },
      notes,
    },
  };
}

/** export.teacherScores "judge": the train and dev records (the exported ones) with the teacher's scores in place of the record scorer's. */
async function judgeScores(input: ExportInput, bySplit: Record<Split, TrainingRecord[]>, k: number): Promise<{ id: string; scored: number; unscored: number }> {
  const t = input.teacher;
  if (!t) throw inputError('teacher_missing', 'export.teacherScores is "judge" but no judge of kind rerank is configured: set `judge: {kind: rerank, baseUrl, model}` (docs/adapters.md), or export.teacherScores to "auto".', { stage: 'export' });
  let scored = 0;
  let unscored = 0;
  for (const split of ['train', 'dev'] as const) {
    const r = await teacherScore(bySplit[split], k, t);
    bySplit[split] = r.records;
    scored += r.scored;
    unscored += r.unscored;
  }
  return { id: t.id, scored, unscored };
}

/** Each record in its family's split (train when the family has none), without its positives below `minGrade`. */
function assignSplits(input: ExportInput, minGrade: number): { bySplit: Record<Split, TrainingRecord[]>; dropped: { belowMinGrade: number; noPositiveLeft: number } } {
  const dropped = { belowMinGrade: 0, noPositiveLeft: 0 };
  const bySplit: Record<Split, TrainingRecord[]> = { train: [], dev: [], test: [] };
  for (const r0 of input.records) {
    const positives = r0.positives.filter((p) => p.grade >= minGrade);
    dropped.belowMinGrade += r0.positives.length - positives.length;
    if (positives.length === 0) {
      dropped.noPositiveLeft++;
      continue;
    }
    const r = positives.length === r0.positives.length ? r0 : { ...r0, positives };
    bySplit[input.splitOf.get(r.family) ?? 'train'].push(r);
  }
  return { bySplit, dropped };
}

/** What the formats write with; the writers record each file in `files` or, when empty, in `omitted`. */
function formatContext(
  conn: DuckDBConnection, input: ExportInput, opts: ExportOptions, bySplit: Record<Split, TrainingRecord[]>, teacher: Teacher,
  files: Record<string, number>, omitted: OmittedFile[],
): FormatContext {
  const docById = new Map(input.docs.map((d) => [d.doc_id, d]));
  // stable query ids: position in the sorted list of distinct normalised queries
  const qids = new Map<string, string>();
  [...new Set(input.records.map((r) => r.query_norm))].sort().forEach((q, i) => qids.set(q, `q${i + 1}`));
  return {
    k: opts.negatives,
    queryPrompt: input.queryPrompt ?? '',
    teacher,
    docs: input.docs,
    bySplit,
    queryId: (q) => qids.get(q)!,
    docOf(id) {
      const d = docById.get(id);
      return d ? { title: d.title ?? '', text: d.text } : undefined;
    },
    async write(rel, rows, whyEmpty, fileFormats = opts.fileFormats) {
      const written = await writeRows(input.sinks, conn, join(input.outDir, rel), rows, fileFormats);
      if (Object.keys(written).length === 0) omitted.push({ file: rel, reason: whyEmpty });
      for (const [ext, n] of Object.entries(written)) files[rel.replace(/\.jsonl$/, `.${ext}`)] = n;
    },
    async writeQrels(rel, rows, whyEmpty) {
      const n = await writeQrels(input.sinks, join(input.outDir, rel), rows);
      if (n > 0) files[rel] = n;
      else omitted.push({ file: rel, reason: whyEmpty });
    },
  };
}

/**
 * The train split's n-tuples again, in an order where no batch of export.batchSize rows holds a
 * conflict (sentence-transformers/train.batched.jsonl + batches/train.json); an older plan is removed
 * when there is none.
 */
async function writeBatches(ctx: FormatContext, input: ExportInput, opts: ExportOptions, trainFull: readonly TrainingRecord[], files: Record<string, number>): Promise<ExportResult['batches']> {
  if (!(opts.batchSize > 0 && opts.formats.includes('sentence-transformers') && trainFull.length > 0)) {
    await rm(join(input.outDir, 'batches', 'train.json'), { force: true });
    return undefined;
  }
  // one row per (record, positive), the same rows in the same order as the n-tuple file
  const rows = trainFull.flatMap((r) => r.positives.map((p) => ({ r, p })));
  const plan = composeBatches(
    rows.map(({ r, p }) => ({ family: r.family, positiveId: p.doc_id, positiveText: p.text })),
    { batchSize: opts.batchSize, seed: input.seed ?? 42, nearDuplicateJaccard: opts.batchNearDuplicateJaccard },
  );
  const st = trainFull.flatMap((r) => sentenceTransformersTuples(r, ctx.k));
  await ctx.write('sentence-transformers/train.batched.jsonl', plan.order.map((i) => st[i]!), `no complete conflict-free batch of ${opts.batchSize} rows (export.batchSize)`);
  const { order, unplacedRows, ...summary } = plan;
  await writeFileAtomic(join(input.outDir, 'batches', 'train.json'), JSON.stringify({ ...summary, order, unplacedRows }) + '\n');
  files['batches/train.json'] = order.length;
  return summary;
}
