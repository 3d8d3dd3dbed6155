import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryNumber, queryRows, sqlString, type DuckDBConnection } from '../../src/db/duckdb.js';
import { parseConfig, type Config } from '../../src/config.js';
import { ingest } from '../../src/stages/ingest/ingest.js';
import { buildSessions } from '../../src/stages/sessions/sessions.js';
import { buildEvidence } from '../../src/stages/evidence/evidence.js';
import { clickCountsSql, foldPagesSql, randomizedWhereOf } from '../../src/stages/bias/from-duckdb.js';
import type { StageStats } from '../../src/types.js';
import { writeJobFolder } from '../../src/job/write.js';
import { runDuckdbJob } from '../../src/job/run-duckdb.js';
import type { JobManifest } from '../../src/job/layout.js';
import { JOB_INPUT_COLUMNS, type JobInputName } from '../../src/job/inputs.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../src/tools/simulate/index.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'messy');

/** Rows of `a` not in `b` plus rows of `b` not in `a` (as multisets). */
async function rowDiff(conn: DuckDBConnection, a: string, b: string, cols: readonly string[]): Promise<number> {
  const c = cols.join(', ');
  return queryNumber(conn, `SELECT (SELECT count(*) FROM (SELECT ${c} FROM ${a} EXCEPT ALL SELECT ${c} FROM ${b})) + (SELECT count(*) FROM (SELECT ${c} FROM ${b} EXCEPT ALL SELECT ${c} FROM ${a}))`);
}

type Inputs = (dir: string) => Promise<Record<string, unknown>>;
const LOGS: readonly (readonly [string, Inputs])[] = [
  ['the messy fixture', async () => ({ serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl') })],
  ['a simulated helpdesk world', async (dir) => {
    const sim = parseSimulateOptions({ seed: 5, sessions: 600, world: { intents: 30 } });
    await simulateLog(buildHelpdeskWorld(sim), sim, join(dir, 'sim'));
    return { serps: [join(dir, 'sim', 'serps.jsonl')], corpus: join(dir, 'sim', 'corpus.jsonl') };
  }],
];

describe.each(LOGS)('clickforge sql --engine duckdb on %s: the job folder runs and equals the in-process build', (_name, inputsOf) => {
  let dir: string;
  let conn: DuckDBConnection;
  let close: () => void;
  let manifest: JobManifest;
  let config: Config;
  let stats: { sessions: StageStats; evidence: StageStats };
  const out = () => join(dir, 'job', 'outputs');
  const parquet = (name: string) => `read_parquet(${sqlString(join(out(), `${name}.parquet`))})`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-job-duckdb-'));
    config = parseConfig({ input: await inputsOf(dir) });
    ({ conn, close } = await openDb({ threads: 2 }));
    const ing = await ingest(conn, config.input);
    const log = ing.relations;
    const ses = await buildSessions(conn, log, config.sessions);
    const ev = await buildEvidence(conn, { ...ses.relations, impressions: log.impressions, clicks: log.clicks }, config.evidence);
    stats = { sessions: ses.stats, evidence: ev.stats };
    const bias = { maxRank: config.bias.maxRank, holdoutShare: config.bias.holdoutShare, seed: config.seed, randomizedWhere: randomizedWhereOf(log.randomized!) };
    await conn.run(`CREATE TABLE ref_bias_counts AS ${clickCountsSql(log, bias)}`);
    await conn.run(`CREATE TABLE ref_bias_fold_pages AS ${foldPagesSql(log, bias)}`);
    // the job's inputs: ingest's relations as Parquet
    const inputs: Partial<Record<JobInputName, { path: string }>> = {};
    await mkdir(join(dir, 'in'));
    for (const n of Object.keys(JOB_INPUT_COLUMNS) as JobInputName[]) {
      const path = join(dir, 'in', `${n}.parquet`);
      await conn.run(`COPY ${n} TO ${sqlString(path)} (FORMAT parquet)`);
      inputs[n] = { path };
    }
    await writeJobFolder(join(dir, 'job'), { engine: 'duckdb', config, inputs });
    manifest = await runDuckdbJob(join(dir, 'job'), { threads: 2 });
  }, 120_000);
  afterAll(async () => {
    close?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes job.json, README.md with the command, and the statements in order', async () => {
    const job = JSON.parse(await readFile(join(dir, 'job', 'job.json'), 'utf8')) as { steps: { name: string; file?: string }[]; schemaVersion: number };
    expect(job.schemaVersion).toBe(1);
    expect(job.steps.map((s) => s.name).slice(0, 7)).toEqual(['input-serps', 'input-impressions', 'input-clicks', 'input-conversions', 'input-session-ends', 'input-serp-randomized', 'sessions-00-query-norms']);
    const files = job.steps.flatMap((s) => (s.file ? [s.file] : []));
    expect([...files].sort()).toEqual(files);
    expect(await readFile(join(dir, 'job', 'README.md'), 'utf8')).toContain('clickforge sql --run');
  });

  it.each(['query_norms', 'serp_facts', 'reformulation_pairs', 'reformulations', 'conversion_links', 'session_clicks', 'click_facts', 'evidence'])('%s equals the in-process relation row for row', async (name) => {
    const cols = manifest.outputs[name]!.columns.map((c) => c.name);
    expect(manifest.outputs[name]!.rows).toBe(await queryNumber(conn, `SELECT count(*) FROM ${name}`));
    expect(await rowDiff(conn, name, parquet(name), cols)).toBe(0);
  });

  it('has rows in the relations the fixture fills', () => {
    for (const n of ['serp_facts', 'session_clicks', 'click_facts', 'evidence', 'bias_counts']) expect(manifest.outputs[n]!.rows, n).toBeGreaterThan(0);
  });

  it.each([['bias_counts', 'ref_bias_counts'], ['bias_fold_pages', 'ref_bias_fold_pages']])('%s equals the counts the bias stage streams', async (name, ref) => {
    const cols = manifest.outputs[name]!.columns.map((c) => c.name);
    expect(await rowDiff(conn, ref, parquet(name), cols)).toBe(0);
  });

  it('job_counts hold the stages\' counts, and they add up', async () => {
    const rows = await queryRows<{ stage: string; name: string; n: number }>(conn, `SELECT stage, name, n FROM ${parquet('job_counts')}`);
    const n = (name: string) => rows.find((r) => r.name === name)?.n;
    for (const k of ['sessions', 'sessions_gap', 'dwell_unknown', 'conversions_linked', 'clicks_returned'].filter((k) => k in stats.sessions.out)) {
      if (n(k) !== undefined) expect(n(k), k).toBe(stats.sessions.out[k]);
    }
    expect(n('sessions')).toBe(stats.sessions.out.sessions);
    expect(n('conversions_unlinked')).toBe(stats.sessions.dropped.conversion_unlinked);
    expect(n('session_ends_unmatched')).toBe(stats.sessions.dropped.session_end_unmatched);
    expect(n('evidence_rows')).toBe(stats.evidence.out.evidence_rows);
    const buckets = rows.filter((r) => r.name.startsWith('outcome_')).reduce((a, r) => a + r.n, 0);
    expect(buckets).toBe(n('click_facts'));
    expect(n('conversions_given')! + n('conversions_linked')! + n('conversions_unlinked')!).toBe(n('conversions'));
    expect(n('grade_0')! + n('grade_1')! + n('grade_2')! + n('grade_3')!).toBe(n('evidence_rows'));
  });
});
