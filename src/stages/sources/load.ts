/**
 * Sources stage: read the bootstrap source files (input.synthetic, input.seeds), check every row
 * against the corpus, and write the rejected rows into the quarantine table (stage `sources`).
 * Output: the accepted rows, one StageStats per file (rows read = kept + every drop).
 * See docs/bootstrap.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StageStats } from '../../types.js';
import { appendStringRows } from '../sessions/db-helpers.js';
import type { SourceOptions } from './options.js';
import { loadSeeds } from './seeds.js';
import { loadSynthetic } from './synthetic.js';
import type { SourceReject, SourceRow } from './types.js';

/** The source files of a build. */
export interface SourceFiles {
  readonly synthetic?: string | undefined;
  readonly seeds?: string | undefined;
}

export interface SourcesResult {
  readonly rows: readonly SourceRow[];
  readonly stats: readonly StageStats[];
}

/** True when the build has any bootstrap source file. */
export const hasSources = (f: SourceFiles): boolean => f.synthetic !== undefined || f.seeds !== undefined;

export async function loadSources(conn: DuckDBConnection, files: SourceFiles, docIds: ReadonlySet<string>, opts: SourceOptions, quarantineTable: string): Promise<SourcesResult> {
  const loads = [
    ...(files.synthetic !== undefined ? [await loadSynthetic(files.synthetic, docIds, opts.synthetic)] : []),
    ...(files.seeds !== undefined ? [await loadSeeds(files.seeds, docIds, opts.seeds)] : []),
  ];
  await quarantine(conn, quarantineTable, loads.flatMap((l) => l.rejects));
  return { rows: loads.flatMap((l) => l.rows), stats: loads.map((l) => l.stats) };
}

async function quarantine(conn: DuckDBConnection, table: string, rejects: readonly SourceReject[]): Promise<void> {
  if (rejects.length === 0) return;
  await conn.run('CREATE OR REPLACE TEMP TABLE _src_q (input VARCHAR, file VARCHAR, line DOUBLE, reason VARCHAR, detail VARCHAR, raw VARCHAR)');
  await appendStringRows(conn, '_src_q', rejects.map((r) => [r.input, r.file, r.line, r.reason, r.detail, r.raw] as const));
  await conn.run(`INSERT INTO ${table} SELECT 'sources', input, file, line::BIGINT, reason, detail, raw FROM _src_q`);
  await conn.run('DROP TABLE _src_q');
}
