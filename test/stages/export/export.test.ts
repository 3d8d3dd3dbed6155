import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSinks } from '../../../src/adapters/sinks/index.js';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { exportDataset, type ExportInput } from '../../../src/stages/export/export.js';
import { exportOptions } from '../../../src/stages/export/options.js';
import type { TrainingRecord } from '../../../src/stages/negatives/types.js';
import type { Doc } from '../../../src/types.js';
import { marginMseRow } from '../../../src/stages/export/schemas.js';

const docs: Doc[] = Array.from({ length: 12 }, (_, i) => ({ kind: 'Doc', doc_id: `d${i}`, title: `Title ${i}`, text: `body of document ${i}` }));
const render = (i: number) => `Title ${i}\n\nbody of document ${i}`;
const rec = (q: string, family: string, pos: number[], neg: number[], scores = false): TrainingRecord => ({
  kind: 'TrainingRecord', query: q, query_norm: q, family,
  positives: pos.map((i) => ({ doc_id: `d${i}`, text: render(i), grade: 2, weight: 1, ...(scores ? { score: 0.9 } : {}) })),
  negatives: neg.map((i, r) => ({ doc_id: `d${i}`, text: render(i), source: 'bm25' as const, rank: r + 1, ...(scores ? { score: 0.1 * r } : {}), ...(r === 1 ? { filled: true } : {}) })),
});
const readJsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('exportDataset', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb()));
  afterAll(() => close());
  const records = [rec('alpha', 'f1', [0, 1], [2, 3]), rec('beta', 'f2', [4], [5]), rec('gamma', 'f3', [6], [7, 8], true)];
  const splitOf = new Map([['f1', 'train' as const], ['f2', 'train' as const], ['f3', 'test' as const]]);
  const input = (outDir: string, extra: Partial<ExportInput> = {}): ExportInput => ({ records, splitOf, docs, outDir, sinks: fileSinks, ...extra });

  it('writes fixed-width rows only for records with k negatives, counts the rest, and omits empty split files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cf-export-'));
    // a file of an earlier run that this run would leave empty must not survive
    mkdirSync(join(out, 'flagembedding'), { recursive: true });
    writeFileSync(join(out, 'flagembedding', 'dev.jsonl'), '{"stale":true}\n');
    const r = await exportDataset(conn, input(out), exportOptions.parse({ negatives: 2, batchSize: 0 }));
    expect(readJsonl(join(out, 'sentence-transformers', 'train.jsonl'))).toEqual([
      { anchor: 'alpha', positive: render(0), negative_1: render(2), negative_2: render(3) },
      { anchor: 'alpha', positive: render(1), negative_1: render(2), negative_2: render(3) },
    ]);
    expect(readJsonl(join(out, 'sentence-transformers', 'train.pairs.jsonl'))).toHaveLength(3); // beta keeps its pair
    expect(readJsonl(join(out, 'flagembedding', 'train.jsonl'))).toEqual([{ query: 'alpha', pos: [render(0), render(1)], neg: [render(2), render(3)] }]);
    const tev = readJsonl(join(out, 'tevatron', 'train.jsonl'));
    expect(tev[0]!.negative_passages).toEqual([{ docid: 'd2', title: 'Title 2', text: 'body of document 2' }, { docid: 'd3', title: 'Title 3', text: 'body of document 3' }]);
    expect(r.stats.out.records_short_of_negatives).toBe(1);
    expect(r.filledNegatives).toBe(1);
    expect(existsSync(join(out, 'flagembedding', 'dev.jsonl'))).toBe(false);
    expect(readdirSync(join(out, 'beir', 'qrels')).sort()).toEqual(['test.tsv', 'train.tsv']);
    expect(r.omitted.map((o) => o.file)).toEqual(expect.arrayContaining(['clickforge/dev.jsonl', 'beir/qrels/dev.tsv', 'sentence-transformers/dev.jsonl']));
    expect(Object.keys(r.files).some((f) => f.includes('dev'))).toBe(false);
    expect(readFileSync(join(out, 'beir', 'qrels', 'test.tsv'), 'utf8')).toBe('query-id\tcorpus-id\tscore\nq3\td6\t2\n');
    expect(readdirSync(out, { recursive: true }).some((f) => String(f).endsWith('.tmp'))).toBe(false);
    expect(r.teacherScores).toBeNull();
  });

  it('writes the prompt only when set, and teacher scores only for one embedder', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cf-export-'));
    const dense = await exportDataset(conn, input(out, { scorer: { kind: 'dense', embedder: 'e5-small' }, queryPrompt: 'query: ', splitOf: new Map([['f3', 'train' as const]]) }), exportOptions.parse({ negatives: 2, batchSize: 0 }));
    const fe = readJsonl(join(out, 'flagembedding', 'train.jsonl'));
    const gamma = fe.find((x) => x.query === 'gamma')!;
    expect(gamma).toMatchObject({ prompt: 'query: ', pos_scores: [0.9], neg_scores: [0, 0.1] });
    expect('pos_scores' in fe.find((x) => x.query === 'alpha')!).toBe(false); // a record without scores gets none
    expect(dense.teacherScores).toBe('cosine under e5-small');
    const out2 = await mkdtemp(join(tmpdir(), 'cf-export-'));
    await exportDataset(conn, input(out2, { scorer: { kind: 'bm25' }, splitOf: new Map([['f3', 'train' as const]]) }), exportOptions.parse({ negatives: 2, batchSize: 0 }));
    expect(readJsonl(join(out2, 'flagembedding', 'train.jsonl')).some((x) => 'pos_scores' in x || 'prompt' in x)).toBe(false);
  });

  it('margin-mse: one row per (query, positive, negative), label = teacher score of the positive minus that of the negative; none without a teacher', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cf-export-'));
    await exportDataset(conn, input(out, { scorer: { kind: 'dense', embedder: 'e5-small' }, splitOf: new Map([['f3', 'train' as const]]) }), exportOptions.parse({ negatives: 2, batchSize: 0 }));
    const fe = readJsonl(join(out, 'flagembedding', 'train.jsonl')).find((x) => x.query === 'gamma')!;
    const mm = readJsonl(join(out, 'margin-mse', 'train.jsonl')).filter((x) => x.query === 'gamma');
    const pos = (fe.pos_scores as number[])[0]!;
    expect(mm.map((x) => x.negative)).toEqual(fe.neg);
    expect(mm.map((x) => x.label)).toEqual((fe.neg_scores as number[]).map((n) => pos - n));
    for (const row of mm) expect(marginMseRow.safeParse(row).success).toBe(true);
    const out2 = await mkdtemp(join(tmpdir(), 'cf-export-'));
    const bm = await exportDataset(conn, input(out2, { scorer: { kind: 'bm25' }, splitOf: new Map([['f3', 'train' as const]]) }), exportOptions.parse({ negatives: 2, batchSize: 0 }));
    expect(existsSync(join(out2, 'margin-mse', 'train.jsonl'))).toBe(false);
    expect(bm.omitted.find((o) => o.file.includes('margin-mse'))?.reason).toContain('no teacher');
  });

  it('Parquet only: the Parquet file holds the rows and no JSONL is left', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cf-export-'));
    const r = await exportDataset(conn, input(out), exportOptions.parse({ negatives: 2, batchSize: 0, fileFormats: ['parquet'], formats: ['sentence-transformers', 'beir'] }));
    expect(existsSync(join(out, 'sentence-transformers', 'train.jsonl'))).toBe(false);
    expect(readdirSync(join(out, 'beir')).sort()).toEqual(['corpus.jsonl', 'qrels', 'queries.jsonl']); // BEIR stays JSONL/TSV
    const rows = await queryRows<{ anchor: string; negative_2: string }>(conn, `SELECT anchor, negative_2 FROM read_parquet('${join(out, 'sentence-transformers', 'train.parquet')}')`);
    expect(rows).toEqual([{ anchor: 'alpha', negative_2: render(3) }, { anchor: 'alpha', negative_2: render(3) }]);
    expect(r.files['sentence-transformers/train.parquet']).toBe(2);
  });
});
