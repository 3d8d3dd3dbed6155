/**
 * Position-bias accuracy on the default simulated world (help-desk, 400 intents, 20,000 sessions)
 * for seeds 42 and 7: worst per-rank error of the relative curve against truth/examination.json,
 * for pbmFit 'two-step' (default), 'pyclick', and intervention harvesting, plus bootstrap CI and
 * timings. `npx tsx bench/bias-simulated.ts [sessions] [ciSamples]`
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/db/duckdb.js';
import { parseConfig } from '../src/config.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { biasOptions, clickCountsFromDb, estimatePropensities, type BiasOptionsInput } from '../src/stages/bias/index.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../src/tools/simulate/index.js';

const sessions = Number(process.argv[2] ?? 20000);
const ciSamples = Number(process.argv[3] ?? 200);
const fmt = (a: readonly number[]) => a.map((v) => v.toFixed(3)).join(' ');

for (const seed of [42, 7]) {
  const dir = await mkdtemp(join(tmpdir(), 'cf-bench-bias-'));
  try {
    const sim = parseSimulateOptions({ seed, sessions });
    await simulateLog(buildHelpdeskWorld(sim), sim, dir);
    const truth = (JSON.parse(await readFile(join(dir, 'truth', 'examination.json'), 'utf8')) as { curve: number[] }).curve;
    const { conn, close } = await openDb({ threads: 1 });
    const cfg = parseConfig({ input: { serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl') } });
    const { relations: log } = await ingest(conn, cfg.input);
    const { counts } = await clickCountsFromDb(conn, log, { maxRank: 10, holdoutShare: 0.1, seed });
    close();
    console.log(`seed ${seed}: ${counts.train.pages} train pages, ${counts.pairQuery.length} pairs, ${counts.train.length} cells`);
    console.log(`  ${'truth'.padEnd(34)} ${fmt(truth)}`);
    const variants: [string, BiasOptionsInput][] = [
      ['two-step (default)', {}],
      ['pyclick', { pbmFit: 'pyclick' }],
      ['pyclick 300 it', { pbmFit: 'pyclick', iterations: 300 }],
      ['intervention', { estimator: 'intervention' }],
    ];
    for (const [name, opts] of variants) {
      const res = estimatePropensities(counts, biasOptions.parse({ ...opts, ciSamples, seed }));
      const worst = Math.max(...res.relative.map((v, r) => Math.abs(v - (truth[r] as number))));
      const ci = res.ci ? ` CI r2 [${res.ci.lower[1]!.toFixed(3)}, ${res.ci.upper[1]!.toFixed(3)}] covers truth at ${res.ci.lower.filter((l, r) => l <= truth[r]! && truth[r]! <= res.ci!.upper[r]!).length}/10 ranks` : '';
      console.log(`  ${name.padEnd(22)} worst ${worst.toFixed(3)} ${fmt(res.relative)}`);
      console.log(`  ${''.padEnd(22)} fit ${res.seconds.fit.toFixed(2)} s, ci ${res.seconds.ci.toFixed(2)} s${ci}; perplexity ${res.heldOut?.perplexity.toFixed(4)}; curve it ${res.curveFit?.iterations ?? '-'}; cross-check diff ${res.crossCheck?.maxAbsDiff.toFixed(3) ?? '-'}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
