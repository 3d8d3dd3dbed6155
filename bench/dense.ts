/**
 * Dense top-100 benchmark: exact TypeScript kernel (baseline) vs exact onnxruntime Gemm+TopK vs
 * usearch HNSW (approximate), in the same process, on seeded unit vectors.
 *   npx tsx bench/dense.ts [--n 200000] [--dim 384] [--queries 10000] [--ts-queries 50]
 *                          [--ann-queries 2000] [--data random|clustered] [--M 16] [--ef 128,256,512]
 * --data random: isotropic Gaussian directions (the setting; the worst case for graph
 * indexes: every point is nearly equidistant). --data clustered: 1,000 random centres plus noise
 * (0.6 x a random direction, renormalised), closer to real embedding collections.
 * Prints one JSON line per stage (so a partial run is still readable), then a summary.
 * Figures are wall clock on a shared 2-core machine: compare ratios within one run.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annRecall } from '../src/retrieval/ann.js';
import { createOnnxDenseTopK, denseTopK } from '../src/retrieval/dense.js';
import { createRng } from '../src/util/rng.js';

const argStr = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const arg = (name: string, def: number): number => Number(argStr(name, String(def)));
const n = arg('n', 200_000), dim = arg('dim', 384), nq = arg('queries', 10_000);
const nTs = Math.min(nq, arg('ts-queries', 50)), nAnn = Math.min(nq, arg('ann-queries', 2000));
const data = argStr('data', 'random');
const M = arg('M', 16);
const efs = argStr('ef', '128,256,512').split(',').map(Number);
const k = 100;
const log = (o: object): void => console.log(JSON.stringify(o));

const rng = createRng(5);
const normalise = (a: Float32Array, rows: number): void => {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[i * dim + j]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) a[i * dim + j]! *= inv;
  }
};
const gaussian = (rows: number): Float32Array => {
  const a = new Float32Array(rows * dim);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  normalise(a, rows);
  return a;
};
const centres = gaussian(1000);
const make = (rows: number): Float32Array => {
  const a = gaussian(rows);
  if (data === 'clustered') {
    for (let i = 0; i < rows; i++) {
      const c = rng.int(1000) * dim;
      for (let j = 0; j < dim; j++) a[i * dim + j] = centres[c + j]! + 0.6 * a[i * dim + j]!;
    }
    normalise(a, rows);
  }
  return a;
};
const C = make(n), Q = make(nq);
const flops = (queries: number): number => 2 * queries * n * dim;
log({ stage: 'data', n, dim, queries: nq, data });

// 1. TypeScript exact (sample of queries).
const Qts = Q.subarray(0, nTs * dim);
let t = performance.now();
const ts = denseTopK(Qts, C, dim, k);
const tTs = (performance.now() - t) / 1000;
const tsQps = nTs / tTs;
log({ stage: 'ts-exact', queries: nTs, seconds: +tTs.toFixed(2), queriesPerSecond: +tsQps.toFixed(1), gflops: +(flops(nTs) / tTs / 1e9).toFixed(2) });

// 2. ONNX exact (all queries).
const onnx = await createOnnxDenseTopK(C, dim, k);
await onnx.search(Q.subarray(0, 64 * dim)); // warm-up
t = performance.now();
const exact = await onnx.search(Q);
const tOnnx = (performance.now() - t) / 1000;
const onnxQps = nq / tOnnx;
await onnx.close();
const sample = (r: { ids: Int32Array; scores: Float32Array; k: number }, m: number) => ({ ids: r.ids.subarray(0, m * k), scores: r.scores.subarray(0, m * k), k });
log({
  stage: 'onnx-exact', queries: nq, seconds: +tOnnx.toFixed(2), queriesPerSecond: +onnxQps.toFixed(0), gflops: +(flops(nq) / tOnnx / 1e9).toFixed(2),
  speedupVsTs: +(onnxQps / tsQps).toFixed(1), agreementWithTs: +annRecall(sample(exact, nTs), ts).toFixed(4),
});

// 3. usearch HNSW: build once, then search the same graph at several expansion values
// (expansion_search is fixed per Index object: save the graph, reload it with another value).
const { Index, MetricKind, ScalarKind } = await import('usearch');
const config = (ef: number) => ({ dimensions: dim, metric: MetricKind.IP, quantization: ScalarKind.F32, connectivity: M, expansion_add: 128, expansion_search: ef, multi: false });
t = performance.now();
const built = new Index(config(efs[0]!));
const keys = new BigUint64Array(n);
for (let i = 0; i < n; i++) keys[i] = BigInt(i);
built.add(keys, C, 0);
const tBuild = (performance.now() - t) / 1000;
const file = join(tmpdir(), `clickforge-bench-dense-${process.pid}.usearch`);
built.save(file);
log({ stage: 'ann-build', connectivity: M, expansionAdd: 128, seconds: +tBuild.toFixed(1), vectorsPerSecond: +(n / tBuild).toFixed(0), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0) });
const Qann = Q.slice(0, nAnn * dim);
const results: object[] = [];
for (const ef of efs) {
  const idx = new Index(config(ef));
  idx.load(file);
  t = performance.now();
  const m = idx.search(Qann, k, 0) as unknown as { keys: BigUint64Array; distances: Float32Array };
  const dt = (performance.now() - t) / 1000;
  const ids = new Int32Array(nAnn * k);
  for (let i = 0; i < ids.length; i++) ids[i] = Number(m.keys[i]!);
  const qps = nAnn / dt;
  const r = { stage: 'ann-search', expansionSearch: ef, queries: nAnn, queriesPerSecond: +qps.toFixed(0), recallAt100: +annRecall({ ids, scores: new Float32Array(ids.length), k }, sample(exact, nAnn)).toFixed(4), speedVsOnnxExact: +(qps / onnxQps).toFixed(2) };
  log(r);
  results.push(r);
}
rmSync(file, { force: true });
log({ stage: 'summary', peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(0) });
