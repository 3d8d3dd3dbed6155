/**
 * Dense top-100 benchmark: exact TypeScript kernel (baseline) vs exact onnxruntime Gemm+TopK vs
 * approximate search (IVF from src/retrieval/ivf.ts, usearch HNSW from src/retrieval/ann.ts), all in
 * one process on seeded unit vectors.
 *   npx tsx bench/dense.ts [--n 200000] [--dim 384] [--queries 10000] [--ts-queries 50]
 *     [--ann-queries 2000] [--data random|clustered|embedding] [--method ivf|hnsw|both]
 *     [--lists 0,1500] [--nprobe 8,16,24,32] [--iterations 10] [--batch 4096]      (IVF; lists 0 = default)
 *     [--M 16] [--ef 128,256,512] [--quant i8|f16|f32] [--oversample 2] [--oversamples 1,1.5,2] (HNSW)
 *     [--interleave R]
 *
 * Data (--data):
 * - random: isotropic Gaussian directions. The worst case for every ANN index (all points are nearly
 *   equidistant, the intrinsic dimension is the full 384) and unlike any embedding model's output; kept
 *   as the stated worst case.
 * - clustered: 1,000 random centres + isotropic noise (0.6 x a random direction), renormalised.
 * - embedding (the realistic case): shaped like sentence embeddings. Trained encoders put a collection
 *   in a low-dimensional, anisotropic region: a fast-decaying eigen-spectrum, a shared mean direction
 *   (positive mean cosine between unrelated texts), topical clusters of very unequal size, and queries
 *   that sit near the documents they are about. The generator draws x = 0.45 mu + centre(topic) +
 *   0.8 spread + noise: centre and spread in a rank-64 random subspace with variance ~ i^-1, 2,000
 *   topics with Zipf(1) sizes, an isotropic floor carrying 15% of the variance; each query is a seeded
 *   random document plus a rank-64 shift (scale 1.0) and its own noise. Shape knobs: --rank --alpha
 *   --topics --spread --noise --query-shift --mu. The bench prints what came out (mean cosine of random
 *   pairs, participation ratio of the spectrum, mean top-1 / top-100 query cosine) next to each run.
 *
 * --interleave R: after the grid, R rounds of [exact ONNX on the approximate queries, then every
 * approximate setting], so each ratio compares runs seconds apart (the machine is shared; load moves
 * the exact figure 3x between minutes). The summary gives the median ratio per setting.
 * --ts-queries 0 skips the TypeScript baseline. GFLOP/s = 2 x queries x n x dim / seconds.
 * Prints one JSON line per stage (a partial run is still readable). Figures are wall clock on a shared
 * 2-core machine: compare ratios within one run. Measured figures: docs/retrieval.md.
 */
import { annRecall, buildAnn } from '../src/retrieval/ann.js';
import { createOnnxDenseTopK, denseTopK, type DenseTopKResult } from '../src/retrieval/dense.js';
import { buildIvf, type IvfIndex } from '../src/retrieval/ivf.js';
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
const method = argStr('method', 'ivf');
const listsGrid = argStr('lists', '0').split(',').map(Number);
const probes = argStr('nprobe', '8,16,24,32').split(',').map(Number);
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

/**
 * --data embedding: vectors shaped like sentence embeddings. x = mu + topic centre + within-topic
 * spread + noise, then unit length, where
 * - centre and spread live in a rank-`rank` subspace (random orthonormal basis, not axis-aligned) with
 *   a power-law spectrum (variance of component i ~ i^-alpha): low intrinsic dimension;
 * - topics have Zipf(1) sizes (a few big subjects, a long tail);
 * - mu is a shared direction (anisotropy: real embeddings of one collection have positive mean cosine);
 * - noise: an isotropic floor over all dims (`noise` share of the variance).
 * Queries are not drawn from the same distribution independently: each one is a perturbed copy of a
 * seeded random document (a paraphrase-like query: latent shift + its own noise), as real queries sit
 * next to the documents they are about. The bench prints the resulting statistics (mean cosine of
 * random pairs, query-to-source cosine, participation ratio) so they can be compared with real models.
 */
function embeddingData(nc: number, nqq: number): { C: Float32Array; Q: Float32Array } {
  const rank = arg('rank', 64), alpha = arg('alpha', 1), topics = arg('topics', 2000);
  const spread = arg('spread', 0.8), noise = arg('noise', 0.15), qShift = arg('query-shift', 1.0), muW = arg('mu', 0.45);
  // Orthonormal basis (Gram-Schmidt over Gaussians).
  const basis = new Float32Array(rank * dim);
  for (let r = 0; r < rank; r++) {
    const v = new Float64Array(dim);
    for (let j = 0; j < dim; j++) v[j] = rng.normal();
    for (let p = 0; p < r; p++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += v[j]! * basis[p * dim + j]!;
      for (let j = 0; j < dim; j++) v[j]! -= d * basis[p * dim + j]!;
    }
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[j]! ** 2;
    for (let j = 0; j < dim; j++) basis[r * dim + j] = v[j]! / Math.sqrt(s);
  }
  let tot = 0;
  const sd = new Float64Array(rank);
  for (let r = 0; r < rank; r++) tot += (r + 1) ** -alpha;
  for (let r = 0; r < rank; r++) sd[r] = Math.sqrt((r + 1) ** -alpha / tot); // sum of variances = 1
  const mu = gaussian(1);
  const noiseSd = Math.sqrt(noise / dim);
  const z = new Float64Array(rank);
  // latent(out, o, scale): out[o..o+dim) += scale * basis^T z, z ~ N(0, diag(sd^2)).
  const latent = (out: Float32Array, o: number, scale: number): void => {
    for (let r = 0; r < rank; r++) z[r] = rng.normal() * sd[r]! * scale;
    for (let r = 0; r < rank; r++) {
      const zr = z[r]!, bo = r * dim;
      for (let j = 0; j < dim; j++) out[o + j]! += zr * basis[bo + j]!;
    }
  };
  const centres = new Float32Array(topics * dim);
  for (let t = 0; t < topics; t++) latent(centres, t * dim, 1);
  const cdf = new Float64Array(topics);
  let acc = 0;
  for (let t = 0; t < topics; t++) cdf[t] = acc += 1 / (t + 1);
  const pickTopic = (): number => {
    const u = rng.next() * acc;
    let lo = 0, hi = topics - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid]! < u) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const raw = new Float32Array(nc * dim); // before normalisation, so queries can start from a document
  for (let i = 0; i < nc; i++) {
    const o = i * dim, t = pickTopic() * dim;
    for (let j = 0; j < dim; j++) raw[o + j] = muW * mu[j]! + centres[t + j]! + noiseSd * rng.normal();
    latent(raw, o, spread);
  }
  const Qe = new Float32Array(nqq * dim);
  for (let i = 0; i < nqq; i++) {
    const d = rng.int(nc) * dim, o = i * dim;
    for (let j = 0; j < dim; j++) Qe[o + j] = raw[d + j]! + noiseSd * rng.normal();
    latent(Qe, o, qShift);
  }
  normalise(raw, nc);
  normalise(Qe, nqq);
  return { C: raw, Q: Qe };
}

function randomOrClustered(rows: number, centres: Float32Array): Float32Array {
  const a = gaussian(rows);
  if (data === 'clustered') {
    for (let i = 0; i < rows; i++) {
      const c = rng.int(1000) * dim;
      for (let j = 0; j < dim; j++) a[i * dim + j] = centres[c + j]! + 0.6 * a[i * dim + j]!;
    }
    normalise(a, rows);
  }
  return a;
}
if (!['random', 'clustered', 'embedding'].includes(data)) throw new Error(`--data must be random, clustered or embedding (got ${data})`);
let tGen = performance.now();
const { C, Q } = data === 'embedding' ? embeddingData(n, nq) : (() => { const centres = gaussian(1000); return { C: randomOrClustered(n, centres), Q: randomOrClustered(nq, centres) }; })();
tGen = (performance.now() - tGen) / 1000;

/** Shape statistics on a seeded sample: what the generator produced, to compare with real models. */
function shapeStats(): object {
  const sr = createRng(77), m = 2000;
  const dot = (a: Float32Array, ao: number, b: Float32Array, bo: number): number => { let s = 0; for (let j = 0; j < dim; j++) s += a[ao + j]! * b[bo + j]!; return s; };
  const mean = new Float64Array(dim);
  const idx = Array.from({ length: m }, () => sr.int(n));
  for (const i of idx) for (let j = 0; j < dim; j++) mean[j]! += C[i * dim + j]! / m;
  let pair = 0, tr = 0, tr2 = 0;
  const xc = new Float32Array(dim), yc = new Float32Array(dim);
  for (let t = 0; t < m; t++) {
    const a = idx[t]!, b = idx[(t + 1) % m]!;
    pair += dot(C, a * dim, C, b * dim) / m;
    for (let j = 0; j < dim; j++) { xc[j] = C[a * dim + j]! - mean[j]!; yc[j] = C[b * dim + j]! - mean[j]!; }
    tr += dot(xc, 0, xc, 0) / m;
    tr2 += dot(xc, 0, yc, 0) ** 2 / m;
  }
  // Participation ratio (sum lambda)^2 / sum lambda^2 = tr(S)^2 / tr(S^2), with E[(x.y)^2] = tr(S^2) for independent centred x, y.
  return { meanPairCosine: +pair.toFixed(3), participationRatio: +(tr * tr / tr2).toFixed(1) };
}
const flops = (queries: number): number => 2 * queries * n * dim;
log({ stage: 'data', n, dim, queries: nq, data, seconds: +tGen.toFixed(1), ...shapeStats() });

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

// Query-side shape: how close the nearest documents are (real embedding models: top-1 cosine
// ~0.6-0.8 for a query and its relevant document).
{
  let top1 = 0, top100 = 0;
  for (let q = 0; q < nq; q++) { top1 += exact.scores[q * k]! / nq; top100 += exact.scores[q * k + k - 1]! / nq; }
  log({ stage: 'query-shape', meanTop1Cosine: +top1.toFixed(3), meanTop100Cosine: +top100.toFixed(3) });
}

const Qann = Q.subarray(0, nAnn * dim);
const truth = sample(exact, nAnn);
interface Setting { key: string; run: () => Promise<DenseTopKResult> | DenseTopKResult }
const grid: Setting[] = [];
const timeIt = async (s: Setting): Promise<{ qps: number; r: DenseTopKResult }> => {
  const t0 = performance.now();
  const r = await s.run();
  return { qps: nAnn / ((performance.now() - t0) / 1000), r };
};

// 3. IVF (k-means cells, batched Gemm scoring): build once, then several nprobe values.
const ivfs: IvfIndex[] = [];
if (method === 'ivf' || method === 'both') {
  for (const lists of listsGrid) {
    t = performance.now();
    const ivf = await buildIvf(C, dim, { ...(lists > 0 ? { lists } : {}), iterations: arg('iterations', 10), ...(argStr('batch', '') ? { batch: arg('batch', 2048) } : {}) });
    ivfs.push(ivf);
    const tIvf = (performance.now() - t) / 1000;
    const sizes = Array.from(ivf.listSizes).sort((a, b) => a - b);
    // Rows a query really scans: cells are probed in proportion to their mass, so weight by size.
    const meanProbedCell = sizes.reduce((a, x) => a + x * x, 0) / n;
    log({ stage: 'ivf-build', lists: ivf.lists, seconds: +tIvf.toFixed(1), smallestCell: sizes[0], medianCell: sizes[sizes.length >> 1], largestCell: sizes[sizes.length - 1], sizeWeightedMeanCell: +meanProbedCell.toFixed(0), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0) });
    for (const p of probes) {
      const idx = ivf.withProbes(p);
      const s: Setting = { key: `ivf lists=${ivf.lists} nprobe=${p}`, run: () => idx.search(Qann, k) };
      grid.push(s);
      const { qps, r } = await timeIt(s);
      log({ stage: 'ivf-search', lists: ivf.lists, nprobe: p, queries: nAnn, queriesPerSecond: +qps.toFixed(0), recallAt100: +annRecall(r, truth).toFixed(4), speedVsOnnxExact: +(qps / onnxQps).toFixed(2) });
    }
  }
}

// 4. usearch HNSW through buildAnn: build once, then the same graph at several expansion values.
if (method === 'hnsw' || method === 'both') {
  t = performance.now();
  const ann = await buildAnn(C, dim, { connectivity: M, quantization, oversample, expansionSearch: efs[0]! });
  const tBuild = (performance.now() - t) / 1000;
  log({ stage: 'ann-build', connectivity: M, expansionAdd: 128, quantization, oversample, seconds: +tBuild.toFixed(1), vectorsPerSecond: +(n / tBuild).toFixed(0), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0) });
  for (const ef of efs) {
    const graph = ann.withExpansionSearch(ef);
    for (const os of oversamples) {
      const idx = graph.withExpansionSearch(ef, os);
      const s: Setting = { key: `hnsw ef=${ef} oversample=${idx.oversample}`, run: () => idx.search(Qann, k) };
      grid.push(s);
      const { qps, r } = await timeIt(s);
      log({ stage: 'ann-search', expansionSearch: ef, oversample: idx.oversample, queries: nAnn, queriesPerSecond: +qps.toFixed(0), recallAt100: +annRecall(r, truth).toFixed(4), speedVsOnnxExact: +(qps / onnxQps).toFixed(2) });
    }
  }
}

if (rounds > 0) {
  const onnx3 = await createOnnxDenseTopK(C, dim, k);
  const ratios = new Map<string, number[]>();
  const recalls = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    t = performance.now();
    await onnx3.search(Qann);
    const exactQps = nAnn / ((performance.now() - t) / 1000);
    log({ stage: 'interleave-exact', round, queriesPerSecond: +exactQps.toFixed(0), gflops: +(flops(nAnn) / (nAnn / exactQps) / 1e9).toFixed(2) });
    for (const g of grid) {
      const { qps, r } = await timeIt(g);
      if (round === 0) recalls.set(g.key, annRecall(r, truth));
      ratios.set(g.key, [...(ratios.get(g.key) ?? []), qps / exactQps]);
      log({ stage: 'interleave-approx', round, setting: g.key, queriesPerSecond: +qps.toFixed(0), speedVsExactThisRound: +(qps / exactQps).toFixed(2) });
    }
  }
  await onnx3.close();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  for (const [key, r] of ratios) log({ stage: 'interleave-summary', setting: key, recallAt100: +recalls.get(key)!.toFixed(4), medianSpeedVsExact: +median(r).toFixed(2), min: +Math.min(...r).toFixed(2), max: +Math.max(...r).toFixed(2) });
}
for (const x of ivfs) await x.close();
// Exact ONNX again after the approximate searches: the machine is shared, so bracket their figures.
const onnx2 = await createOnnxDenseTopK(C, dim, k);
t = performance.now();
await onnx2.search(Q.subarray(0, nAnn * dim));
const tOnnx2 = (performance.now() - t) / 1000;
await onnx2.close();
log({ stage: 'onnx-exact-again', queries: nAnn, queriesPerSecond: +(nAnn / tOnnx2).toFixed(0), gflops: +(flops(nAnn) / tOnnx2 / 1e9).toFixed(2) });
log({ stage: 'summary', peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(0) });
