import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, sqlString } from '../../db/duckdb.js';
import type { Doc, StageStats } from '../../types.js';
import { commitTemp, tempPathFor, writeFileAtomic } from '../../util/fs.js';
import type { TrainingRecord } from '../negatives/types.js';
import { composeBatches, type BatchPlan } from './batches.js';
import { clickforge, flagEmbedding, sentenceTransformers, tevatron, type Row } from './formats.js';
import type { ExportOptions } from './options.js';

export type Split = 'train' | 'dev' | 'test';

export interface ExportInput {
  readonly records: readonly TrainingRecord[];
  /** family id -> split. Records whose family is absent go to train. */
  readonly splitOf: ReadonlyMap<string, Split>;
  readonly docs: readonly Doc[];
  readonly outDir: string;
  /** Seeds the batch composition order. Default 42. */
  readonly seed?: number;
}

export interface ExportResult {
  /** Relative path -> rows written. */
  readonly files: Readonly<Record<string, number>>;
  readonly stats: StageStats;
  /** Batch composition of the train split (when export.batchSize > 0). */
  readonly batches?: Omit<BatchPlan, 'order' | 'unplacedRows'>;
}

const jsonl = (rows: readonly Row[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/**
 * Export training records in every configured format, per split.
 *
 * Input: mined records (positives + filtered negatives), the split of each query family, the corpus.
 * Output: <outDir>/<format>/<split>.jsonl (+ .parquet) for train and dev; the BEIR folder
 * <outDir>/beir/{corpus.jsonl, queries.jsonl, qrels/<split>.tsv} holds every split's graded
 * positives as qrels, so `clickforge evaluate --beir <outDir>/beir` measures held-out families.
 * Test records never appear in a training format.
 * Drops: positives below `minGrade` (counted), records left without a positive (counted).
 */
export async function exportDataset(conn: DuckDBConnection, input: ExportInput, opts: ExportOptions): Promise<ExportResult> {
  const files: Record<string, number> = {};
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
  const titles = new Map(input.docs.map((d) => [d.doc_id, d.title ?? '']));
  const titleOf = (id: string) => titles.get(id) ?? '';
  // stable query ids: position in the sorted list of distinct normalised queries
  const qids = new Map<string, string>();
  [...new Set(input.records.map((r) => r.query_norm))].sort().forEach((q, i) => qids.set(q, `q${i + 1}`));

  const write = async (rel: string, rows: Row[]) => {
    const path = join(input.outDir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, jsonl(rows));
    files[rel] = rows.length;
    if (opts.fileFormats.includes('parquet') && rows.length > 0) {
      const pq = path.replace(/\.jsonl$/, '.parquet');
      const tmp = tempPathFor(pq);
      await conn.run(`COPY (SELECT * FROM read_json(${sqlString(path)}, format='newline_delimited', sample_size=-1)) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
      await commitTemp(tmp, pq);
      files[rel.replace(/\.jsonl$/, '.parquet')] = rows.length;
    }
    if (!opts.fileFormats.includes('jsonl')) {
      await rm(path, { force: true });
      delete files[rel];
    }
  };

  const n = opts.maxNegatives;
  for (const split of ['train', 'dev'] as const) {
    const recs = bySplit[split];
    for (const fmt of opts.formats) {
      if (fmt === 'clickforge') await write(`clickforge/${split}.jsonl`, recs.flatMap((r) => clickforge(r, n)));
      else if (fmt === 'sentence-transformers') await write(`sentence-transformers/${split}.jsonl`, recs.flatMap((r) => sentenceTransformers(r, n)));
      else if (fmt === 'flagembedding') await write(`flagembedding/${split}.jsonl`, recs.map((r) => flagEmbedding(r, n, opts.prompt)));
      else if (fmt === 'tevatron') await write(`tevatron/${split}.jsonl`, recs.map((r) => tevatron(r, n, qids.get(r.query_norm)!, titleOf)));
    }
  }

  let batches: ExportResult['batches'];
  if (opts.batchSize > 0 && bySplit.train.length > 0) {
    // one row per (record, positive), the same rows in the same order as the per-positive formats
    const rows = bySplit.train.flatMap((r) => r.positives.map((p) => ({ r, p })));
    const plan = composeBatches(
      rows.map(({ r, p }) => ({ family: r.family, positiveId: p.doc_id, positiveText: p.text })),
      { batchSize: opts.batchSize, seed: input.seed ?? 42, nearDuplicateJaccard: opts.batchNearDuplicateJaccard },
    );
    const st = bySplit.train.flatMap((r) => sentenceTransformers(r, n));
    await write('sentence-transformers/train.batched.jsonl', plan.order.map((i) => st[i]!));
    const { order, unplacedRows, ...summary } = plan;
    batches = summary;
    await writeFileAtomic(join(input.outDir, 'batches', 'train.json'), JSON.stringify({ ...summary, order, unplacedRows }) + '\n');
    files['batches/train.json'] = order.length;
  }

  if (opts.formats.includes('beir')) {
    const base = join(input.outDir, 'beir');
    await mkdir(join(base, 'qrels'), { recursive: true });
    const corpus = input.docs.map((d) => JSON.stringify({ _id: d.doc_id, title: d.title ?? '', text: d.text })).join('\n') + '\n';
    await writeFileAtomic(join(base, 'corpus.jsonl'), corpus);
    files['beir/corpus.jsonl'] = input.docs.length;
    const all = [...bySplit.train, ...bySplit.dev, ...bySplit.test];
    const seenQ = new Set<string>();
    const queries: string[] = [];
    for (const r of all) {
      const id = qids.get(r.query_norm)!;
      if (seenQ.has(id)) continue;
      seenQ.add(id);
      queries.push(JSON.stringify({ _id: id, text: r.query, metadata: { family: r.family } }));
    }
    await writeFileAtomic(join(base, 'queries.jsonl'), queries.join('\n') + (queries.length ? '\n' : ''));
    files['beir/queries.jsonl'] = queries.length;
    for (const split of ['train', 'dev', 'test'] as const) {
      const lines = ['query-id\tcorpus-id\tscore'];
      for (const r of bySplit[split]) for (const p of r.positives) lines.push(`${qids.get(r.query_norm)}\t${p.doc_id}\t${p.grade}`);
      await writeFileAtomic(join(base, 'qrels', `${split}.tsv`), lines.join('\n') + '\n');
      files[`beir/qrels/${split}.tsv`] = lines.length - 1;
    }
  }

  const kept = bySplit.train.length + bySplit.dev.length + bySplit.test.length;
  return {
    files,
    ...(batches ? { batches } : {}),
    stats: {
      stage: 'export',
      in: { records: input.records.length },
      out: { records: kept, train: bySplit.train.length, dev: bySplit.dev.length, test: bySplit.test.length },
      dropped: { no_positive_left: dropped.no_positive_left!, 'positives.below_min_grade': dropped.below_min_grade! },
      notes: batches
        ? [`batch composition (size ${batches.batchSize}): ${batches.batches} conflict-free batches; rows not placed: ${Object.entries(batches.unplaced).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`]
        : [],
    },
  };
}
