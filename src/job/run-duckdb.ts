/**
 * Run a DuckDB job folder (written by `clickforge sql --engine duckdb`): the steps of job.json in
 * order in an embedded DuckDB, then every output as Parquet under `outDir` with manifest.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDb, queryRows, sqlString, type DuckDBConnection } from '../db/duckdb.js';
import { usageError } from '../errors.js';
import { logRelations } from '../stages/ingest/relations.js';
import { normaliseQueries, sessionRelations } from '../stages/sessions/sessions.js';
import type { JobManifest } from './layout.js';
import type { JobFile, JobFileStep } from './write.js';

type StepRunner = (conn: DuckDBConnection, dir: string, step: JobFileStep) => Promise<void>;

const RUNNERS: Record<JobFileStep['kind'], StepRunner> = {
  sql: async (conn, dir, step) => {
    if (step.kind !== 'sql') return;
    await conn.run(await readFile(join(dir, step.file), 'utf8'));
  },
  'query-norms': async (conn) => normaliseQueries(conn, logRelations(), sessionRelations()),
};

async function readJob(dir: string): Promise<JobFile> {
  let text: string;
  try {
    text = await readFile(join(dir, 'job.json'), 'utf8');
  } catch (cause) {
    throw usageError('bad_job', `${join(dir, 'job.json')} cannot be read: give the folder that clickforge sql --out wrote`, { stage: 'sql', cause });
  }
  const job = JSON.parse(text) as JobFile;
  if (job.engine !== 'duckdb') throw usageError('bad_job', `${dir} is a job for ${job.engine}: only a duckdb job runs here (run a spark job with spark-submit, see its README.md)`, { stage: 'sql' });
  return job;
}

/** Write each output (rows in a fixed order) and the manifest. */
async function writeOutputs(conn: DuckDBConnection, job: JobFile, outDir: string): Promise<JobManifest> {
  await mkdir(outDir, { recursive: true });
  const outputs: Record<string, JobManifest['outputs'][string]> = {};
  for (const o of job.outputs) {
    const file = `${o.name}.parquet`;
    await conn.run(`COPY (SELECT ${o.columns.join(', ')} FROM ${o.name} ORDER BY ALL) TO ${sqlString(join(outDir, file))} (FORMAT parquet)`);
    const cols = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT ${o.columns.join(', ')} FROM ${o.name}`);
    const [n] = await queryRows<{ n: number }>(conn, `SELECT count(*) AS n FROM ${o.name}`);
    outputs[o.name] = { file, rows: n?.n ?? 0, columns: cols.map((c) => ({ name: c.column_name, type: c.column_type })) };
  }
  const manifest: JobManifest = { schemaVersion: job.schemaVersion, engine: 'duckdb', outputs };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Run the job folder `dir`; outputs go to `outDir` (default: dir/outputs). */
export async function runDuckdbJob(dir: string, opts: { readonly outDir?: string; readonly threads?: number; readonly memoryLimit?: string } = {}): Promise<JobManifest> {
  const job = await readJob(dir);
  const db = await openDb({ threads: opts.threads, memoryLimit: opts.memoryLimit });
  try {
    for (const step of job.steps) await RUNNERS[step.kind](db.conn, dir, step);
    return await writeOutputs(db.conn, job, resolve(opts.outDir ?? join(dir, 'outputs')));
  } finally {
    db.close();
  }
}
