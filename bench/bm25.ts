/**
 * BM25 benchmark on the synthetic shape: Zipf(1.05) over a 50k-word vocabulary, 30-70
 * words a document, 2-4-word queries drawn from a document's rarer words; top-100.
 * Single-thread search (baseline, on a sample of the queries) against the worker-thread search
 * (all queries) in the same process; the parallel results are checked equal to the serial ones.
 *   npx tsx bench/bm25.ts [--docs 1000000] [--queries 100000] [--serial 20000] [--k 100] [--threads N]
 * Reference (issue): bm25s, same shape, 1M docs: 173 queries/s on one core, build 46 s, 2.2 GB.
 */
import { availableParallelism } from 'node:os';
import { buildBm25 } from '../src/retrieval/bm25.js';
import { createParallelBm25, searchManySerial } from '../src/retrieval/bm25-parallel.js';
import { createRng } from '../src/util/rng.js';
import { numArg } from './args.js';

const nDocs = numArg('docs', 1_000_000);
const nQueries = numArg('queries', 100_000);
const nSerial = Math.min(nQueries, numArg('serial', 20_000));
const k = numArg('k', 100);
const threads = numArg('threads', availableParallelism());
const V = 50_000;
// Figures are wall clock on a shared machine: compare the ratios, and the CPU-second figures, across runs.
const mb = (b: number): number => +(b / 2 ** 20).toFixed(0);

const rng = createRng(1);
const cdf = new Float64Array(V);
let z = 0;
for (let r = 0; r < V; r++) z += 1 / Math.pow(r + 1, 1.05);
let acc = 0;
for (let r = 0; r < V; r++) cdf[r] = (acc += 1 / Math.pow(r + 1, 1.05) / z);
const draw = (): number => {
  const u = rng.next();
  let lo = 0, hi = V - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (cdf[m]! < u) lo = m + 1;
    else hi = m;
  }
  return lo;
};
const WORDS = Array.from({ length: V }, (_, r) => `w${r.toString(36)}x`);

const t0 = performance.now();
const queries: string[] = [];
const docs = new Array<{ id: string; text: string }>(nDocs);
// Queries come from the first documents: each query's source document is drawn among them.
const srcDocs = Math.min(nDocs, nQueries * 4);
const ranks: Int32Array[] = [];
const parts: string[] = [];
for (let d = 0; d < nDocs; d++) {
  const len = 30 + rng.int(41);
  const rs = new Int32Array(len);
  parts.length = len;
  for (let i = 0; i < len; i++) parts[i] = WORDS[(rs[i] = draw())]!;
  if (d < srcDocs) ranks.push(rs);
  docs[d] = { id: `d${d}`, text: parts.join(' ') };
}
for (let q = 0; q < nQueries; q++) {
  const rs = Array.from(new Set(ranks[rng.int(ranks.length)]!)).sort((a, b) => b - a);
  queries.push(rs.slice(0, 2 + rng.int(3)).map((r) => WORDS[r]!).join(' '));
}
ranks.length = 0;
const tGen = performance.now() - t0;

const rss0 = process.memoryUsage().rss;
const tb = performance.now();
const cpuB = process.cpuUsage();
const idx = buildBm25(docs, { tokenize: { stopwords: false, stem: false } });
const tBuild = performance.now() - tb;
const cpuBuild = process.cpuUsage(cpuB);
const rssBuilt = process.memoryUsage().rss;

const pool = createParallelBm25(idx, { threads });
await pool.searchMany(queries.slice(0, 2000), k); // warm-up: start workers, JIT
for (let q = 0; q < 2000; q++) idx.search(queries[q]!, k);

const ts = performance.now();
const cpuS = process.cpuUsage();
const ser = searchManySerial(idx, queries.slice(0, nSerial), k);
const tSerial = performance.now() - ts;
const cpuSerial = process.cpuUsage(cpuS);

const tp = performance.now();
const par = await pool.searchMany(queries, k);
const tPar = performance.now() - tp;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
await pool.close();

let same = true;
for (let i = 0; i < nSerial * k; i++) if (ser.ids[i] !== par.ids[i] || !Object.is(ser.scores[i], par.scores[i])) { same = false; break; }
let hits = 0;
for (let q = 0; q < nQueries; q++) hits += par.counts[q]!;

const serialQps = nSerial / (tSerial / 1000);
const parQps = nQueries / (tPar / 1000);
console.log(JSON.stringify({
  docs: nDocs, vocabulary: idx.vocabularySize, avgDocLength: +idx.avgDocLength.toFixed(1), k, threads,
  generateSeconds: +(tGen / 1000).toFixed(1), buildSeconds: +(tBuild / 1000).toFixed(1), buildCpuSeconds: +((cpuBuild.user + cpuBuild.system) / 1e6).toFixed(1),
  indexMB: mb(idx.bytes()), rssBeforeBuildMB: mb(rss0), rssAfterBuildMB: mb(rssBuilt), peakRssMB: +maxRssMB.toFixed(0),
  serial: { queries: nSerial, seconds: +(tSerial / 1000).toFixed(1), queriesPerSecond: +serialQps.toFixed(0), perCpuSecond: +(nSerial / ((cpuSerial.user + cpuSerial.system) / 1e6)).toFixed(0) },
  parallel: { queries: nQueries, seconds: +(tPar / 1000).toFixed(1), queriesPerSecond: +parQps.toFixed(0), avgHits: +(hits / nQueries).toFixed(1) },
  parallelOverSerial: +(parQps / serialQps).toFixed(2),
  parallelEqualsSerial: same,
  vsBm25sReference173Qps: +(parQps / 173).toFixed(1),
}, null, 2));
