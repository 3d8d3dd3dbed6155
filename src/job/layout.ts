/**
 * The outputs of a job's event level: what it writes as Parquet under its output folder, one
 * `<name>.parquet` per relation (a file from DuckDB, a folder of part files from Spark), and the
 * manifest that names them with their columns and the schema version.
 */
import { sessionRelations } from '../stages/sessions/sessions.js';
import { EVENT_LEVEL_FILES, storedColumns } from '../stages/event-level/layout.js';
import { BIAS_OUTPUTS } from './steps.js';
import { JOB_COUNTS } from './counts.js';

/** Bumped when an output's columns or meaning change. */
export const JOB_SCHEMA_VERSION = 1;

/** An output: the relation and the columns written. */
export interface JobOutput {
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * The relations a job writes, in this order: the computed relations of the event-level folder
 * (docs/event-level.md, with its columns: evidence without the derived weight), then the job's own
 * (query norms, reformulation pairs, conversion links, pages per bias fold, job_counts).
 */
export function jobOutputs(): readonly JobOutput[] {
  const layout = EVENT_LEVEL_FILES.filter((f) => f.producer !== 'ingest').map((f) => ({ name: f.table, columns: storedColumns(f).map((c) => c.name) }));
  const s = sessionRelations();
  const extra = [s.queryNorms, s.reformulationPairs, s.conversionLinks, BIAS_OUTPUTS.foldPages, JOB_COUNTS].map((r) => ({ name: r.name, columns: r.columns }));
  return [...layout, ...extra];
}

/** The manifest of a job's outputs as a runner writes it. */
export interface JobManifest {
  readonly schemaVersion: number;
  readonly engine: string;
  readonly outputs: Readonly<Record<string, { readonly file: string; readonly rows: number; readonly columns: readonly { readonly name: string; readonly type: string }[] }>>;
}
