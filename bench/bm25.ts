/**
 * BM25 against bm25s in the same run: Zipf(1.05) over a 50k-word vocabulary, 30-70 words a
 * document; queries of 2-4 distinct words drawn from the same Zipf law restricted to ranks >= 50
 * (random words, the top 50 left out as stop words would be), top-k.
 * clickforge searches on one thread in this process; bm25s (numba backend, numpy backend) runs in
 * bench/bm25s_peer.py from .venv-bench (scripts/bench-venv.sh), one thread. The queries go in
 * batches, interleaved clickforge / numba / numpy, each side timed in CPU seconds of its own
 * process (process.cpuUsage, getrusage). Top-k lists are checked to agree up to score ties: the
 * same scores position by position (bm25s' scores times the constant k1 + 1 it leaves out, within
 * float32 summation noise) and the same documents above
 * the k-th score.
 * bm25s' numpy backend, about 100x slower, answers only the first queries of each batch (--numpy-queries in all).
 *   npx tsx bench/bm25.ts [--docs 1000000] [--queries 10000] [--numpy-queries 2000] [--batches 10] [--k 100]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildBm25, BM25_DEFAULTS } from '../src/retrieval/bm25.js';
import { createRng } from '../src/util/rng.js';
import { numArg } from './args.js';

const nDocs = numArg('docs', 1_000_000);
const nQueries = numArg('queries', 10_000);
const nBatches = Math.max(1, numArg('batches', 10));
const k = numArg('k', 100);
// bm25s' numpy backend is about 100x slower: it answers the first queries of each round only.
const nNumpy = Math.min(nQueries, numArg('numpy-queries', 2_000));
const V = 50_000;
const MIN_QUERY_RANK = 50;
const WARM = Math.min(200, nQueries);
const mb = (b: number): number => +(b / 2 ** 20).toFixed(0);
const cpuSec = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

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

/** count, offsets[count + 1], tokens: the Int32 layout bench/bm25s_peer.py reads. */
function packLists(lists: ArrayLike<number>[] | { count: number; offsets: Int32Array; tokens: Int32Array }): Buffer {
  const { count, offsets, tokens } = 'count' in lists ? lists : flatten(lists as ArrayLike<number>[]);
  const out = new Int32Array(2 + count + tokens.length);
  out[0] = count;
  out.set(offsets, 1);
  out.set(tokens, 2 + count);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
function flatten(lists: ArrayLike<number>[]): { count: number; offsets: Int32Array; tokens: Int32Array } {
  const offsets = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) offsets[i + 1] = offsets[i]! + lists[i]!.length;
  const tokens = new Int32Array(offsets[lists.length]!);
  for (let i = 0; i < lists.length; i++) tokens.set(Array.from(lists[i]!), offsets[i]!);
  return { count: lists.length, offsets, tokens };
}

const t0 = performance.now();
const docs = new Array<{ id: string; text: string }>(nDocs);
const docOffsets = new Int32Array(nDocs + 1);
let docTokens = new Int32Array(nDocs * 50);
const parts: string[] = [];
for (let d = 0; d < nDocs; d++) {
  const len = 30 + rng.int(41);
  const at = docOffsets[d]!;
  if (at + len > docTokens.length) {
    const g = new Int32Array(docTokens.length * 2);
    g.set(docTokens);
    docTokens = g;
  }
  parts.length = len;
  for (let i = 0; i < len; i++) parts[i] = WORDS[(docTokens[at + i] = draw())]!;
  docOffsets[d + 1] = at + len;
  docs[d] = { id: `d${d}`, text: parts.join(' ') };
}
const queryRanks: number[][] = [];
for (let q = 0; q < nQueries; q++) {
  const want = 2 + rng.int(3);
  const rs = new Set<number>();
  while (rs.size < want) {
    const r = draw();
    if (r >= MIN_QUERY_RANK) rs.add(r);
  }
  queryRanks.push([...rs]);
}
const queries = queryRanks.map((rs) => rs.map((r) => WORDS[r]!).join(' '));
const tGen = performance.now() - t0;

const tb = performance.now();
const cpuB = process.cpuUsage();
const idx = buildBm25(docs, { tokenize: { stopwords: false, stem: false } });
const tBuild = performance.now() - tb;
const cpuBuild = cpuSec(process.cpuUsage(cpuB));

// --- bm25s peer ---------------------------------------------------------------------------------
const root = fileURLToPath(new URL('..', import.meta.url));
const python = join(root, '.venv-bench', 'bin', 'python');
type Peer = { ask: (cmd: string) => Promise<Record<string, unknown>>; ready: Record<string, unknown>; close: () => void };
let peer: Peer | undefined;
let peerNote = '';
const dir = mkdtempSync(join(tmpdir(), 'bm25-bench-'));
if (!existsSync(python)) {
  peerNote = `.venv-bench is missing: run scripts/bench-venv.sh to compare with bm25s (numba, numpy) in the same run. Only clickforge's figures follow.`;
  console.error(peerNote);
} else {
  writeFileSync(join(dir, 'corpus.bin'), packLists({ count: nDocs, offsets: docOffsets, tokens: docTokens.subarray(0, docOffsets[nDocs]!) }));
  writeFileSync(join(dir, 'queries.bin'), packLists(queryRanks));
  const child = spawn(python, [join(root, 'bench', 'bm25s_peer.py'), join(dir, 'corpus.bin'), join(dir, 'queries.bin'), String(BM25_DEFAULTS.k1), String(BM25_DEFAULTS.b), String(k), String(V)], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NUMBA_NUM_THREADS: '1', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done === true) throw new Error('bench/bm25s_peer.py exited early (see its error above).');
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  peer = { ready, ask: async (cmd) => { child.stdin.write(`${cmd}\n`); return next(); }, close: () => { child.stdin.end('quit\n'); } };
}

// --- interleaved batches --------------------------------------------------------------------------
const cfIds = new Int32Array(nQueries * k).fill(-1);
const cfScores = new Float32Array(nQueries * k);
const cfCounts = new Int32Array(nQueries);
for (let q = 0; q < WARM; q++) idx.search(queries[q]!, k); // JIT warm-up, untimed
const BACKENDS = ['numba', 'numpy'] as const;
if (peer !== undefined) for (const be of BACKENDS) await peer.ask(`warm ${be} 0 ${WARM}`);
let cfCpu = 0;
const peerCpu = { numba: 0, numpy: 0 };
const peerQueries = { numba: Array.from({ length: nQueries }, (_, q) => q), numpy: [] as number[] };
for (let bt = 0; bt < nBatches; bt++) {
  const lo = Math.floor((bt * nQueries) / nBatches), hi = Math.floor(((bt + 1) * nQueries) / nBatches);
  const c = process.cpuUsage();
  for (let q = lo; q < hi; q++) {
    const r = idx.search(queries[q]!, k);
    cfIds.set(r.ids, q * k);
    cfScores.set(r.scores, q * k);
    cfCounts[q] = r.ids.length;
  }
  cfCpu += cpuSec(process.cpuUsage(c));
  if (peer === undefined) continue;
  peerCpu.numba += Number((await peer.ask(`batch numba ${lo} ${hi}`)).cpuSeconds);
  const nHi = Math.min(hi, lo + Math.ceil(nNumpy / nBatches));
  for (let q = lo; q < nHi; q++) peerQueries.numpy.push(q);
  peerCpu.numpy += Number((await peer.ask(`batch numpy ${lo} ${nHi}`)).cpuSeconds);
}

/** Agreement of clickforge's top-k with a peer's, up to score ties (see the header). */
function agreement(path: string, qs: readonly number[]): { queriesIdentical: number; queries: number; meanIdOverlap: number; maxScoreDiff: number } {
  const buf = readFileSync(path);
  const nq = qs.length;
  const ids = new Int32Array(buf.buffer, buf.byteOffset, nq * k);
  const raw = new Float32Array(buf.buffer, buf.byteOffset + nq * k * 4, nq * k);
  // bm25s' Lucene variant leaves out the constant factor (k1 + 1) of the numerator (as Lucene 8+ does).
  const scores = raw.map((s) => s * (BM25_DEFAULTS.k1 + 1));
  let identical = 0, overlap = 0, maxDiff = 0;
  const tol = (s: number): number => 1e-5 * Math.max(1, Math.abs(s));
  for (let j = 0; j < nq; j++) {
    const q = qs[j]!, c = q * k, p = j * k;
    const n = cfCounts[q]!;
    let m = 0;
    while (m < k && scores[p + m]! > 0) m++;
    let ok = m === n;
    for (let i = 0; i < Math.min(n, m); i++) {
      const d = Math.abs(cfScores[c + i]! - scores[p + i]!);
      maxDiff = Math.max(maxDiff, d);
      if (d > tol(cfScores[c + i]!)) ok = false;
    }
    const peerSet = new Set(ids.subarray(p, p + m));
    let shared = 0;
    const kth = n > 0 ? cfScores[c + n - 1]! : 0;
    for (let i = 0; i < n; i++) {
      if (peerSet.has(cfIds[c + i]!)) shared++;
      else if (n < k || cfScores[c + i]! > kth + tol(kth)) ok = false; // a document above the k-th score (or any match when fewer than k) is missing
    }
    overlap += n > 0 ? shared / n : 1;
    if (ok) identical++;
  }
  return { queriesIdentical: identical, queries: nq, meanIdOverlap: +(overlap / Math.max(1, nq)).toFixed(4), maxScoreDiff: +maxDiff.toExponential(2) };
}

const timed = nQueries;
const cfRate = timed / cfCpu;
const out: Record<string, unknown> = {
  docs: nDocs, queries: nQueries, batches: nBatches, k, vocabulary: idx.vocabularySize, avgDocLength: +idx.avgDocLength.toFixed(1),
  queryShape: `2-4 distinct words, Zipf(1.05) restricted to rank >= ${MIN_QUERY_RANK}`,
  generateSeconds: +(tGen / 1000).toFixed(1),
  clickforge: { buildSeconds: +(tBuild / 1000).toFixed(1), buildCpuSeconds: +cpuBuild.toFixed(1), indexMB: mb(idx.bytes()), searchCpuSeconds: +cfCpu.toFixed(2), queriesPerCpuSecond: +cfRate.toFixed(0) },
};
if (peer === undefined) out.bm25s = peerNote;
else {
  const peers: Record<string, unknown> = { version: peer.ready.bm25s, numpyVersion: peer.ready.numpy, buildSeconds: peer.ready.buildSeconds, buildCpuSeconds: peer.ready.buildCpuSeconds };
  for (const be of BACKENDS) {
    await peer.ask(`dump ${be} ${join(dir, `${be}.bin`)}`);
    const rate = peerQueries[be].length / peerCpu[be];
    peers[be] = { searchCpuSeconds: +peerCpu[be].toFixed(2), queriesPerCpuSecond: +rate.toFixed(0), clickforgeOverPeerPerCpuSecond: +(cfRate / rate).toFixed(2), queries: peerQueries[be].length, topK: agreement(join(dir, `${be}.bin`), peerQueries[be]) };
  }
  out.bm25s = peers;
  peer.close();
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(out, null, 2));
