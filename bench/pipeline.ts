/**
 * Ingest -> sessions -> evidence -> grading on a generated SERP log of N events, from Parquet and from JSONL.
 * Prints seconds, events/s and peak RSS per step, and the peer: bare DuckDB sessionizing and grouping
 * the same file per (query, document) (bench/duckdb-peer.ts), run in the same process before and after
 * clickforge (interleaved), its counts checked against clickforge's, and the CPU ratio of the event
 * stage (ingest + sessions + evidence) to the peer's mean.
 *   npx tsx bench/pipeline.ts [events=10000000] [threads]
 * The generated files are cached in $TMPDIR/cf-bench-log-<events> between runs (delete to regenerate).
 * Each format runs in its own child process, so its peak RSS is its own.
 * CF_BENCH_HASH=1 also prints, per format, an order-independent hash of every row of the tables the
 * stages leave (evidence, click_facts, session_clicks, serp_facts, ...) and of the graded records, to
 * check that a change leaves the outputs identical (compare with the same run on the previous commit).
 * CF_BENCH_MEMORY_LIMIT=1.5GB caps DuckDB's buffer memory (openDb's memoryLimit; spills go to a
 * folder under the cache dir, removed at the end).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, queryNumber, queryRows, sqlString } from '../src/db/duckdb.js';
import { runPeer, type PeerResult } from './duckdb-peer.js';
import { buildEvidence, DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE } from '../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../src/stages/evidence/options.js';
import { gradeEvidence, gradingOptions } from '../src/stages/evidence/grading.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { ingestOptions } from '../src/stages/ingest/options.js';
import { buildSessions } from '../src/stages/sessions/sessions.js';
import { sessionOptions } from '../src/stages/sessions/options.js';
import { generateLog } from './gen-log.js';

const events = Number(process.argv[2] ?? 10_000_000);
const threads = process.argv[3] && process.argv[3] !== '-' ? Number(process.argv[3]) : undefined;
const only = process.argv[4] as 'parquet' | 'jsonl' | undefined;
// CF_BENCH_READ_ALL=1 reads every evidence pair into JS (the behaviour before minExposureForNegative)
const readAll = process.env.CF_BENCH_READ_ALL === '1';
const out = (s: string) => process.stdout.write(`${s}\n`);
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const dir = join(tmpdir(), `cf-bench-log-${events}`);
const HASHED_TABLES = ['serps', 'impressions', 'clicks', 'conversions', 'quarantine', 'query_norms', 'serp_facts', 'reformulation_pairs', 'reformulations', 'conversion_links', 'session_clicks', 'click_facts', 'evidence_graded'];
const jsonl = join(dir, 'serps.jsonl');
const parquet = join(dir, 'serps.parquet');

async function runOne(format: 'parquet' | 'jsonl'): Promise<void> {
  const file = format === 'parquet' ? parquet : jsonl;
  const reader = format === 'parquet' ? 'read_parquet' : 'read_json';
  const peers: PeerResult[] = [await runPeer(file, reader, threads)];
  let t: number;

  // CF_BENCH_MEMORY_LIMIT (e.g. 1.5GB) caps DuckDB's memory; it spills to a temp folder above it
  const memoryLimit = process.env.CF_BENCH_MEMORY_LIMIT;
  const { conn, close } = await openDb({ threads, ...(memoryLimit ? { memoryLimit, tempDirectory: join(dir, `spill-${process.pid}`) } : {}) });
  const n = Number(process.env.CF_BENCH_EVENTS ?? events);
  // CPU seconds (user + system, all threads) next to wall seconds: on a shared machine the CPU
  // figure moves less with other jobs' load, so it is the one to compare between runs
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  let c = cpu();
  const c0 = c;
  const step = (name: string, s: number) => {
    const now = cpu();
    out(`${format.padEnd(7)} ${name.padEnd(9)} ${s.toFixed(2).padStart(7)} s  ${Math.round(n / s).toLocaleString('en').padStart(11)} events/s  cpu ${(name === 'total' ? now - c0 : now - c).toFixed(2).padStart(7)} s  peak RSS ${mb()} MB`);
    c = now;
  };
  const t0 = performance.now();
  t = t0;
  const r = await ingest(conn, ingestOptions.parse({ serps: [file] }));
  const log = r.relations;
  step('ingest', (performance.now() - t) / 1000);
  t = performance.now();
  const ses = await buildSessions(conn, log, sessionOptions.parse({}));
  step('sessions', (performance.now() - t) / 1000);
  t = performance.now();
  const ev = await buildEvidence(conn, { ...ses.relations, impressions: log.impressions, clicks: log.clicks }, readAll ? evidenceOptions.parse({}) : { ...evidenceOptions.parse({}), minExposureForNegative: DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE });
  step('evidence', (performance.now() - t) / 1000);
  const eventCpu = c - c0;
  t = performance.now();
  // the pipeline passes the bias stage's curve; a fixed 1/rank^0.8 curve stands in for it here
  const exam = Array.from({ length: 20 }, (_, i) => 1 / (i + 1) ** 0.8);
  const gr = await gradeEvidence(conn, { evidence: ev.relations.evidence, clickFacts: ev.relations.clickFacts, impressions: log.impressions, serpFacts: ses.relations.serpFacts, keys: ev.keys }, ev.evidence, exam, gradingOptions.parse({}));
  step('grading', (performance.now() - t) / 1000);
  const total = (performance.now() - t0) / 1000;
  step('total', total);
  const q = await queryNumber(conn, 'SELECT count(*) FROM quarantine');
  if (process.env.CF_BENCH_HASH === '1') {
    for (const table of HASHED_TABLES) {
      const rows = await queryRows<{ n: number; h: string }>(conn, `SELECT count(*) AS n, coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR AS h FROM ${table} t`);
      out(`${format.padEnd(7)} hash ${table.padEnd(20)} rows ${rows[0]!.n} ${rows[0]!.h}`);
    }
    const h = createHash('sha256');
    for (const e of gr.evidence) h.update(JSON.stringify(e));
    out(`${format.padEnd(7)} hash graded records     rows ${gr.evidence.length} ${h.digest('hex').slice(0, 24)}`);
  }
  const sessions = Number(ses.stats.out.sessions);
  const pairs = Number(ev.stats.out.evidence_rows);
  close();
  peers.push(await runPeer(file, reader, threads));
  const peerCpu = peers.reduce((a, p) => a + p.cpu, 0) / peers.length;
  const p0 = peers[0]!;
  const agree = p0.sessions === sessions && p0.pairs === pairs;
  out(`${format.padEnd(7)} peer bare DuckDB (sessionize + group-by, same file): cpu ${peers.map((p) => p.cpu.toFixed(2)).join(' / ')} s, wall ${peers.map((p) => p.wall.toFixed(2)).join(' / ')} s; sessions ${p0.sessions} vs clickforge ${sessions}, pairs ${p0.pairs} vs ${pairs}: ${agree ? 'agree' : 'DISAGREE'}`);
  out(`${format.padEnd(7)} event stage (ingest + sessions + evidence) cpu ${eventCpu.toFixed(2)} s / peer ${peerCpu.toFixed(2)} s = ${(eventCpu / peerCpu).toFixed(2)}x CPU`);
  if (memoryLimit) rmSync(join(dir, `spill-${process.pid}`), { recursive: true, force: true });
  out(`${format.padEnd(7)} quarantined ${q}; ingest out ${JSON.stringify(r.stats[0]!.out)}; ${memoryLimit ? `memory limit ${memoryLimit}; ` : ''}evidence rows ${ev.stats.out.evidence_rows}, read into JS ${ev.evidence.length}; grades ${[0, 1, 2, 3].map((g) => gr.stats.out[`grade_${g}`]).join('/')}`);
}

if (only) {
  await runOne(only);
} else {
  const t = performance.now();
  let n: number;
  if (!existsSync(parquet) || !existsSync(jsonl)) {
    const g = await generateLog(events, dir);
    n = g.events;
    out(`generated ${g.events} events (${g.serps} SERP records) in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${dir}`);
  } else {
    const { conn, close } = await openDb();
    // events = SERP records + results + clicks + conversions, as gen-log counts them
    n = await queryNumber(conn, `SELECT count(*) + sum(len(results)) + sum(len(coalesce(clicks, []))) + sum(len(coalesce(conversions, []))) FROM read_parquet(${sqlString(parquet)})`);
    close();
    out(`cached log: ${n} events in ${dir}`);
  }
  for (const format of ['parquet', 'jsonl'] as const) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(events), threads ? String(threads) : '-', format], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CF_BENCH_EVENTS: String(n) },
    });
    if (r.status !== 0) throw new Error(`bench child for ${format} failed with status ${r.status}`);
  }
  out(`targets: parquet >= 500,000 events/s, jsonl >= 200,000 events/s (ingest through evidence), peak RSS < 3 GB`);
}
