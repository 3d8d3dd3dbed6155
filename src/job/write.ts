/**
 * `clickforge sql`: the event level as a self-contained job folder for one engine.
 *
 *   JOB/job.json     schema version, engine, inputs, the steps in order, the outputs with their columns
 *   JOB/sql/NN-*.sql one statement a file, in the order they run
 *   JOB/job.py       (spark) the PySpark driver that runs them through spark.sql
 *   JOB/README.md    how to run it, the inputs, the outputs
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dialects, type Engine } from '../db/dialect/index.js';
import { checkInputs, inputSql, JOB_INPUT_COLUMNS, type JobInputName, type JobSource } from './inputs.js';
import { JOB_PY } from './job-py.js';
import { jobOutputs, JOB_SCHEMA_VERSION } from './layout.js';
import { jobReadme } from './readme.js';
import { eventLevelSteps, type JobConfig } from './steps.js';

export interface JobSpec {
  readonly engine: Engine;
  readonly config: JobConfig;
  readonly inputs: Readonly<Partial<Record<JobInputName, JobSource>>>;
}

/** One step as job.json lists it. */
export type JobFileStep = { readonly name: string; readonly kind: 'sql'; readonly file: string } | { readonly name: string; readonly kind: 'query-norms' };

export interface JobFile {
  readonly schemaVersion: number;
  readonly engine: Engine;
  readonly inputs: Readonly<Partial<Record<JobInputName, JobSource>>>;
  readonly steps: readonly JobFileStep[];
  readonly outputs: readonly { readonly name: string; readonly columns: readonly string[] }[];
}

const pad = (i: number): string => String(i + 1).padStart(2, '0');

/** Write the job folder `dir` (replacing it) and return its job.json. */
export async function writeJobFolder(dir: string, spec: JobSpec): Promise<JobFile> {
  checkInputs(spec.inputs);
  const d = dialects[spec.engine];
  const inputNames = (Object.keys(JOB_INPUT_COLUMNS) as JobInputName[]).filter((n) => spec.inputs[n] !== undefined);
  const steps = [
    ...inputNames.map((n) => ({ name: `input-${n.replace('_', '-')}`, kind: 'sql' as const, sql: inputSql(spec.engine, n, spec.inputs[n]!) })),
    ...eventLevelSteps(d, spec.config, { randomized: spec.inputs.serp_randomized !== undefined }),
  ];
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'sql'), { recursive: true });
  const fileSteps: JobFileStep[] = [];
  for (const [i, s] of steps.entries()) {
    if (s.kind !== 'sql') {
      fileSteps.push(s);
      continue;
    }
    const file = `sql/${pad(i)}-${s.name}.sql`;
    await writeFile(join(dir, file), `${s.sql.trim()};\n`);
    fileSteps.push({ name: s.name, kind: 'sql', file });
  }
  const job: JobFile = {
    schemaVersion: JOB_SCHEMA_VERSION,
    engine: spec.engine,
    inputs: spec.inputs,
    steps: fileSteps,
    outputs: jobOutputs(),
  };
  await writeFile(join(dir, 'job.json'), `${JSON.stringify(job, null, 2)}\n`);
  if (spec.engine === 'spark') await writeFile(join(dir, 'job.py'), JOB_PY);
  await writeFile(join(dir, 'README.md'), jobReadme(job, dir));
  return job;
}
