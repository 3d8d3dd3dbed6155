/**
 * Families at scale: 1,000,000 distinct synthetic queries (seeded; intents with realistic
 * variants: question openers, word order, plurals, typos, case/punctuation, a few Chinese), plus
 * reformulation edges and positives. Prints seconds per phase, peak RSS, and the ratio against a
 * baseline run in the same process (keys only, no clustering).
 *
 *   npx tsx bench/families.ts [queries=1000000]
 */
import { createRng } from '../src/util/rng.js';
import { buildFamilies, type FamilyQuery } from '../src/stages/families/families.js';
import { createFamilyKeyer } from '../src/text/family-normalize.js';

const N = Number(process.argv[2] ?? 1_000_000);
const rng = createRng('bench-families');
// words of 3-10 letters drawn with English-like letter frequencies (a syllable alphabet would make
// every query share its trigrams, a worst case no real log has)
const letters = 'eeeeeeeeeeeettttttttaaaaaaaaooooooooiiiiiiinnnnnnnsssssshhhhhhrrrrrrddddllllcccuuummwwffggyyppbbvkjxqz';
const word = () => { let w = ''; const k = 3 + rng.int(8); for (let i = 0; i < k; i++) w += letters[rng.int(letters.length)]; return w; };
const vocab = Array.from({ length: 50_000 }, word);
const actions = ['reset', 'install', 'configure', 'update', 'cancel', 'download', 'compare', 'repair', 'buy', 'return'];
const openers = ['', '', '', 'how do i ', 'how to ', 'what is the ', 'where can i ', 'best way to '];
const zh = ['如何重置密码', '价格', '东京天气', '下载', '安装', '手机'];
const typo = (w: string) => { if (w.length < 5) return w; const i = 1 + rng.int(w.length - 2); return w.slice(0, i) + w.slice(i + 1); };

const t0 = performance.now();
const seen = new Set<string>();
const queries: FamilyQuery[] = [];
const intents = Math.ceil(N / 5);
const reformulations: { from: string; to: string; count: number }[] = [];
const positives = new Map<string, string[]>();
let intent = 0;
const lastOf = new Map<number, string>();
while (queries.length < N) {
  const i = intent++ % intents;
  const r = createRng(i);
  const words = [vocab[r.int(vocab.length)]!, vocab[r.int(vocab.length)]!];
  if (r.next() < 0.5) words.push(vocab[r.int(vocab.length)]!);
  const act = actions[r.int(actions.length)]!;
  const base = `${act} ${words.join(' ')}`;
  let v = openers[rng.int(openers.length)]! + (rng.next() < 0.3 ? `${words.join(' ')} ${act}` : base);
  if (rng.next() < 0.3) v = v.split(' ').map((w) => (rng.next() < 0.3 ? typo(w) : w)).join(' ');
  if (rng.next() < 0.2) v += 's';
  if (rng.next() < 0.1) v = v.toUpperCase();
  if (rng.next() < 0.1) v += '?';
  if (rng.next() < 0.05) v += ' ' + zh[rng.int(zh.length)]!;
  if (rng.next() < 0.05) v += ' ' + (2000 + rng.int(30));
  if (seen.has(v)) { if (intent > N * 20) break; continue; }
  seen.add(v);
  queries.push({ query: v, count: 1 + Math.floor(1000 / (1 + (i % 5000))), firstTs: 1_700_000_000_000 + rng.int(1e9) });
  const prev = lastOf.get(i);
  if (prev !== undefined && rng.next() < 0.5) reformulations.push({ from: prev, to: v, count: 1 + rng.int(4) });
  lastOf.set(i, v);
  if (rng.next() < 0.2) positives.set(v, [`d${i}`, `d${i}b`, `d${rng.int(1e6)}`]);
}
const genS = (performance.now() - t0) / 1000;
console.log(`generated ${queries.length} distinct queries from ${Math.min(intents, intent)} intents, ${reformulations.length} reformulation edges, ${positives.size} positive sets in ${genS.toFixed(1)} s`);

const b0 = performance.now();
const keyer = createFamilyKeyer();
const keySet = new Set<string>();
for (const q of queries) keySet.add(keyer(q.query));
const baseS = (performance.now() - b0) / 1000;
console.log(`baseline (keys only): ${baseS.toFixed(2)} s, ${keySet.size} distinct keys`);

const cpu0 = process.cpuUsage();
const r = buildFamilies({ queries, reformulations, positives }, {});
const cpu = process.cpuUsage(cpu0);
const total = Object.values(r.seconds).reduce((a, b) => a + b, 0);
for (const [k, v] of Object.entries(r.seconds)) console.log(`  ${k.padEnd(22)} ${v.toFixed(2)} s`);
console.log(`buildFamilies total: ${total.toFixed(2)} s (${(total / baseS).toFixed(1)}x the keys-only baseline) -> ${r.families.length} families`);
console.log(`CPU time of buildFamilies: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (wall above includes waiting for a shared CPU; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
console.log('merges', r.merges, 'refused', r.refused);
console.log('dropped', r.stats.dropped, r.stats.notes);
console.log('largest', r.largest.slice(0, 3));
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
