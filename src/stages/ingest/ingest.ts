import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, sqlString } from '../../db/duckdb.js';
import { usageError } from '../../errors.js';
import { CANONICAL_DDL, type StageStats } from '../../types.js';
import { parquetColumns, removeTempFiles, STAGING_COLUMNS, stageFile, type StagedFile } from '../../adapters/sources/staging.js';
import { timestampKinds, type Ctx, type InputKind } from './common.js';
import { loadCorpus } from './corpus.js';
import { loadEvents } from './events.js';
import { loadLabels } from './labels.js';
import type { IngestOptions } from './options.js';
import { loadSerps } from './serps.js';
import { createMacros } from './sql.js';

export interface IngestResult {
  /** One per input kind (serps/events/corpus/labels) that was configured; counts add up (see docs/formats.md). */
  readonly stats: readonly StageStats[];
  /** file -> 'iso' | 'epoch_s' | 'epoch_ms' (detected or configured). */
  readonly timestampFormats: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  /** Repairs made to loaded rows, per input kind: e.g. { serps: { click_rank_fixed: 3 } }. */
  readonly fixed: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const EXTRA_DDL = `
CREATE TABLE corpus (doc_id VARCHAR PRIMARY KEY, text VARCHAR NOT NULL, title VARCHAR, category VARCHAR, entity VARCHAR,
  published_at BIGINT, extra JSON, src_file VARCHAR, src_line BIGINT);
CREATE TABLE labels (query VARCHAR, doc_id VARCHAR, grade DOUBLE, source VARCHAR, src_file VARCHAR, src_line BIGINT);
CREATE TABLE quarantine (stage VARCHAR, input VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, detail VARCHAR, raw VARCHAR);
`;

/**
 * Ingest: read SERP records and/or flat events, the corpus and labels into the canonical DuckDB
 * tables (CANONICAL_DDL + corpus, labels, quarantine).
 *
 * Input: the files of `opts` (JSONL, CSV or Parquet). Output: the tables above. Drops: every
 * rejected row goes to `quarantine` with a snake_case reason and a detail that says what to fix;
 * per kind, rows read = rows loaded + sum of row-level drops (blank lines included, not quarantined).
 * See docs/formats.md.
 */
export async function ingest(conn: DuckDBConnection, opts: IngestOptions, onProgress?: (step: string) => void): Promise<IngestResult> {
  if (opts.serps.length === 0 && opts.events.length === 0) {
    throw usageError('no_input', 'no click log given: set input.serps (SERP records) or input.events (flat events)', { stage: 'ingest' });
  }
  const progress = onProgress ?? (() => undefined);
  await conn.run(CANONICAL_DDL);
  await conn.run(EXTRA_DDL);
  await createMacros(conn);
  const tsFmt = sqlString(opts.timestamps);
  const ctx: Ctx = { conn, tsFmt, maxDwellMs: opts.maxDwellMs };
  const stats: StageStats[] = [];
  const warnings: string[] = [];
  const timestampFormats: Record<string, string> = {};
  const fixed: Record<string, Record<string, number>> = {};
  const tempFiles: string[] = [];
  const tmpPath = () => join(tmpdir(), `clickforge-ingest-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);

  const stage = async (kind: InputKind, files: readonly string[]): Promise<{ table: string; files: StagedFile[]; rows: number }> => {
    const table = `_cf_stg_${kind}`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${STAGING_COLUMNS})`);
    const staged: StagedFile[] = [];
    for (let i = 0; i < files.length; i++) {
      progress(`ingest: reading ${kind} ${files[i]}`);
      const s = await stageFile(conn, table, i, files[i]!, { format: opts.format, tmpPath, tempFiles, typedParquet: kind === 'serps' });
      if (s.empty) warnings.push(`${s.file} is empty: no ${kind} rows read from it`);
      staged.push(s);
    }
    return { table, files: staged, rows: staged.reduce((a, s) => a + s.rows, 0) };
  };

  const reportTimestamps = async (table: string, files: readonly StagedFile[], col = 'ts_s') => {
    const kinds = await timestampKinds(conn, table, col);
    for (const f of files) {
      if (opts.timestamps !== 'auto') { timestampFormats[f.file] = opts.timestamps; continue; }
      const k = kinds.get(f.file);
      if (!k) continue;
      const good = [...k.entries()].filter(([name]) => name !== 'bad').sort((a, b) => b[1] - a[1]);
      if (good.length === 0) continue;
      timestampFormats[f.file] = good[0]![0];
      if (good.length > 1) warnings.push(`${f.file} mixes timestamp formats (${good.map(([n, c]) => `${n}: ${c}`).join(', ')}): each value was read by its own form; set input.timestamps to force one`);
    }
  };

  try {
    if (opts.serps.length) {
      const s = await stage('serps', opts.serps);
      progress('ingest: validating SERP records');
      // JSONL staging is already in line order; CSV rows are mapped to lines by a join, so sort those
      const sources = [];
      for (let i = 0; i < s.files.length; i++) {
        const f = s.files[i]!;
        sources.push(f.format === 'parquet' ? { fidx: i, parquet: { fidx: i, file: f.file, columns: await parquetColumns(conn, f.file) } } : { fidx: i, sort: f.format !== 'jsonl' });
      }
      const r = await loadSerps(ctx, s.table, opts.columns.serps, s.rows, sources);
      stats.push(r.stats);
      fixed.serps = r.fixed;
      await reportTimestamps('_cf_s3', s.files);
      await conn.run(`DROP TABLE IF EXISTS _cf_s3; DROP TABLE ${s.table}`);
    }
    if (opts.events.length) {
      const s = await stage('events', opts.events);
      progress('ingest: validating events');
      const r = await loadEvents(ctx, s.table, opts.columns.events, s.rows);
      stats.push(r.stats);
      fixed.events = r.fixed;
      await reportTimestamps('_cf_e1', s.files);
      await conn.run(`DROP TABLE IF EXISTS _cf_e1; DROP TABLE ${s.table}`);
    }
    if (opts.corpus) {
      const s = await stage('corpus', [opts.corpus]);
      progress('ingest: loading corpus');
      const r = await loadCorpus(ctx, s.table, opts.columns.corpus, s.rows);
      stats.push(r.stats);
      fixed.corpus = r.fixed;
      await reportTimestamps('_cf_d1', s.files, 'pub_s');
      await conn.run(`DROP TABLE IF EXISTS _cf_d1; DROP TABLE ${s.table}`);
    }
    if (opts.labels) {
      const s = await stage('labels', [opts.labels]);
      progress('ingest: loading labels');
      stats.push(await loadLabels(ctx, s.table, opts.columns.labels, s.rows));
      await conn.run(`DROP TABLE ${s.table}`);
    }
  } finally {
    await removeTempFiles(tempFiles);
  }

  if (opts.corpus && (await queryNumber(conn, 'SELECT count(*) FROM corpus')) > 0) {
    const missing = await queryNumber(conn, `SELECT count(DISTINCT doc_id) FROM clicks ANTI JOIN corpus USING (doc_id)`);
    if (missing) warnings.push(`${missing} clicked doc ids are not in the corpus (kept here; the positives stage counts them)`);
  }
  for (const s of stats) for (const n of s.notes ?? []) warnings.push(`${s.stage}: ${n}`);
  return { stats, timestampFormats, warnings, fixed };
}
