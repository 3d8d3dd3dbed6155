/**
 * Cost and accuracy of the position-bias bootstrap (pbm-em two-step).
 *   npx tsx bench/bias-bootstrap.ts profile <source> [ciSamples=200]
 *     cost per EM iteration of the curve fit (whole pair space vs informative pairs), replicate
 *     iterations and bootstrap seconds
 *   npx tsx bench/bias-bootstrap.ts compare <source> [ciSamples=200]
 *     ciIterations caps against the uncapped run: seconds, capped replicates, bound differences
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode = 'profile', source = '/tmp/cf-bench-log-2000000/serps.parquet', arg] = process.argv.slice(2);
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
  }
}
