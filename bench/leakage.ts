/**
 * Intent leakage of the family splits over several simulated worlds (issue 7's check, beyond the
 * one world the e2e test builds):
 *   npx tsx bench/leakage.ts [--seeds 42,7,1,2,3,4,5,6] [--sessions 20000] [--modes chronological,hashed]
 *                            [--out DIR] [--set '{"families":{...}}']
 * For each seed: simulate the default help-desk world, `build` it once per split mode, and count
 * the test queries whose true intent (the simulator's family of the query) also occurs among the
 * training queries; next to it, the same queries split at random by row (80/20). Prints one line
 * per world and mode (with the head and tail families per split), then the pooled share with a Wilson 95% interval. --set merges a JSON object
 * into the build config (to compare a variant); simulated worlds are reused from --out.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../src/pipeline.js';
import { mergeConfig, type ConfigInput } from '../src/config.js';
import { buildHelpdeskWorld, measureIntentLeakage, parseSimulateOptions, simulateLog } from '../src/tools/simulate/index.js';
import { arg } from './args.js';

const seeds = arg('seeds', '42,7,1,2,3,4,5,6').split(',').map(Number);
const sessions = Number(arg('sessions', '20000'));
const modes = arg('modes', 'chronological,hashed').split(',') as ('chronological' | 'hashed')[];
const out = arg('out', join(tmpdir(), 'cf-bench-leakage'));
const extra = JSON.parse(arg('set', '{}')) as ConfigInput;

const wilson = (k: number, n: number): [number, number] => {
  if (n === 0) return [0, 0];
  const z = 1.96, p = k / n, d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n), h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [(c - h) / d, (c + h) / d];
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const pooled = new Map<string, { k: number; n: number; rk: number; rn: number; records: number; dev: number }>();
for (const seed of seeds) {
  const world = join(out, `world-${seed}-${sessions}`);
  if (!existsSync(join(world, 'truth', 'queries.jsonl'))) {
    await mkdir(world, { recursive: true });
    const so = parseSimulateOptions({ seed, sessions });
    await simulateLog(buildHelpdeskWorld(so), so, world);
  }
  for (const mode of modes) {
    const dir = join(out, `build-${seed}-${sessions}-${mode}`);
    const t0 = performance.now();
    const config = mergeConfig({ input: { serps: [join(world, 'serps.jsonl')], corpus: join(world, 'corpus.jsonl') }, output: dir, splits: { mode } }, extra) as ConfigInput;
    const r = await build(config);
    const balance = (r.report.sections.splits as { balance: { dimension: string; value: string; families: Record<string, number> }[] }).balance;
    const strata = ['head', 'tail'].map((b) => { const row = balance.find((x) => x.dimension === 'bucket' && x.value === b); return `${b} ${['train', 'dev', 'test'].map((sp) => row?.families[sp] ?? 0).join('/')}`; }).join(', ');
    const s = (performance.now() - t0) / 1000;
    const m = await measureIntentLeakage(join(dir, 'dataset'), join(world, 'truth', 'queries.jsonl'));
    const p = pooled.get(mode) ?? { k: 0, n: 0, rk: 0, rn: 0, records: 0, dev: 0 };
    p.k += m.leaked; p.n += m.testQueries; p.rk += m.randomRowSplit.leaked; p.rn += m.randomRowSplit.testQueries; p.records += m.trainRecords; p.dev += m.devRecords;
    pooled.set(mode, p);
    console.log(`seed ${String(seed).padStart(3)} ${mode.padEnd(13)} leakage ${pct(m.share).padStart(6)} (${m.leaked} of ${m.testQueries} test queries)  random row split ${pct(m.randomRowSplit.share)} of ${m.randomRowSplit.testQueries}  train ${m.trainQueries} queries / ${m.trainRecords} records, dev ${m.devQueries} / ${m.devRecords}; families train/dev/test ${strata}  (build ${s.toFixed(1)} s)`);
  }
}
for (const [mode, p] of pooled) {
  const [lo, hi] = wilson(p.k, p.n);
  console.log(`pooled ${mode}: ${pct(p.k / p.n)} (${p.k} of ${p.n}; Wilson 95% ${pct(lo)}-${pct(hi)}) over ${seeds.length} worlds; random row split ${pct(p.rk / p.rn)} (${p.rk} of ${p.rn}); ${p.records} training records in all (dev ${p.dev})`);
}
