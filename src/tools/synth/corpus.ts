import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, queryRows } from '../../db/duckdb.js';
import { removeTempFiles, STAGING_COLUMNS, stageFile } from '../../stages/ingest/staging.js';
import { EXTRA_DDL } from '../../stages/ingest/ingest.js';
import { loadCorpus } from '../../stages/ingest/corpus.js';
import { createMacros } from '../../stages/ingest/sql.js';
import type { StageStats } from '../../types.js';

export interface CorpusDoc {
  readonly doc_id: string;
  readonly text: string;
  readonly title?: string;
}

export interface ReadCorpusOptions {
  readonly format?: 'auto' | 'jsonl' | 'csv' | 'parquet';
  /** canonical field -> the file's column, as `input.columns.corpus` of build. */
  readonly columns?: Readonly<Record<string, string>>;
  readonly maxRowBytes?: number;
}

export interface ReadCorpusResult {
  readonly docs: readonly CorpusDoc[];
  /** Rows read = documents + rows dropped by reason (the same reasons as build's ingest). */
  readonly stats: StageStats;
  /** A few rejected rows per reason: file, line, detail. */
  readonly examples: Readonly<Record<string, readonly { file: string; line: number; detail: string }[]>>;
}

/**
 * Read a corpus file exactly as `build` does (ingest's staging and validation, in a throw-away
 * in-memory DuckDB): JSONL, CSV or Parquet with doc_id, text and optional title. Rows that build
 * would quarantine (empty text, duplicate doc_id, bad JSON...) are counted by the same reasons.
 */
export async function readCorpus(path: string, opts: ReadCorpusOptions = {}): Promise<ReadCorpusResult> {
  const { conn, close } = await openDb();
  const tempFiles: string[] = [];
  try {
    await conn.run(EXTRA_DDL);
    await createMacros(conn);
    const table = '_cf_stg_corpus';
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${STAGING_COLUMNS})`);
    const tmpPath = () => join(tmpdir(), `clickforge-synth-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const s = await stageFile(conn, table, 0, path, { format: opts.format ?? 'auto', tmpPath, tempFiles, maxRowBytes: opts.maxRowBytes ?? 8 * 1024 * 1024 });
    const r = await loadCorpus({ conn, tsFmt: "'auto'", maxDwellMs: 0 }, table, opts.columns ?? {}, s.rows);
    const rows = await queryRows<{ doc_id: string; text: string; title: string | null }>(conn, 'SELECT doc_id, text, title FROM corpus ORDER BY src_line');
    const q = await queryRows<{ reason: string; file: string; line: number | bigint; detail: string }>(conn,
      `SELECT reason, file, line, detail FROM (SELECT *, row_number() OVER (PARTITION BY reason ORDER BY line) AS rn FROM quarantine) WHERE rn <= 3 ORDER BY reason, line`);
    const examples: Record<string, { file: string; line: number; detail: string }[]> = {};
    for (const e of q) (examples[e.reason] ??= []).push({ file: e.file, line: Number(e.line), detail: e.detail });
    const docs = rows.map((d) => (d.title ? { doc_id: d.doc_id, text: d.text, title: d.title } : { doc_id: d.doc_id, text: d.text }));
    return { docs, stats: { ...r.stats, stage: 'synth:corpus' }, examples };
  } finally {
    await removeTempFiles(tempFiles);
    close();
  }
}
