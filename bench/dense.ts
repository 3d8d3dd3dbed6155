/**
 * Dense top-100 benchmark: exact TypeScript kernel (baseline) vs exact onnxruntime Gemm+TopK vs
 * usearch HNSW (approximate), in the same process, on seeded unit vectors.
 *   npx tsx bench/dense.ts [--n 200000] [--dim 384] [--queries 10000] [--ts-queries 50]
 *                          [--ann-queries 2000] [--data random|clustered] [--M 16] [--ef 128,256,512]
 *                          [--quant i8|f16|f32] [--oversample 2] [--oversamples 1,1.5,2]
 * --oversamples: also search the same graph with each of these oversample values (grid ef x oversample;
 * usearch walks max(ef, ceil(k x oversample)) candidates, so ef below that changes little).
 * --interleave R: after the grid, R rounds of [exact ONNX on the ANN queries, then every ANN setting],
 * so each ratio compares runs a few seconds apart (the machine is shared; load moves exact figures 3x).
 * --ts-queries 0 skips the TypeScript baseline.
 * --data random: isotropic Gaussian directions (the setting; the worst case for graph
 * indexes: every point is nearly equidistant). --data clustered: 1,000 random centres plus noise
 * (0.6 x a random direction, renormalised), closer to real embedding collections.
 * Prints one JSON line per stage (so a partial run is still readable), then a summary.
 * Figures are wall clock on a shared 2-core machine: compare ratios within one run.
 */
import { annRecall, buildAnn } from '../src/retrieval/ann.js';
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
const quantization = argStr('quant', 'i8') as 'f32' | 'f16' | 'i8';
const oversample = arg('oversample', 2);
const efs = argStr('ef', '128,256,512').split(',').map(Number);
const rounds = arg('interleave', 0);
const oversamples = argStr('oversamples', String(oversample)).split(',').map(Number);
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
if (nTs > 0) log({ stage: 'ts-exact', queries: nTs, seconds: +tTs.toFixed(2), queriesPerSecond: +tsQps.toFixed(1), gflops: +(flops(nTs) / tTs / 1e9).toFixed(2) });

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
  ...(nTs > 0 ? { speedupVsTs: +(onnxQps / tsQps).toFixed(1), agreementWithTs: +annRecall(sample(exact, nTs), ts).toFixed(4) } : {}),
});

// 3. usearch HNSW through buildAnn: build once, then the same graph at several expansion values.
t = performance.now();
const ann = await buildAnn(C, dim, { connectivity: M, quantization, oversample, expansionSearch: efs[0]! });
const tBuild = (performance.now() - t) / 1000;
log({ stage: 'ann-build', connectivity: M, expansionAdd: 128, quantization, oversample, seconds: +tBuild.toFixed(1), vectorsPerSecond: +(n / tBuild).toFixed(0), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0) });
const Qann = Q.subarray(0, nAnn * dim);
const grid: { ef: number; os: number; idx: typeof ann }[] = [];
for (const ef of efs) {
  const graph = ann.withExpansionSearch(ef);
  for (const os of oversamples) grid.push({ ef, os, idx: graph.withExpansionSearch(ef, os) });
  for (const os of oversamples) {
    const idx = graph.withExpansionSearch(ef, os);
    t = performance.now();
    const r = idx.search(Qann, k);
    const dt = (performance.now() - t) / 1000;
    const qps = nAnn / dt;
    log({ stage: 'ann-search', expansionSearch: ef, oversample: idx.oversample, queries: nAnn, queriesPerSecond: +qps.toFixed(0), recallAt100: +annRecall(r, sample(exact, nAnn)).toFixed(4), speedVsOnnxExact: +(qps / onnxQps).toFixed(2) });
  }
}
if (rounds > 0) {
  const onnx3 = await createOnnxDenseTopK(C, dim, k);
  const ratios = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    t = performance.now();
    await onnx3.search(Qann);
    const exactQps = nAnn / ((performance.now() - t) / 1000);
    log({ stage: 'interleave-exact', round, queriesPerSecond: +exactQps.toFixed(0) });
    for (const g of grid) {
      t = performance.now();
      g.idx.search(Qann, k);
      const qps = nAnn / ((performance.now() - t) / 1000);
      const key = `${g.ef}/${g.os}`;
      ratios.set(key, [...(ratios.get(key) ?? []), qps / exactQps]);
      log({ stage: 'interleave-ann', round, expansionSearch: g.ef, oversample: g.os, queriesPerSecond: +qps.toFixed(0), speedVsExactThisRound: +(qps / exactQps).toFixed(2) });
    }
  }
  await onnx3.close();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  for (const [key, r] of ratios) log({ stage: 'interleave-summary', setting: key, medianSpeedVsExact: +median(r).toFixed(2), min: +Math.min(...r).toFixed(2), max: +Math.max(...r).toFixed(2) });
}
// Exact ONNX again after the ANN searches: the machine is shared, so bracket the ANN figures.
const onnx2 = await createOnnxDenseTopK(C, dim, k);
t = performance.now();
await onnx2.search(Q.subarray(0, nAnn * dim));
const tOnnx2 = (performance.now() - t) / 1000;
await onnx2.close();
log({ stage: 'onnx-exact-again', queries: nAnn, queriesPerSecond: +(nAnn / tOnnx2).toFixed(0), gflops: +(flops(nAnn) / tOnnx2 / 1e9).toFixed(2) });
log({ stage: 'summary', peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(0) });
