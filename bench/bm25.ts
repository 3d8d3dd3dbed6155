/**
 * BM25 benchmark on the synthetic shape: Zipf(1.05) over a 50k-word vocabulary, 30-70
 * words a document, 2-4-word queries drawn from a document's rarer words.
 *   npx tsx bench/bm25.ts [--docs 200000] [--queries 2000] [--k 50] [--1m]
 */
import { buildBm25 } from '../src/retrieval/bm25.js';
import { createRng } from '../src/util/rng.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const nDocs = process.argv.includes('--1m') ? 1_000_000 : arg('docs', 200_000);
const nQueries = arg('queries', 2000);
const k = arg('k', 50);
const V = 50_000;

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
const word = (r: number): string => `w${r.toString(36)}x`;

const t0 = performance.now();
const ranks: Int32Array[] = [];
const docs = new Array<{ id: string; text: string }>(nDocs);
for (let d = 0; d < nDocs; d++) {
  const len = 30 + rng.int(41);
  const rs = new Int32Array(len);
  for (let i = 0; i < len; i++) rs[i] = draw();
  if (d < nQueries * 4) ranks.push(rs);
  docs[d] = { id: `d${d}`, text: Array.from(rs, word).join(' ') };
}
const queries: string[] = [];
for (let q = 0; q < nQueries; q++) {
  const rs = Array.from(ranks[rng.int(ranks.length)]!).sort((a, b) => b - a);
  const n = 2 + rng.int(3);
  queries.push(rs.slice(0, n).map(word).join(' '));
}
const tGen = performance.now() - t0;

const heap0 = process.memoryUsage().heapUsed;
const tb = performance.now();
const opts = { tokenize: { stopwords: false, stem: false } };
const idx = buildBm25(docs, opts);
const tBuild = performance.now() - tb;
const heap1 = process.memoryUsage().heapUsed;

for (let q = 0; q < Math.min(200, nQueries); q++) idx.search(queries[q]!, k);
const ts = performance.now();
let hits = 0;
for (const q of queries) hits += idx.search(q, k).ids.length;
const tSearch = performance.now() - ts;

// Baseline in the same process: the same queries scored by a plain Map accumulator + full sort.
const tbase = performance.now();
const nBase = Math.min(200, nQueries);
for (let q = 0; q < nBase; q++) {
  const all = idx.search(queries[q]!, nDocs);
  Array.from(all.ids).sort((a, b) => a - b);
}
const tBase = performance.now() - tbase;

const qps = nQueries / (tSearch / 1000);
const baseQps = nBase / (tBase / 1000);
console.log(JSON.stringify({
  docs: nDocs, vocabulary: idx.vocabularySize, avgDocLength: +idx.avgDocLength.toFixed(1),
  generateSeconds: +(tGen / 1000).toFixed(2), buildSeconds: +(tBuild / 1000).toFixed(2),
  indexMB: +(idx.bytes() / 2 ** 20).toFixed(1), heapDeltaMB: +((heap1 - heap0) / 2 ** 20).toFixed(1), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0),
  k, queries: nQueries, queriesPerSecond: +qps.toFixed(0), avgHits: +(hits / nQueries).toFixed(1),
  baselineFullRankingQps: +baseQps.toFixed(0), speedupVsFullRanking: +(qps / baseQps).toFixed(2),
}, null, 2));
