/**
 * Cost and accuracy of the position-bias bootstrap (pbm-em two-step).
 *   npx tsx bench/bias-bootstrap.ts profile <source> [ciSamples=200]
 *     cost per EM iteration of the curve fit (whole pair space vs informative pairs), replicate
 *     iterations and bootstrap seconds
 *   npx tsx bench/bias-bootstrap.ts compare <source> [ciSamples=200]
 *     ciIterations caps against the uncapped run: seconds, capped replicates, bound differences
 *   npx tsx bench/bias-bootstrap.ts build [sessions=20000] [seed=42] [runs=1]
 *     `build` on the demo world (the simulated help desk of `clickforge demo`, built with the demo's
 *     options): per step wall and process CPU seconds, and the bias step's share of both. Copy this
 *     file into a checkout of an older commit to measure it the same way.
 *   npx tsx bench/bias-bootstrap.ts starts <source> [ciSamples=200]
 *     ciStart 'newton' against 'fit' (same replicates): CPU seconds, EM iterations, bound differences
 * <source>: a SERP-record log (.jsonl / .parquet, e.g. /tmp/cf-bench-log-2000000/serps.parquet from
 * bench/gen-log.ts) or `sim:<seed>[:<sessions>]` (the default simulated world). The aggregated
 * ClickCounts are cached next to /tmp/cf-bias-counts-*.v8 so reruns skip ingest.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { openDb } from '../src/db/duckdb.js';
import { parseConfig } from '../src/config.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { biasOptions, clickCountsFromDb, estimatePropensities, fitPbm, type ClickCounts } from '../src/stages/bias/index.js';
import { informativeCells } from '../src/stages/bias/pbm.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../src/tools/simulate/index.js';
import { build } from '../src/pipeline.js';

export async function loadCounts(source: string, seed = 42): Promise<{ counts: ClickCounts; truth: number[] | null }> {
  const cache = join(tmpdir(), `cf-bias-counts-${source.replace(/[^a-z0-9]+/gi, '_')}-${seed}.v8`);
  if (existsSync(cache)) return deserialize(await readFile(cache)) as { counts: ClickCounts; truth: number[] | null };
  let dir: string | null = null;
  let serps = source;
  let corpus: string | undefined;
  let truth: number[] | null = null;
  if (source.startsWith('sim:')) {
    const [, s, n] = source.split(':');
    dir = await mkdtemp(join(tmpdir(), 'cf-bench-bias-'));
    const sim = parseSimulateOptions({ seed: Number(s), sessions: Number(n ?? 20000) });
    await simulateLog(buildHelpdeskWorld(sim), sim, dir);
    truth = (JSON.parse(await readFile(join(dir, 'truth', 'examination.json'), 'utf8')) as { curve: number[] }).curve;
    serps = join(dir, 'serps.jsonl');
    corpus = join(dir, 'corpus.jsonl');
  }
  try {
    const { conn, close } = await openDb({ threads: 1 });
    const cfg = parseConfig({ input: { serps: [serps], ...(corpus ? { corpus } : {}) } });
    const { relations: log } = await ingest(conn, cfg.input);
    const { counts } = await clickCountsFromDb(conn, log, { maxRank: 10, holdoutShare: 0.1, seed });
    close();
    await writeFile(cache, serialize({ counts, truth }));
    return { counts, truth };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** The demo world's log (simulated once per sessions/seed, kept in the temp folder). */
async function demoWorld(sessions: number, seed: number): Promise<string> {
  const dir = join(tmpdir(), `cf-bench-demo-${sessions}-${seed}`);
  if (!existsSync(join(dir, 'serps.jsonl'))) {
    const sim = parseSimulateOptions({ seed, sessions });
    await simulateLog(buildHelpdeskWorld(sim), sim, dir);
  }
  return dir;
}

/** One `build` of the demo world with the demo's options: wall and process CPU seconds per step. */
async function timedDemoBuild(data: string, seed: number): Promise<{ steps: Map<string, { wall: number; cpu: number }>; timings: Readonly<Record<string, number>> }> {
  const out = await mkdtemp(join(tmpdir(), 'cf-bench-demo-build-'));
  const steps = new Map<string, { wall: number; cpu: number }>();
  let c0 = 0;
  try {
    const result = await build({
      input: { serps: [join(data, 'serps.jsonl')], corpus: join(data, 'corpus.jsonl') },
      output: join(out, 'build'),
      seed,
      splits: { mode: 'hashed', fractions: { train: 1, dev: 0, test: 0 }, minPerStratum: 0 },
    }, {
      onProgress: (e) => {
        if (e.phase === 'start') c0 = cpu();
        else steps.set(e.step, { wall: e.seconds ?? 0, cpu: cpu() - c0 });
      },
    });
    return { steps, timings: result.timings };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function benchDemoBuild(sessions: number, seed: number, runs: number): Promise<void> {
  const data = await demoWorld(sessions, seed);
  for (let i = 0; i < runs; i++) {
    const { steps, timings } = await timedDemoBuild(data, seed);
    const sum = (k: 'wall' | 'cpu') => [...steps.values()].reduce((s, v) => s + v[k], 0);
    const bias = steps.get('bias') ?? { wall: 0, cpu: 0 };
    const per = [...steps].map(([k, v]) => `${k} ${v.wall.toFixed(2)}/${v.cpu.toFixed(2)}`).join(', ');
    console.log(`demo world ${sessions} sessions seed ${seed}, run ${i + 1}: bias step ${bias.wall.toFixed(2)} s wall of ${sum('wall').toFixed(2)} s step time (${((100 * bias.wall) / sum('wall')).toFixed(1)}%), ${bias.cpu.toFixed(2)} s CPU of ${sum('cpu').toFixed(2)} s (${((100 * bias.cpu) / sum('cpu')).toFixed(1)}%)`);
    console.log(`  per step wall/CPU s: ${per}`);
    console.log(`  inside the bias step, wall s: counts ${(timings['stage:bias/counts'] ?? 0).toFixed(2)}, curve + bootstrap + attractiveness ${(timings['stage:bias'] ?? 0).toFixed(2)}`);
  }
}

const main = import.meta.url === `file://${process.argv[1]}`;
const [mode = 'profile', ...rest] = process.argv.slice(2);
if (main && mode === 'build') {
  const [sessions = '20000', seed = '42', runs = '1'] = rest;
  await benchDemoBuild(Number(sessions), Number(seed), Number(runs));
} else if (main) {
  const [source = '/tmp/cf-bench-log-2000000/serps.parquet', arg] = rest;
  const seed = source.startsWith('sim:') ? Number(source.split(':')[1]) : 42;
  const { counts, truth } = await loadCounts(source, seed);
  const R = 10;
  const nPairs = counts.pairQuery.length;
  console.log(`${source}: ${counts.train.pages} train pages, ${nPairs} pairs, ${counts.train.length} cells`);
  if (mode === 'profile') {
    // One replicate's curve fit, in the whole pair space (before) and in the informative pairs' own (after).
    const o = biasOptions.parse({ seed });
    const sel = informativeCells(counts.train, nPairs, R, { minImpressions: o.curveMinImpressions, minRanks: o.curveMinRanks });
    const local = new Map<number, number>();
    const pair = sel.cells.pair.map((g) => { let l = local.get(g); if (l === undefined) { l = local.size; local.set(g, l); } return l; });
    const compact = { ...sel.cells, pair };
    const fitOpts = { iterations: 1000, init: o.init, priorWeight: 0, tolerance: 0, curveTolerance: o.curveTolerance };
    for (const [name, cells, n] of [['whole pair space', sel.cells, nPairs], ['informative pairs only', compact, local.size]] as const) {
      const t = performance.now();
      const m = fitPbm(cells, n, R, fitOpts);
      const ms = performance.now() - t;
      console.log(`full curve fit, ${name} (${n} pairs, ${cells.length} cells): ${m.iterations} iterations, ${(ms / 1000).toFixed(3)} s, ${(ms / m.iterations).toFixed(3)} ms/iteration`);
    }
    const n = Number(arg ?? 200);
    const res = estimatePropensities(counts, biasOptions.parse({ seed, ciSamples: n }));
    const its = res.ci?.fits;
    console.log(`bootstrap, ${n} replicates: ${res.seconds.ci.toFixed(2)} s (${((res.seconds.ci / n) * 1000).toFixed(1)} ms each); curve fit ${res.seconds.fit.toFixed(2)} s`);
    if (its) console.log(`replicate iterations: total ${its.iterations}, mean ${(its.iterations / n).toFixed(1)}, max ${its.maxIterations}, capped ${its.capped} at ${its.cap}`);
  } else if (mode === 'compare') {
    // Replicate iteration caps against the uncapped bootstrap (same replicates: same seed, same draws).
    const n = Number(arg ?? 200);
    const caps = [1000, 300, 150, 100, 50, 20, 10];
    let ref: { lower: readonly number[]; upper: readonly number[] } | null = null;
    let refSeconds = 0;
    for (const cap of caps) {
      const c0 = cpu();
      const res = estimatePropensities(counts, biasOptions.parse({ seed, ciSamples: n, ciIterations: cap }));
      const c = cpu() - c0;
      const ci = res.ci!;
      ref = ref ?? { lower: ci.lower, upper: ci.upper };
      refSeconds = refSeconds || res.seconds.ci;
      let d = 0;
      let narrower = 0;
      for (let r = 0; r < R; r++) {
        d = Math.max(d, Math.abs((ci.lower[r] as number) - (ref.lower[r] as number)), Math.abs((ci.upper[r] as number) - (ref.upper[r] as number)));
        narrower += ((ci.upper[r] as number) - (ci.lower[r] as number)) < ((ref.upper[r] as number) - (ref.lower[r] as number)) - 1e-12 ? 1 : 0;
      }
      const cover = truth ? ` covers truth at ${ci.lower.filter((l, r) => l <= (truth[r] as number) && (truth[r] as number) <= (ci.upper[r] as number)).length}/${R}` : '';
      console.log(`ciIterations ${String(cap).padStart(4)}: ci ${res.seconds.ci.toFixed(2)} s (x${(refSeconds / res.seconds.ci).toFixed(1)}), process cpu ${c.toFixed(2)} s; iterations ${ci.fits?.iterations} (max ${ci.fits?.maxIterations}), capped ${ci.fits?.capped}/${n}; bounds max |diff| ${d.toFixed(4)}, narrower at ${narrower} ranks${cover}`);
    }
  } else if (mode === 'starts') {
    // ciStart 'newton' against 'fit': the same replicates (same seed, same draws), each EM fit to ciCurveTolerance.
    const n = Number(arg ?? 200);
    const runs = (['fit', 'newton'] as const).map((ciStart) => {
      const c0 = cpu();
      const res = estimatePropensities(counts, biasOptions.parse({ seed, ciSamples: n, ciStart }));
      return { ciStart, res, cpu: cpu() - c0 };
    });
    const ref = runs[0]!.res.ci!;
    for (const { ciStart, res, cpu: c } of runs) {
      const ci = res.ci!;
      let d = 0;
      for (let r = 0; r < R; r++) d = Math.max(d, Math.abs((ci.lower[r] as number) - (ref.lower[r] as number)), Math.abs((ci.upper[r] as number) - (ref.upper[r] as number)));
      const cover = truth ? ` covers truth at ${ci.lower.filter((l, r) => l <= (truth[r] as number) && (truth[r] as number) <= (ci.upper[r] as number)).length}/${R}` : '';
      console.log(`ciStart ${ciStart.padEnd(6)}: estimate ${c.toFixed(2)} s CPU (bootstrap ${res.seconds.ci.toFixed(2)} s wall); replicate EM iterations ${ci.fits?.iterations} (max ${ci.fits?.maxIterations}, from the full fit ${ci.fits?.fromFit}); bounds max |diff| to 'fit' ${d.toFixed(4)}${cover}`);
    }
  }
}
