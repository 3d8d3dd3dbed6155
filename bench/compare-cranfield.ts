/**
 * The demo comparison on the real Cranfield collection with simulated users: clickforge's default
 * dataset vs the naive one (every clicked pair a positive + random negatives), both measured
 * against the truth and by training the built-in bi-encoder on each (nDCG@10 on held-out
 * queries, paired bootstrap CI). Skips when ../shared/data/cranfield is absent.
 *
 *   npx tsx bench/compare-cranfield.ts [--seed 42] [--sessions 20000] [--world cranfield|helpdesk]
 *                                      [--build '{"grading":{"rule":"funnel"}}']
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { runDemo } from '../src/tools/demo/demo.js';
import { arg } from './args.js';

const seed = Number(arg('seed', '42'));
const sessions = Number(arg('sessions', '20000'));
const worldName = arg('world', 'cranfield');
const buildOverrides = JSON.parse(arg('build', '{}')) as ConfigInput;
const cranDir = resolve(arg('cranfield', join(import.meta.dirname, '../../shared/data/cranfield')));

if (worldName === 'cranfield' && !existsSync(cranDir)) {
  console.log(`skipped: the Cranfield collection is not at ${cranDir} (pass --cranfield <dir>)`);
  process.exit(0);
}
const t0 = performance.now();
const r = await runDemo({
  outDir: join(tmpdir(), `clickforge-compare-${worldName}-${seed}-${process.pid}`),
  sessions,
  seed,
  evaluate: true,
  world: worldName === 'cranfield' ? { kind: 'cranfield', collection: cranDir } : { kind: 'helpdesk' },
  build: buildOverrides,
});
const f = (x: number) => x.toFixed(3);
const q = r.quality;
console.log(`world ${worldName} seed ${seed}, ${sessions} sessions, build overrides ${JSON.stringify(buildOverrides)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`bias: ${JSON.stringify((r.build.report.sections.bias as { estimator: string; curve: number[] }).curve)}`);
console.log('                      naive      clickforge');
console.log(`records               ${String(r.records.naive).padStart(6)}     ${String(r.records.clean).padStart(6)}`);
console.log(`positive precision    ${f(q.naive.positivePrecision)}      ${f(q.clean.positivePrecision)}`);
console.log(`positive recall       ${f(q.naive.positiveRecall)}      ${f(q.clean.positiveRecall)}`);
console.log(`false-negative negs   ${f(q.naive.negativeFalseNegativeRate)}      ${f(q.clean.negativeFalseNegativeRate)}`);
const c = r.compare!;
for (const m of ['ndcg@10', 'mrr@10', 'recall@10', 'recall@100']) {
  const d = c.diff[m]!;
  console.log(`${m.padEnd(20)}  ${f(c.a.systems.trained.mean[m] ?? NaN)}      ${f(c.b.systems.trained.mean[m] ?? NaN)}   diff ${d.mean >= 0 ? '+' : ''}${f(d.mean)} [${f(d.lo)}, ${f(d.hi)}]${d.lo > 0 ? '  (CI excludes zero: clickforge wins)' : d.hi < 0 ? '  (CI excludes zero: naive wins)' : ''}`);
}
console.log(`(BM25 ndcg@10 ${f(c.a.systems.bm25.mean['ndcg@10'] ?? NaN)}, untrained ${f(c.a.systems.untrained.mean['ndcg@10'] ?? NaN)}, ${c.a.qids.length} held-out queries)`);
