import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSinks } from '../../../src/adapters/sinks/index.js';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { exportDataset, type ExportInput } from '../../../src/stages/export/export.js';
import { exportFormatNames, exportFormatWriters } from '../../../src/stages/export/formats/index.js';
import { exportOptions } from '../../../src/stages/export/options.js';
import { EXPORT_SCHEMAS } from '../../../src/stages/export/schemas.js';
import type { TrainingRecord } from '../../../src/stages/negatives/types.js';
import type { Doc } from '../../../src/types.js';

const docs: Doc[] = Array.from({ length: 8 }, (_, i) => ({ kind: 'Doc', doc_id: `d${i}`, text: `body ${i}` }));
const rec = (q: string, family: string, pos: number, neg: number[]): TrainingRecord => ({
  kind: 'TrainingRecord', query: q, query_norm: q, family,
  positives: [{ doc_id: `d${pos}`, text: `body ${pos}`, grade: 2, weight: 1, score: 0.9 }],
  negatives: neg.map((i, r) => ({ doc_id: `d${i}`, text: `body ${i}`, source: 'bm25' as const, rank: r + 1, score: 0.1 * r })),
});
const records = [rec('alpha', 'f1', 0, [1, 2]), rec('beta', 'f2', 3, [4, 5]), rec('gamma', 'f3', 6, [7, 1])];
const splitOf = new Map([['f1', 'train' as const], ['f2', 'dev' as const], ['f3', 'test' as const]]);

describe('export format registry', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb()));
  afterAll(() => close());
  const input = async (): Promise<ExportInput> => ({ records, splitOf, docs, outDir: await mkdtemp(join(tmpdir(), 'cf-formats-')), sinks: fileSinks, scorer: { kind: 'dense', embedder: 'e5-small' } });

  it('derives the export.formats enum and its default (every format, in registry order) from its keys', () => {
    expect(exportFormatNames).toEqual(['clickforge', 'sentence-transformers', 'flagembedding', 'tevatron', 'beir', 'margin-mse']);
    expect(exportOptions.parse({}).formats).toEqual(exportFormatNames);
    expect(exportOptions.safeParse({ formats: ['jsonl-ish'] }).success).toBe(false);
  });

  it.each(exportFormatNames)('"%s" has a row schema and writes only under its own folder', async (fmt) => {
    expect(Object.keys(EXPORT_SCHEMAS).some((k) => k === fmt || k.startsWith(`${fmt}.`))).toBe(true);
    const writer = exportFormatWriters[fmt];
    expect(writer.writeSplit ?? writer.writeDataset).toBeDefined();
    const r = await exportDataset(conn, await input(), exportOptions.parse({ formats: [fmt], negatives: 2, batchSize: 0 }));
    expect(Object.keys(r.files).length).toBeGreaterThan(0);
    for (const f of [...Object.keys(r.files), ...r.omitted.map((o) => o.file)]) expect(f.startsWith(`${fmt}/`)).toBe(true);
  });

  it('writes the per-split files in export.formats order, then the dataset-wide files', async () => {
    const r = await exportDataset(conn, await input(), exportOptions.parse({ formats: ['beir', 'tevatron', 'clickforge'], negatives: 2, batchSize: 0 }));
    expect(Object.keys(r.files).map((f) => f.slice(0, f.indexOf('/')))).toEqual(['tevatron', 'clickforge', 'tevatron', 'clickforge', 'beir', 'beir', 'beir', 'beir', 'beir']);
  });
});
