/**
 * The Spark path: the generated job run by spark-submit in local mode on the messy fixture, its
 * outputs compared with the DuckDB job's row for row (integers exactly, doubles to 1e-9). Skips with
 * a message naming what is missing (pyspark, java) when Spark is not installed; CI installs both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, queryNumber, queryRows, sqlString, type DuckDBConnection } from '../../src/db/duckdb.js';
import { parseConfig } from '../../src/config.js';
import { ingest } from '../../src/stages/ingest/ingest.js';
import { writeJobFolder } from '../../src/job/write.js';
import { runDuckdbJob } from '../../src/job/run-duckdb.js';
import { JOB_PY } from '../../src/job/job-py.js';
import { JOB_INPUT_COLUMNS, type JobInputName } from '../../src/job/inputs.js';
import { jobOutputs } from '../../src/job/layout.js';
import { normalizeQuery } from '../../src/text/normalize.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'messy');
const ok = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const python = ok('python3', ['--version']);
const pyspark = python && ok('python3', ['-c', 'import pyspark']);
const java = ok('java', ['-version']);
const sparkMissing = !python ? 'skipped: python3 not installed' : !pyspark ? 'skipped: pyspark not installed' : !java ? 'skipped: java not installed' : null;
if (sparkMissing) console.log(`spark job test ${sparkMissing}`);

function sparkSubmit(): [string, string[]] {
  const home = process.env.SPARK_HOME;
  if (home && existsSync(join(home, 'bin', 'spark-submit'))) return [join(home, 'bin', 'spark-submit'), ['--master', 'local[2]']];
  if (ok('spark-submit', ['--version'])) return ['spark-submit', ['--master', 'local[2]']];
  return ['python3', []]; // pip's pyspark starts a local JVM itself
}

async function exportInputs(conn: DuckDBConnection, dir: string): Promise<Partial<Record<JobInputName, { path: string }>>> {
  await mkdir(dir, { recursive: true });
  const inputs: Partial<Record<JobInputName, { path: string }>> = {};
  for (const n of Object.keys(JOB_INPUT_COLUMNS) as JobInputName[]) {
    const path = join(dir, `${n}.parquet`);
    await conn.run(`COPY ${n} TO ${sqlString(path)} (FORMAT parquet)`);
    inputs[n] = { path };
  }
  return inputs;
}

/** A relation's columns with doubles rounded (the engines sum in different orders and round DECIMAL to DOUBLE their own way). */
async function comparable(conn: DuckDBConnection, from: string): Promise<string> {
  const cols = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM ${from}`);
  return `(SELECT ${cols.map((c) => (c.column_type === 'DOUBLE' ? `round(${c.column_name}, 9) AS ${c.column_name}` : c.column_name)).join(', ')} FROM ${from})`;
}

describe('the Spark job', () => {
  it.skipIf(sparkMissing !== null)(sparkMissing ?? 'runs in local mode and equals the DuckDB job row for row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cf-job-spark-'));
    const { conn, close } = await openDb({ threads: 2 });
    try {
      const config = parseConfig({ input: { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')] } });
      await ingest(conn, config.input);
      const inputs = await exportInputs(conn, join(dir, 'in'));
      await writeJobFolder(join(dir, 'duckdb'), { engine: 'duckdb', config, inputs });
      await runDuckdbJob(join(dir, 'duckdb'));
      await writeJobFolder(join(dir, 'spark'), { engine: 'spark', config, inputs });
      const [cmd, args] = sparkSubmit();
      const run = spawnSync(cmd, [...args, join(dir, 'spark', 'job.py'), '--out', join(dir, 'spark', 'outputs')], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      for (const o of jobOutputs()) {
        const duck = await comparable(conn, `read_parquet(${sqlString(join(dir, 'duckdb', 'outputs', `${o.name}.parquet`))})`);
        const spark = await comparable(conn, `read_parquet(${sqlString(join(dir, 'spark', 'outputs', `${o.name}.parquet`, '*.parquet'))})`);
        const diff = await queryNumber(conn, `SELECT (SELECT count(*) FROM (SELECT * FROM ${duck} EXCEPT ALL SELECT * FROM ${spark})) + (SELECT count(*) FROM (SELECT * FROM ${spark} EXCEPT ALL SELECT * FROM ${duck}))`);
        expect(diff, o.name).toBe(0);
      }
    } finally {
      close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('the job driver\'s query normalisation (job.py normalize_query)', () => {
  it.skipIf(!python)(python ? 'equals normalizeQuery on the fixtures\' queries and awkward ones' : 'skipped: python3 not installed', async () => {
    const raw = [
      ...(await readFile(join(FIX, 'serps.jsonl'), 'utf8')).split('\n').flatMap((l) => { try { return [String((JSON.parse(l) as { query?: unknown }).query ?? '')]; } catch { return []; } }),
      ...(await readFile(join(FIX, 'events.jsonl'), 'utf8')).split('\n').flatMap((l) => { try { return [String((JSON.parse(l) as { query?: unknown }).query ?? '')]; } catch { return []; } }),
      'Reset Okta token ', 'ＦＵＬＬＷＩＤＴＨ　ｑｕｅｒｙ', 'ﬁle ½ ²', 'ΟΔΟΣ Σ', 'İstanbul', 'naïve—café… “quoted”', 'tab\there\nnewline', 'zero\u200bwidth\u00a0nbsp', '重置密码！', '😀 emoji 👍🏽', 'a\u0301', '', '   ',
    ];
    const dir = await mkdtemp(join(tmpdir(), 'cf-job-py-'));
    try {
      await writeFile(join(dir, 'job.py'), JOB_PY);
      await writeFile(join(dir, 'queries.json'), JSON.stringify(raw));
      const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(dir)}); import job; print(json.dumps([job.normalize_query(q) for q in json.load(open(${JSON.stringify(join(dir, 'queries.json'))}, encoding='utf-8'))]))`;
      const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout) as string[]).toEqual(raw.map(normalizeQuery));
      expect(raw.length).toBeGreaterThan(15);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
