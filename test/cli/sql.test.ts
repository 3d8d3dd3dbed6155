import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, sqlString } from '../../src/db/duckdb.js';
import { parseConfig } from '../../src/config.js';
import { ingest } from '../../src/stages/ingest/ingest.js';
import { inputSql, REQUIRED_INPUTS } from '../../src/job/inputs.js';
import { writeJobFolder } from '../../src/job/write.js';
import { cli } from './helpers.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'messy');

describe('clickforge sql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-cli-sql-'));
  const input = join(dir, 'in');
  beforeAll(async () => {
    mkdirSync(input);
    const { conn, close } = await openDb({ threads: 1 });
    try {
      await ingest(conn, parseConfig({ input: { events: [join(FIX, 'events.jsonl')] } }).input);
      for (const n of REQUIRED_INPUTS) await conn.run(`COPY ${n} TO ${sqlString(join(input, `${n}.parquet`))} (FORMAT parquet)`);
    } finally {
      close();
    }
  });

  it('writes a Spark job folder: job.py, README with the spark-submit command, the input mapping in the statements', { timeout: 120_000 }, () => {
    const job = join(dir, 'spark');
    const r = cli(['sql', '--engine', 'spark', '--out', job, '--input', input, '--table', 'clicks=logs.clicks', '--map', 'serps.query=search_terms']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(job, 'job.py'))).toBe(true);
    expect(readFileSync(join(job, 'README.md'), 'utf8')).toContain('spark-submit --master "local[*]"');
    const sql = readdirSync(join(job, 'sql'));
    const text = (suffix: string) => readFileSync(join(job, 'sql', sql.find((f) => f.endsWith(suffix))!), 'utf8');
    expect(text('input-serps.sql')).toContain('`search_terms` AS query');
    expect(text('input-serps.sql')).toContain('FROM parquet.`');
    expect(text('input-clicks.sql')).toContain('FROM logs.clicks');
    expect(text('input-conversions.sql')).toContain('monotonically_increasing_id() AS row_id');
  });

  it('writes and runs a DuckDB job (--run), printing the rows of each output', { timeout: 180_000 }, () => {
    const job = join(dir, 'duckdb');
    const r = cli(['sql', '--engine', 'duckdb', '--out', job, '--input', input, '--run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/evidence: [1-9]\d* rows/);
    expect(existsSync(join(job, 'outputs', 'manifest.json'))).toBe(true);
    const again = cli(['sql', '--out', job, '--run']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('evidence:');
  });

  it('exits 2 without --engine or --run, and on an unknown engine', () => {
    expect(cli(['sql', '--out', join(dir, 'x')]).code).toBe(2);
    const engine = cli(['sql', '--engine', 'oracle', '--out', join(dir, 'x')]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toContain('duckdb, spark');
  }, 120_000);

  it('exits 2 on --run of a Spark job, pointing at spark-submit', () => {
    const sparkRun = cli(['sql', '--engine', 'spark', '--out', join(dir, 'x'), '--input', input, '--run']);
    expect(sparkRun.code).toBe(2);
    expect(sparkRun.stderr).toContain('spark-submit');
  }, 120_000);

  it('refuses missing inputs and unknown mapped columns, naming what to fix', async () => {
    const config = parseConfig({});
    await expect(writeJobFolder(join(dir, 'y'), { engine: 'duckdb', config, inputs: { serps: { table: 'logs.serps' } } })).rejects.toThrow('impressions, clicks, conversions, session_ends');
    expect(() => inputSql('spark', 'serps', { path: join(input, 'serps.parquet'), columns: { nope: 'q' } })).toThrow('"nope", which is not a column of serps');
    expect(() => inputSql('spark', 'serps', { path: 'a', table: 'b' })).toThrow('exactly one of a Parquet path or a catalog table');
  });
});
