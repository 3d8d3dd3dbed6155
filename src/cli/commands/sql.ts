import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { collect, resolveConfig } from '../options.js';

interface SqlFlags {
  engine?: string;
  out?: string;
  input?: string;
  table?: string[];
  map?: string[];
  config?: string;
  set?: string[];
  run?: boolean;
  threads?: string;
  memoryLimit?: string;
}

type Sources = Record<string, { path?: string; table?: string; columns?: Record<string, string> }>;

const isUrl = (p: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(p);

/** --input DIR (DIR/<relation>.parquet), --table relation=db.table, --map relation.column=their_column. */
async function sourcesOf(f: SqlFlags): Promise<Sources> {
  const { JOB_INPUT_COLUMNS, REQUIRED_INPUTS } = await import('../../job/inputs.js');
  const out: Sources = {};
  if (f.input) {
    const dir = isUrl(f.input) ? f.input : resolve(f.input);
    for (const n of Object.keys(JOB_INPUT_COLUMNS)) {
      const path = isUrl(dir) ? `${dir}/${n}.parquet` : join(dir, `${n}.parquet`);
      if (isUrl(dir) ? (REQUIRED_INPUTS as readonly string[]).includes(n) : existsSync(path)) out[n] = { path };
    }
  }
  for (const t of f.table ?? []) {
    const [n, table] = t.split('=', 2);
    if (!n || !table) throw usageError('bad_flag', `--table expects relation=db.table (for example --table serps=logs.serps), got "${t}"`);
    out[n] = { table };
  }
  for (const m of f.map ?? []) {
    const eq = m.indexOf('=');
    const dot = m.indexOf('.');
    if (dot <= 0 || eq <= dot + 1) throw usageError('bad_flag', `--map expects relation.column=their_column (for example --map serps.query=search_terms), got "${m}"`);
    const n = m.slice(0, dot);
    if (!out[n]) throw usageError('bad_flag', `--map ${m}: the job has no input ${n} (give it with --input or --table first)`);
    out[n] = { ...out[n], columns: { ...out[n].columns, [m.slice(dot + 1, eq)]: m.slice(eq + 1) } };
  }
  return out;
}

async function writeJob(f: SqlFlags, out: string): Promise<void> {
  const { ENGINES } = await import('../../db/dialect/index.js');
  const engine = f.engine as (typeof ENGINES)[number];
  if (!ENGINES.includes(engine)) throw usageError('bad_flag', `--engine must be one of ${ENGINES.join(', ')}, got "${f.engine}"`);
  const { parseConfig } = await import('../../config.js');
  const config = parseConfig(await resolveConfig(f.config, {}, f.set ?? []));
  const { writeJobFolder } = await import('../../job/write.js');
  const job = await writeJobFolder(out, { engine, config, inputs: await sourcesOf(f) });
  process.stdout.write(`wrote ${out} (${job.steps.length} steps, engine ${engine}): see ${join(out, 'README.md')}\n`);
}

async function runJob(f: SqlFlags, out: string): Promise<void> {
  const { runDuckdbJob } = await import('../../job/run-duckdb.js');
  const manifest = await runDuckdbJob(out, { threads: f.threads ? Number(f.threads) : undefined, memoryLimit: f.memoryLimit });
  const lines = Object.entries(manifest.outputs).map(([n, o]) => `  ${n}: ${o.rows} rows`);
  process.stdout.write(`ran ${out}: outputs in ${join(out, 'outputs')}\n${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('sql')
    .description('Write the event level (sessions, click outcomes, evidence, bias counts) as a job folder of SQL for DuckDB or Spark; --run runs a DuckDB job.')
    .requiredOption('-o, --out <dir>', 'job folder to write (or, with --run and no --engine, to run)')
    .option('--engine <engine>', 'duckdb or spark')
    .option('--input <dir>', 'folder (or URL prefix) of the canonical relations as <relation>.parquet: serps, impressions, clicks, conversions, session_ends, serp_randomized (optional)')
    .option('--table <relation=table>', 'read a relation from a catalog table instead, e.g. --table serps=logs.serps (repeatable)', collect)
    .option('--map <relation.column=theirs>', 'column mapping, e.g. --map serps.query=search_terms (repeatable)', collect)
    .option('-c, --config <file>', 'config file: the sessions, evidence and bias options and the seed the statements use')
    .option('--set <path=value>', 'set an option, e.g. --set sessions.gapMinutes=20 (repeatable)', collect)
    .option('--run', 'run the DuckDB job after writing it (without --engine: run the job folder as it is)')
    .option('--threads <n>', 'DuckDB threads for --run')
    .option('--memory-limit <size>', 'DuckDB memory limit for --run, e.g. 4GB')
    .action(async (f: SqlFlags) => {
      const out = resolve(f.out!);
      if (f.engine !== undefined) await writeJob(f, out);
      else if (!f.run) throw usageError('bad_flag', 'clickforge sql needs --engine duckdb|spark to write a job (or --run to run an existing DuckDB job folder)');
      if (f.run) {
        if (f.engine === 'spark') throw usageError('bad_flag', `--run runs DuckDB jobs only: run the Spark job with the spark-submit command in ${join(out, 'README.md')}`);
        await runJob(f, out);
      }
    });
}
