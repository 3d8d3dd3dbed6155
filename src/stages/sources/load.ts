/**
 * Sources stage: read the bootstrap source files (input.synthetic, input.seeds, input.faq,
 * input.macros, input.pinned, input.collections), check every row against the corpus, and write
 * the rejected rows into the quarantine table (stage `sources`).
 * Output: the accepted rows, one StageStats per file (rows read = kept + every drop).
 * See docs/bootstrap.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StageStats } from '../../types.js';
import { appendStringRows } from '../sessions/db-helpers.js';
import type { SourceOptions } from './options.js';
import type { SourceLoad } from './rows.js';
import { loadSeeds } from './seeds.js';
import { loadSynthetic } from './synthetic.js';
import type { SourceKind, SourceReject, SourceRow } from './types.js';
import { loadWeakSource, WEAK_SOURCES } from './weak.js';

/** The source files of a build, by source kind (the input.* option of the same name). */
export type SourceFiles = { readonly [K in SourceKind]?: string | undefined };

export interface SourcesResult {
  readonly rows: readonly SourceRow[];
  readonly stats: readonly StageStats[];
}

type Loader = (file: string, docIds: ReadonlySet<string>, opts: SourceOptions) => Promise<SourceLoad>;

/** How each source kind is read, in the order the sources are loaded and reported. */
const LOADERS = {
  synthetic: (file, docIds, o) => loadSynthetic(file, docIds, o.synthetic),
  seeds: (file, docIds, o) => loadSeeds(file, docIds, o.seeds),
  faq: (file, docIds, o) => loadWeakSource(WEAK_SOURCES.faq, file, docIds, o.faq),
  macros: (file, docIds, o) => loadWeakSource(WEAK_SOURCES.macros, file, docIds, o.macros),
  pinned: (file, docIds, o) => loadWeakSource(WEAK_SOURCES.pinned, file, docIds, o.pinned),
  collections: (file, docIds, o) => loadWeakSource(WEAK_SOURCES.collections, file, docIds, o.collections),
} as const satisfies Record<SourceKind, Loader>;

/** Every source kind, in load order. */
export const SOURCE_ORDER = Object.keys(LOADERS) as SourceKind[];

/** The source files a build was given, in load order. */
export const sourceFileList = (f: SourceFiles): string[] => SOURCE_ORDER.flatMap((k) => (f[k] !== undefined ? [f[k]] : []));

/** True when the build has any bootstrap source file. */
export const hasSources = (f: SourceFiles): boolean => sourceFileList(f).length > 0;

export async function loadSources(conn: DuckDBConnection, files: SourceFiles, docIds: ReadonlySet<string>, opts: SourceOptions, quarantineTable: string): Promise<SourcesResult> {
  const loads: SourceLoad[] = [];
  for (const kind of SOURCE_ORDER) {
    const file = files[kind];
    if (file !== undefined) loads.push(await LOADERS[kind](file, docIds, opts));
  }
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
