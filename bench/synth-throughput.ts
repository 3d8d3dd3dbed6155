/**
 * synth throughput (issue 17): the offline generator on a generated corpus of 100,000 passages
 * (passages/s, with and without the round-trip filter), and the llm generator against a loopback
 * chat server with a fixed latency (requests/s at concurrency 1 and 8: concurrency is used when
 * the rate grows with it).
 *
 *   npx tsx bench/synth-throughput.ts [--passages 100000] [--latency 50] [--requests 400]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { synthesize } from '../src/tools/synth/index.js';
import { createRng } from '../src/util/rng.js';
import { numArg } from './args.js';

const nPassages = numArg('passages', 100_000);
const latency = numArg('latency', 50);
const nRequests = numArg('requests', 400);

// A corpus of one-passage documents (60 words each) over a Zipf vocabulary of 20,000 words.
const rng = createRng(42);
const vocab = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}rd`);
const cdf = new Float64Array(vocab.length);
let acc = 0;
for (let i = 0; i < vocab.length; i++) cdf[i] = acc += 1 / (i + 1);
const word = () => {
  const r = rng.next() * acc;
  let lo = 0, hi = vocab.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return vocab[lo]!;
};
const docs = Array.from({ length: nPassages }, (_, i) => ({ doc_id: `d${i}`, title: `${word()} ${word()}`, text: Array.from({ length: 60 }, word).join(' ') + (i % 50 === 0 ? ' Error E1042 "connection refused" (see Single Sign-On (SSO)).' : '') }));

for (const enabled of [['length', 'verbatim', 'duplicates'], ['length', 'verbatim', 'duplicates', 'roundTrip']] as const) {
  const r = await synthesize(docs, { filters: { enabled: [...enabled] } });
  console.log(`offline, ${r.report.passages.in} passages, filters ${enabled.join('+')}: ${r.timing.seconds.toFixed(1)} s = ${Math.round(r.timing.passagesPerSecond)} passages/s, ${r.report.queries.kept} queries kept of ${r.report.queries.generated}`);
}

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: '["a synthetic query", "another one"]' } }] }));
  }, latency));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const rates: number[] = [];
for (const concurrency of [1, 8]) {
  const t0 = performance.now();
  const r = await synthesize(docs.slice(0, nRequests), {
    generator: 'llm', stylesPerPassage: 1, styles: { keyword: 1, question: 0, error: 0, synonym: 0, acronym: 0, novice: 0, expert: 0 }, filters: { enabled: ['length'] },
    llm: { baseUrl: url, model: 'bench', concurrency, batchSize: 64, apiKeyEnv: 'CF_BENCH_NO_KEY' },
  });
  const s = (performance.now() - t0) / 1000;
  const reqs = r.report.generator.stats.requests!;
  rates.push(reqs / s);
  console.log(`llm, loopback latency ${latency} ms, concurrency ${concurrency}: ${reqs} requests in ${s.toFixed(2)} s = ${(reqs / s).toFixed(1)} requests/s (max in flight ${r.report.generator.stats.maxInFlight}; ideal ${(1000 * concurrency / latency).toFixed(0)}/s)`);
}
console.log(`concurrency 8 / concurrency 1: ${(rates[1]! / rates[0]!).toFixed(2)}x`);
server.close();
