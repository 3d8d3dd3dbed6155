import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, queryRows, sqlString } from '../../db/duckdb.js';
import { usageError } from '../../errors.js';
import { CANONICAL_DDL, type StageStats } from '../../types.js';
import { parquetColumns, removeTempFiles, STAGING_COLUMNS, stageFile, type StagedFile } from './staging.js';
import { timestampKinds, type Ctx, type InputKind } from './common.js';
import { loadCorpus } from './corpus.js';
import { loadEvents } from './events.js';
import { loadLabels } from './labels.js';
import { hasClickLog, type IngestOptions } from './options.js';
import { requireUsableRows } from './no-usable-rows.js';
import { loadSerps } from './serps.js';
import { createMacros, TS_FUTURE_MARGIN_MS } from './sql.js';
import { ingestRelations, type IngestRelations } from './relations.js';

export interface IngestResult {
  /** The tables ingest wrote (the canonical tables, corpus, labels, quarantine, presentation features, randomised pages). */
  readonly relations: IngestRelations;
  /** One per input kind (serps/events/corpus/labels) that was configured; counts add up (see docs/formats.md). */
  readonly stats: readonly StageStats[];
  /** file -> 'iso' | 'epoch_s' | 'epoch_ms' (detected or configured). */
  readonly timestampFormats: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  /** Repairs made to loaded rows, per input kind: e.g. { serps: { click_rank_fixed: 3 } }. */
  readonly fixed: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** How ingest is run (not options of the config). */
export interface IngestHooks {
  readonly onProgress?: (step: string) => void;
  /**
   * Where to write the quarantine (JSONL, as quarantine.jsonl) when ingest stops with
   * NoUsableRowsError, so the rejected rows can be looked at although the build stops.
   */
  readonly quarantineFile?: string;
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
 * When no click-log row is usable (every row rejected, empty files) or a corpus was given and no
 * document is, ingest throws NoUsableRowsError (an input error) naming the files and the top
 * quarantine reasons; the quarantine table is filled and written to `hooks.quarantineFile`.
 * See docs/formats.md.
 */
export async function ingest(conn: DuckDBConnection, opts: IngestOptions, hooks: IngestHooks = {}): Promise<IngestResult> {
  const hasLog = hasClickLog(opts);
  const hasSource = opts.synthetic !== undefined || opts.seeds !== undefined;
  if (!hasLog && !hasSource) {
    throw usageError('no_input', 'no input given: set input.serps (SERP records) or input.events (flat events), or, to build without a click log, input.synthetic (clickforge synth\'s queries.jsonl) or input.seeds (expert judgements) with input.corpus', { stage: 'ingest' });
  }
  if (!hasLog && !opts.corpus) {
    throw usageError('no_corpus', 'a build without a click log needs the corpus: set input.corpus (or pass --corpus) to the documents the synthetic queries and seeds point at', { stage: 'ingest' });
  }
  const progress = hooks.onProgress ?? (() => undefined);
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
      const s = await stageFile(conn, table, i, files[i]!, { format: opts.format, tmpPath, tempFiles, typedParquet: kind === 'serps', maxRowBytes: opts.maxRowBytes });
      if (s.empty) warnings.push(s.format === 'csv' && s.columns ? `${s.file} has a header line and no data rows: no ${kind} rows read from it` : `${s.file} is empty: no ${kind} rows read from it`);
      if (s.multiline) {
        warnings.push(`${s.file}: ${s.multiline.rows} ${s.multiline.rows === 1 ? 'row has' : 'rows have'} a quoted cell that spans lines (first at line${s.multiline.lines.length > 1 ? 's' : ''} ${s.multiline.lines.join(', ')}): `
          + 'if no cell is meant to hold a line break, two stray quotes merged those lines into one row (see docs/formats.md, CSV parsing)');
      }
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

  const logFiles: StagedFile[] = [];
  try {
    if (opts.serps.length) {
      const s = await stage('serps', opts.serps);
      logFiles.push(...s.files);
      progress('ingest: validating SERP records');
      // JSONL staging is already in line order; CSV rows are mapped to lines by a join, so sort those
      const sources = [];
      for (let i = 0; i < s.files.length; i++) {
        const f = s.files[i]!;
        // text files are staged in line order (JSONL by row_number, CSV by our parser)
        sources.push(f.format === 'parquet' ? { fidx: i, parquet: { fidx: i, file: f.file, columns: await parquetColumns(conn, f.file) } } : { fidx: i, sort: false });
      }
      const r = await loadSerps(ctx, s.table, opts.columns.serps, s.rows, sources);
      stats.push(r.stats);
      fixed.serps = r.fixed;
      await reportTimestamps('_cf_s3', s.files);
      await conn.run(`DROP TABLE IF EXISTS _cf_s3; DROP TABLE ${s.table}`);
    }
    if (opts.events.length) {
      const s = await stage('events', opts.events);
      logFiles.push(...s.files);
      progress('ingest: validating events');
      const r = await loadEvents(ctx, s.table, opts.columns.events, s.rows);
      stats.push(r.stats);
      fixed.events = r.fixed;
      await reportTimestamps('_cf_e1', s.files);
      await conn.run(`DROP TABLE IF EXISTS _cf_e1; DROP TABLE ${s.table}`);
    }
    // without a click log the log tables stay empty: the build runs on bootstrap sources (docs/bootstrap.md)
    if (hasLog) {
      const usable = await queryNumber(conn, 'SELECT count(*) FROM serps s WHERE EXISTS (SELECT 1 FROM impressions i WHERE i.serp_id = s.serp_id)');
      await requireUsableRows(conn, 'click log', usable, ['serps', 'events'], logFiles, opts, hooks.quarantineFile);
      await futureTimestamps(conn, warnings);
    }
    if (opts.corpus) {
      const s = await stage('corpus', [opts.corpus]);
      progress('ingest: loading corpus');
      const r = await loadCorpus(ctx, s.table, opts.columns.corpus, s.rows);
      stats.push(r.stats);
      fixed.corpus = r.fixed;
      await reportTimestamps('_cf_d1', s.files, 'pub_s');
      await conn.run(`DROP TABLE IF EXISTS _cf_d1; DROP TABLE ${s.table}`);
      await requireUsableRows(conn, 'corpus', r.stats.out.rows ?? 0, ['corpus'], s.files, opts, hooks.quarantineFile);
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
  return { relations: ingestRelations(undefined, { randomized: opts.serps.length > 0 }), stats, timestampFormats, warnings, fixed };
}

/**
 * A warning (not a drop) for times more than a day after this machine's clock: quarantining them
 * would make the output depend on the day the build runs.
 */
async function futureTimestamps(conn: DuckDBConnection, warnings: string[]): Promise<void> {
  const limit = Date.now() + TS_FUTURE_MARGIN_MS;
  const rows = await queryRows<{ what: string; n: number; file: string; line: number; ts: number }>(conn, `
    SELECT 'result pages' AS what, count(*) AS n, arg_min(src_file, ts) AS file, arg_min(src_line, ts) AS line, min(ts) AS ts FROM serps WHERE ts > ${limit}
    UNION ALL SELECT 'clicks', count(*), arg_min(src_file, ts), arg_min(src_line, ts), min(ts) FROM clicks WHERE ts > ${limit}
    UNION ALL SELECT 'conversions', count(*), arg_min(src_file, ts), arg_min(src_line, ts), min(ts) FROM conversions WHERE ts > ${limit}`);
  for (const r of rows) {
    if (!r.n) continue;
    warnings.push(`${r.n} ${r.what} have a time more than a day after this machine's clock (earliest ${new Date(r.ts).toISOString()} at ${r.file}:${r.line}): `
      + 'kept; check the clock of the system that logged them, or the timestamp unit (input.timestamps)');
  }
}
