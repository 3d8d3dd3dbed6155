/**
 * A job's inputs: each canonical relation of the click log read from a Parquet path or a catalog
 * table, with the column mapping `build` takes (`{ canonical_name: "their_column" }`).
 */
import { usageError } from '../errors.js';
import type { Engine } from '../db/dialect/index.js';
import { CLICKS_COLUMNS, CONVERSIONS_COLUMNS, IMPRESSIONS_COLUMNS, RANDOMIZED_COLUMNS, SERPS_COLUMNS, SESSION_ENDS_COLUMNS } from '../stages/ingest/relations.js';

/** Where one input relation comes from. */
export interface JobSource {
  /** A Parquet file or folder. */
  readonly path?: string;
  /** A catalog table (`db.table`). */
  readonly table?: string;
  /** canonical column -> the source's column. */
  readonly columns?: Readonly<Record<string, string>>;
}

const withoutSource = (cols: readonly string[]): string[] => cols.filter((c) => c !== 'src_file' && c !== 'src_line');

/** The input relations and the columns the event level reads from each. */
export const JOB_INPUT_COLUMNS: Record<'serps' | 'impressions' | 'clicks' | 'conversions' | 'session_ends' | 'serp_randomized', readonly string[]> = {
  serps: withoutSource(SERPS_COLUMNS),
  impressions: [...IMPRESSIONS_COLUMNS],
  clicks: withoutSource(CLICKS_COLUMNS),
  conversions: withoutSource(CONVERSIONS_COLUMNS),
  session_ends: withoutSource(SESSION_ENDS_COLUMNS),
  serp_randomized: [...RANDOMIZED_COLUMNS],
};
export type JobInputName = keyof typeof JOB_INPUT_COLUMNS;
export const REQUIRED_INPUTS: readonly JobInputName[] = ['serps', 'impressions', 'clicks', 'conversions', 'session_ends'];
/** Inputs whose rows the statements number (DuckDB's rowid; a `row_id` column in Spark). */
const NUMBERED: ReadonlySet<JobInputName> = new Set(['conversions', 'session_ends']);

interface SourceSql {
  readonly parquet: (path: string) => string;
  readonly ident: (name: string) => string;
  readonly create: (name: string, select: string) => string;
  readonly rowId: string | null;
}


const SOURCES: Record<Engine, SourceSql> = {
  duckdb: {
    parquet: (p) => `read_parquet(${`'${p.replace(/'/g, "''")}'`})`,
    ident: (c) => `"${c}"`,
    create: (name, select) => `CREATE OR REPLACE TABLE ${name} AS\n${select}`,
    rowId: null,
  },
  spark: {
    parquet: (p) => `parquet.\`${p}\``,
    ident: (c) => `\`${c}\``,
    create: (name, select) => `CREATE OR REPLACE TEMPORARY VIEW ${name} AS\n${select}`,
    rowId: 'monotonically_increasing_id() AS row_id',
  },
};

function checkSource(name: string, src: JobSource): void {
  if ((src.path === undefined) === (src.table === undefined)) {
    throw usageError('bad_job_input', `job input ${name}: give exactly one of a Parquet path or a catalog table`, { stage: 'sql' });
  }
  const cols: readonly string[] = JOB_INPUT_COLUMNS[name as JobInputName];
  for (const [k, v] of Object.entries(src.columns ?? {})) {
    if (!cols.includes(k)) throw usageError('bad_column_mapping', `job input ${name} maps "${k}", which is not a column of ${name} (columns: ${cols.join(', ')}). Keys are canonical names, values are your column names.`, { stage: 'sql' });
    if (/["`]/.test(v)) throw usageError('bad_column_mapping', `job input ${name}: column name ${v} contains a quote, which is not supported`, { stage: 'sql' });
  }
  if (src.path && /['`]/.test(src.path)) throw usageError('bad_job_input', `job input ${name}: the path ${src.path} contains a quote, which is not supported`, { stage: 'sql' });
}

/** The statement that reads input `name` from `src` under its canonical columns. */
export function inputSql(engine: Engine, name: JobInputName, src: JobSource): string {
  checkSource(name, src);
  const s = SOURCES[engine];
  const cols = JOB_INPUT_COLUMNS[name].map((c) => {
    const theirs = src.columns?.[c] ?? c;
    return theirs === c ? s.ident(c) : `${s.ident(theirs)} AS ${c}`;
  });
  if (NUMBERED.has(name) && s.rowId) cols.push(s.rowId);
  const from = src.path !== undefined ? s.parquet(src.path) : src.table!;
  return s.create(name, `    SELECT ${cols.join(', ')}\n    FROM ${from}`);
}

/** Check that every required input is given and no unknown one is. */
export function checkInputs(inputs: Readonly<Record<string, JobSource>>): void {
  for (const n of Object.keys(inputs)) {
    if (!(n in JOB_INPUT_COLUMNS)) throw usageError('bad_job_input', `unknown job input ${n}: the inputs are ${Object.keys(JOB_INPUT_COLUMNS).join(', ')}`, { stage: 'sql' });
  }
  const missing = REQUIRED_INPUTS.filter((n) => !(n in inputs));
  if (missing.length > 0) throw usageError('bad_job_input', `the job needs the inputs ${missing.join(', ')}: give a Parquet path or a catalog table for each`, { stage: 'sql' });
}
