/**
 * Write and read the event level's output folder (layout.ts, docs/event-level.md).
 *
 * ## Input
 * `writeEventLevel`: a connection holding the event level's relations (EVENT_LEVEL_FILES), the
 * accounting and the options that shaped them. `loadEventLevel`: a folder written by it (or by the
 * Spark job of `clickforge sql --engine spark`).
 * ## Output
 * One Parquet file per relation, counts.json, manifest.json (last: a folder with it is complete);
 * or the relations loaded back as DuckDB tables of the same names, with the accounting.
 * ## Drops
 * None. A missing or unreadable file, a missing column, another schema version or options that
 * differ from the build's stop with an error naming the file or the option.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { queryNumber, sqlString, type DuckDBConnection } from '../../db/duckdb.js';
import { inputError, usageError } from '../../errors.js';
import type { StageStats } from '../../types.js';
import { commitTemp, stableJson, tempPathFor, writeFileAtomic } from '../../util/fs.js';
import type { BiasPageCounts } from '../bias/from-duckdb.js';
import type { IngestPart } from '../ingest/ingest.js';
import { COUNTS_FILE, EVENT_LEVEL_FILES, EVENT_LEVEL_SCHEMA, MANIFEST_FILE, storedColumns, type EventLevelFile } from './layout.js';

const STAGE = 'event-level';

/** The options that shape the event level's relations: a folder is only read by a build with the same. */
export interface EventLevelConfig {
  readonly seed: number;
  readonly input: {
    readonly serps: readonly string[];
    readonly events: readonly string[];
    readonly format: string;
    readonly columns: { readonly serps: Readonly<Record<string, string>>; readonly events: Readonly<Record<string, string>> };
    readonly timestamps: string;
    readonly maxRowBytes: number;
    readonly maxDwellMs: number;
  };
  readonly sessions: Readonly<Record<string, unknown>>;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly bias: { readonly maxRank: number; readonly holdoutShare: number };
}

/** The part of a build's config this module reads. */
export interface EventLevelConfigSource {
  readonly seed: number;
  readonly input: EventLevelConfig['input'];
  readonly sessions: Readonly<Record<string, unknown>>;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly bias: { readonly maxRank: number; readonly holdoutShare: number };
}

/** The options of `config` that shape the event level (the manifest's `config`). */
export function eventLevelConfig(config: EventLevelConfigSource): EventLevelConfig {
  const i = config.input;
  return {
    seed: config.seed,
    input: { serps: i.serps, events: i.events, format: i.format, columns: { serps: i.columns.serps, events: i.columns.events }, timestamps: i.timestamps, maxRowBytes: i.maxRowBytes, maxDwellMs: i.maxDwellMs },
    sessions: config.sessions,
    evidence: config.evidence,
    bias: { maxRank: config.bias.maxRank, holdoutShare: config.bias.holdoutShare },
  };
}

/** manifest.json of an event-level folder. */
export interface EventLevelManifest {
  readonly schema: typeof EVENT_LEVEL_SCHEMA;
  readonly tool: string;
  readonly version: string;
  readonly engine: string;
  readonly config: EventLevelConfig;
  /** sha256 of each click-log file. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, { readonly rows: number }>>;
}

/** counts.json: the event level's accounting, shown by the report of `build --evidence`. */
export interface EventLevelCounts {
  readonly schema: typeof EVENT_LEVEL_SCHEMA;
  /** The click-log half of ingest: stage stats per input kind, file warnings, timestamp formats, repairs. */
  readonly ingest: IngestPart;
  readonly sessions: StageStats;
  readonly bias: BiasPageCounts;
}

const withoutSeconds = ({ seconds: _seconds, ...rest }: StageStats): StageStats => rest;

/** Write the event level's relations (tables of `conn` named as in EVENT_LEVEL_FILES) into `dir`, then counts.json and manifest.json. */
export async function writeEventLevel(
  conn: DuckDBConnection,
  dir: string,
  r: { readonly config: EventLevelConfig; readonly counts: Omit<EventLevelCounts, 'schema'>; readonly inputs: Readonly<Record<string, string>>; readonly tool: string; readonly version: string },
): Promise<EventLevelManifest> {
  const files: Record<string, { rows: number }> = {};
  for (const f of EVENT_LEVEL_FILES) {
    const path = join(dir, f.file);
    const tmp = tempPathFor(path);
    // the table's own order (DuckDB's insertion order): conversions and session ends are numbered by position
    await conn.run(`COPY (SELECT ${storedColumns(f).map((c) => `"${c.name}"`).join(', ')} FROM ${f.table}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    await commitTemp(tmp, path);
    files[f.file] = { rows: await queryNumber(conn, `SELECT count(*) FROM ${f.table}`) };
  }
  const counts: EventLevelCounts = {
    schema: EVENT_LEVEL_SCHEMA,
    ingest: { ...r.counts.ingest, stats: r.counts.ingest.stats.map(withoutSeconds) },
    sessions: withoutSeconds(r.counts.sessions),
    bias: r.counts.bias,
  };
  await writeFileAtomic(join(dir, COUNTS_FILE), stableJson(counts));
  const manifest: EventLevelManifest = { schema: EVENT_LEVEL_SCHEMA, tool: r.tool, version: r.version, engine: 'duckdb', config: r.config, inputs: r.inputs, files };
  await writeFileAtomic(join(dir, MANIFEST_FILE), stableJson(manifest));
  return manifest;
}

async function readJson(dir: string, name: string): Promise<Record<string, unknown>> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('event_level_missing', `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): --evidence takes the folder the event level wrote (clickforge events --out DIR, or the Spark job); it holds ${name} once complete.`, { stage: STAGE, cause: e });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (e) {
    throw inputError('event_level_corrupt', `${path} is not valid JSON (${(e as Error).message}): write the folder again with the event level.`, { stage: STAGE, cause: e });
  }
  throw inputError('event_level_corrupt', `${path} does not hold a JSON object: write the folder again with the event level.`, { stage: STAGE });
}

function requireSchema(path: string, v: Record<string, unknown>): void {
  if (v.schema !== EVENT_LEVEL_SCHEMA) {
    throw inputError('event_level_schema', `${path} has schema ${JSON.stringify(v.schema ?? null)}, this clickforge reads ${EVENT_LEVEL_SCHEMA}: write the folder again with this version's event level.`, { stage: STAGE });
  }
}

/** Read and check manifest.json and counts.json of `dir`. */
export async function readEventLevel(dir: string): Promise<{ manifest: EventLevelManifest; counts: EventLevelCounts }> {
  const manifest = await readJson(dir, MANIFEST_FILE);
  requireSchema(join(dir, MANIFEST_FILE), manifest);
  const counts = await readJson(dir, COUNTS_FILE);
  requireSchema(join(dir, COUNTS_FILE), counts);
  if (!counts.ingest || !counts.sessions || !counts.bias) throw inputError('event_level_corrupt', `${join(dir, COUNTS_FILE)} lacks ${['ingest', 'sessions', 'bias'].filter((k) => !counts[k]).join(', ')}: write the folder again with the event level.`, { stage: STAGE });
  return { manifest: manifest as unknown as EventLevelManifest, counts: counts as unknown as EventLevelCounts };
}

/** Every leaf of `a` and `b` that differs, as `path: a vs b`. */
function differences(a: unknown, b: unknown, path: string): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return stableJson(a ?? null, 0) === stableJson(b ?? null, 0) ? [] : [`${path}: the event level ran with ${stableJson(a ?? null, 0)}, this build has ${stableJson(b ?? null, 0)}`];
}

/**
 * Refuse a build whose options differ from those that shaped the folder. The click-log paths are
 * taken from the manifest when the build names none.
 */
export function checkEventLevelConfig(dir: string, manifest: EventLevelManifest, config: EventLevelConfigSource): void {
  const own = eventLevelConfig(config);
  const mine = own.input.serps.length === 0 && own.input.events.length === 0 ? { ...own, input: { ...own.input, serps: manifest.config.input.serps, events: manifest.config.input.events } } : own;
  const diff = differences(manifest.config, mine, '');
  if (diff.length > 0) {
    throw usageError('event_level_config', `${join(dir, MANIFEST_FILE)} was written with other options than this build's:\n  ${diff.join('\n  ')}\nrun the event level again with this config, or build with the config it ran with (the options above).`, { stage: STAGE });
  }
}

/** The table's columns in order: each stored column cast to its type, each derived one computed. */
function selectList(f: EventLevelFile): string {
  return f.columns.map(([name, t]) => (typeof t === 'string' ? `CAST(f."${name}" AS ${t}) AS "${name}"` : `${t.sql} AS "${name}"`)).join(', ');
}

/** Load every relation of the folder into a DuckDB table of its name (checking files and columns). */
export async function loadEventLevel(conn: DuckDBConnection, dir: string, manifest: EventLevelManifest): Promise<void> {
  for (const f of EVENT_LEVEL_FILES) {
    const path = join(dir, f.file);
    let have: string[];
    try {
      have = (await conn.run(`SELECT * FROM read_parquet(${sqlString(path)}) LIMIT 0`)).columnNames();
    } catch (e) {
      throw inputError('event_level_file', `${path} cannot be read as Parquet (${(e as Error).message.split('\n')[0]}): it is one of the event level's files (docs/event-level.md); write the folder again.`, { stage: STAGE, cause: e });
    }
    const lacking = storedColumns(f).filter((c) => !have.includes(c.name)).map((c) => c.name);
    if (lacking.length > 0) throw inputError('event_level_columns', `${path} lacks the columns ${lacking.join(', ')} (docs/event-level.md lists the columns of ${f.file}): write the folder again.`, { stage: STAGE });
    try {
      await conn.run(`CREATE OR REPLACE TABLE ${f.table} AS SELECT ${selectList(f)} FROM read_parquet(${sqlString(path)}) f`);
    } catch (e) {
      throw inputError('event_level_types', `${path}: a column does not convert to its type (${(e as Error).message.split('\n')[0]}); docs/event-level.md lists the types of ${f.file}.`, { stage: STAGE, cause: e });
    }
    const rows = await queryNumber(conn, `SELECT count(*) FROM ${f.table}`);
    const expected = manifest.files[f.file]?.rows;
    if (expected !== undefined && expected !== rows) throw inputError('event_level_rows', `${path} has ${rows} rows, manifest.json says ${expected}: the folder is incomplete or mixed; write it again.`, { stage: STAGE });
  }
}
