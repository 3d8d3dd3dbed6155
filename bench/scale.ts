/**
 * `clickforge build` end to end on a generated log of N events (bench/gen-scale-log.ts: Zipf
 * queries, sessions, a corpus that scales), as a child process under a DuckDB memory limit.
 * Prints per build step its wall seconds, CPU seconds (user + system of the child, all threads),
 * peak RSS and peak spill (DuckDB's temp folder), sampled from /proc every 0.5 s; the time outside
 * the steps (reading the corpus, loading mining inputs) as "between steps"; the whole run's wall,
 * CPU and peak RSS from /usr/bin/time; and the bare DuckDB peer of the event stage
 * (bench/duckdb-peer.ts) on the same file under the same limit, with the CPU ratio of the event
 * stage (ingest + sessions + evidence, which includes grading) to it. Load averages at start and end.
 *   npx tsx bench/scale.ts [--events 10000000] [--memory-limit 4GB] [--threads 2] [--dir DIR] [--no-peer] [--keep] [--cli OTHER/src/cli/main.ts]
 * The log is cached in DIR (default $TMPDIR/cf-scale-<events>) between runs; the build output is
 * removed at the end unless --keep.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { arg, numArg } from './args.js';
import { runPeer } from './duckdb-peer.js';
import { generateScaleLog, type ScaleLog } from './gen-scale-log.js';

const events = numArg('events', 10_000_000);
const memoryLimit = arg('memory-limit', '4GB');
const threads = numArg('threads', 2);
const dir = resolve(arg('dir', join(tmpdir(), `cf-scale-${events}`)));
const out = (s: string) => process.stdout.write(`${s}\n`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const TICKS = 100; // USER_HZ on Linux

interface StepFigures { wall: number; cpu: number; rssMb: number; spillMb: number }

/** The log, from the cache folder or generated (its wall and CPU seconds printed). */
async function theLog(): Promise<Omit<ScaleLog, 'events' | 'distinctQueries'> & { events?: number; distinctQueries?: number }> {
  const serpsFile = join(dir, 'serps.parquet');
  const corpusFile = join(dir, 'corpus.parquet');
  if (existsSync(serpsFile) && existsSync(corpusFile)) {
    out(`cached log in ${dir}`);
    return { dir, serpsFile, corpusFile, serps: 0, docs: 0 };
  }
  const t0 = performance.now();
  const c0 = cpuNow();
  const g = await generateScaleLog(events, dir, { threads, memoryLimit });
  out(`generated ${g.events} events: ${g.serps} result pages, ${g.distinctQueries} distinct queries, ${g.docs} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${(cpuNow() - c0).toFixed(1)} s CPU (load ${load()})`);
  return g;
}

/** CPU seconds (utime + stime) and RSS of a process, from /proc; null once it is gone. */
function sample(pid: number): { cpu: number; rssMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / TICKS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return null;
  }
}

/** Bytes on disk under the staging folders' DuckDB spill folders of output `target`. */
function spillMb(target: string): number {
  const parent = dirname(target);
  let bytes = 0;
  const prefix = `.${target.slice(parent.length + 1)}.staging-`;
  for (const s of existsSync(parent) ? readdirSync(parent) : []) {
    if (!s.startsWith(prefix)) continue;
    const spill = join(parent, s, '.duckdb-tmp');
    if (!existsSync(spill)) continue;
    for (const f of readdirSync(spill)) {
      try { bytes += statSync(join(spill, f)).blocks * 512; } catch { /* removed meanwhile */ }
    }
  }
  return bytes / 2 ** 20;
}

/** The node process /usr/bin/time started (its only child). */
function childOf(pid: number): number | null {
  try {
    const c = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return c ? Number(c) : null;
  } catch {
    return null;
  }
}

function stepLine(name: string, f: StepFigures, runJson?: number): string {
  return `${name.padEnd(14)} ${f.wall.toFixed(1).padStart(8)} ${(runJson === undefined ? '' : runJson.toFixed(1)).padStart(10)} ${f.cpu.toFixed(1).padStart(8)} ${Math.round(f.rssMb).toString().padStart(11)} ${Math.round(f.spillMb).toString().padStart(9)}`;
}

/** Runs build under /usr/bin/time, attributing samples to the step its progress lines say is running. */
async function runBuild(serpsFile: string, corpusFile: string, target: string): Promise<{ steps: Map<string, StepFigures>; total: { wall: number; user: number; sys: number; maxRssMb: number }; spillPeakMb: number }> {
  // --cli another checkout's src/cli/main.ts: the same run on another version (before/after)
  const main = resolve(arg('cli', resolve(import.meta.dirname, '..', 'src', 'cli', 'main.ts')));
  const timeFile = join(dir, `time-${process.pid}.txt`);
  const args = ['-f', '%e %U %S %M', '-o', timeFile, process.execPath, '--import', 'tsx', main, 'build', '--serps', serpsFile, '--corpus', corpusFile, '-o', target, '--memory-limit', memoryLimit, '--threads', String(threads), '--seed', '7'];
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: resolve(import.meta.dirname, '..') });
  const steps = new Map<string, StepFigures>();
  let current = 'between steps';
  let node: number | null = null;
  let last = { cpu: 0, t: performance.now() };
  let spillPeak = 0;
  let stderr = '';
  const figures = (name: string) => {
    let f = steps.get(name);
    if (!f) steps.set(name, (f = { wall: 0, cpu: 0, rssMb: 0, spillMb: 0 }));
    return f;
  };
  const tick = () => {
    node ??= childOf(child.pid!);
    if (node === null) return;
    const s = sample(node);
    if (!s) return;
    const now = performance.now();
    const f = figures(current);
    f.cpu += s.cpu - last.cpu;
    f.wall += (now - last.t) / 1000;
    f.rssMb = Math.max(f.rssMb, s.rssMb);
    const sp = spillMb(target);
    f.spillMb = Math.max(f.spillMb, sp);
    spillPeak = Math.max(spillPeak, sp);
    last = { cpu: s.cpu, t: now };
  };
  const timer = setInterval(tick, 500);
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk); // the build's progress lines, as they come
    // "[3/10] bias ..." starts a step, " done in 1.23 s" ends it
    for (const m of chunk.matchAll(/\[\d+\/\d+\] (\S+) \.\.\.|( done in )/g)) {
      tick();
      // a step's figures as soon as it ends, so that a run stopped early still reports the steps it finished
      if (m[2]) out(`  ${stepLine(current, figures(current))}  (load ${load()})`);
      current = m[1] ?? 'between steps';
    }
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(timer);
  if (code !== 0) throw new Error(`build failed (exit ${code}):\n${stderr.slice(-4000)}`);
  const [wall, user, sys, maxRss] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { steps, total: { wall: wall!, user: user!, sys: sys!, maxRssMb: maxRss! / 1024 }, spillPeakMb: spillPeak };
}

const g = await theLog();
const target = join(dir, process.argv.includes('--cli') ? `out-${process.pid}` : 'out');
rmSync(target, { recursive: true, force: true });
out(`build --memory-limit ${memoryLimit} --threads ${threads}; load at start ${load()}`);
out(`${'step'.padEnd(14)} ${'wall s'.padStart(8)} ${'run.json s'.padStart(10)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(11)} ${'spill MB'.padStart(9)}`);
const b = await runBuild(g.serpsFile, g.corpusFile, target);
const timings = JSON.parse(readFileSync(join(target, 'run.json'), 'utf8')) as { timings: Record<string, number> };
const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8')) as { counts: Record<string, unknown> };
out(`${'step'.padEnd(14)} ${'wall s'.padStart(8)} ${'run.json s'.padStart(10)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(11)} ${'spill MB'.padStart(9)}`);
for (const [name, f] of b.steps) out(stepLine(name, f, timings.timings[name]));
const cpuTotal = b.total.user + b.total.sys;
out(`total: wall ${b.total.wall.toFixed(1)} s, CPU ${cpuTotal.toFixed(1)} s (user ${b.total.user.toFixed(1)} + sys ${b.total.sys.toFixed(1)}), peak RSS ${Math.round(b.total.maxRssMb)} MB, peak spill ${Math.round(b.spillPeakMb)} MB; load at end ${load()}`);
out(`counts: ${JSON.stringify(manifest.counts)}`);
const eventCpu = ['ingest', 'sessions', 'evidence'].reduce((a, s) => a + (b.steps.get(s)?.cpu ?? 0), 0);
if (!process.argv.includes('--no-peer')) {
  const t0 = load();
  const peer = await runPeer(g.serpsFile, 'read_parquet', threads, { memoryLimit, tempDirectory: join(dir, 'peer-spill') });
  rmSync(join(dir, 'peer-spill'), { recursive: true, force: true });
  out(`peer bare DuckDB (sessionize + group-by, same file, same limit): wall ${peer.wall.toFixed(1)} s, CPU ${peer.cpu.toFixed(1)} s, sessions ${peer.sessions}, pairs ${peer.pairs} (load ${t0} -> ${load()})`);
  out(`event stage (ingest + sessions + evidence with grading) CPU ${eventCpu.toFixed(1)} s / peer ${peer.cpu.toFixed(1)} s = ${(eventCpu / peer.cpu).toFixed(2)}x`);
}
out(`targets: wall < 1200 s (${(b.total.wall / 1200).toFixed(2)}x of it), peak RSS < 6144 MB (${(b.total.maxRssMb / 6144).toFixed(2)}x of it)`);
if (!process.argv.includes('--keep')) rmSync(target, { recursive: true, force: true });
