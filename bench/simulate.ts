/**
 * Simulator throughput: result pages per second and peak RSS for a log of ~1M result pages.
 *   npx tsx bench/simulate.ts [pages=1000000] [--events]
 * Baseline in the same process: serialising the same number of SERP-shaped objects with
 * JSON.stringify through the same buffered writer (what a naive simulator pays for output alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelpdeskWorld, simulateLog } from '../src/tools/simulate/index.js';
import { LineSink } from '../src/tools/simulate/sink.js';

const pagesWanted = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const events = process.argv.includes('--events');
const dir = mkdtempSync(join(tmpdir(), 'cf-bench-sim-'));
const cpu = () => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;

try {
  // Baseline: JSON.stringify of SERP-shaped objects, same writer.
  let t = performance.now();
  let c = cpu();
  const sink = await LineSink.open(join(dir, 'baseline.jsonl'));
  for (let i = 0; i < pagesWanted; i++) {
    const ts = new Date(1_704_067_200_000 + i * 1000).toISOString();
    sink.line(JSON.stringify({
      serp_id: `p${i}`, session_id: `s${i >> 1}`, user_id: `u${i % 5000}`, ts, query: 'okta token expired mac',
      results: ['KB10001', 'KB10002', 'KB10003', 'KB10004', 'KB10005', 'KB10006', 'KB10007', 'KB10008', 'KB10009', 'KB10010'],
      clicks: i % 2 ? [{ doc_id: 'KB10001', ts, dwell_ms: 12000, rank: 1 }] : [], conversions: [], session_success: true,
    }));
    if (sink.due) await sink.flush();
  }
  await sink.close();
  const baseWall = (performance.now() - t) / 1000;
  const baseCpu = cpu() - c;

  t = performance.now();
  c = cpu();
  const opts = { sessions: Math.round(pagesWanted / 1.6), world: { intents: 2592 }, format: events ? (['serps', 'events'] as const).slice() : ['serps' as const] };
  const world = buildHelpdeskWorld(opts);
  const worldWall = (performance.now() - t) / 1000;
  const stats = await simulateLog(world, opts, join(dir, 'sim'));
  const wall = (performance.now() - t) / 1000;
  const simCpu = cpu() - c;
  const d = stats.detail;
  const mb = (n: number) => (n / 1e6).toFixed(0);
  console.log(`world: ${world.docs.length} docs, ${world.queries.length} queries, ${world.qrels.length} qrels in ${worldWall.toFixed(2)} s`);
  console.log(`simulate: ${d.pages} pages, ${d.clicks} clicks, ${d.sessions} sessions in ${wall.toFixed(1)} s wall, ${simCpu.toFixed(1)} s CPU`);
  console.log(`  ${Math.round(d.pages / wall)} pages/s wall, ${Math.round(d.pages / simCpu)} pages/s CPU; files: ${Object.entries(d.bytes).filter(([, b]) => b > 1e6).map(([f, b]) => `${f} ${mb(b)} MB`).join(', ')}`);
  console.log(`baseline (JSON.stringify + same writer): ${pagesWanted} pages in ${baseWall.toFixed(1)} s wall, ${baseCpu.toFixed(1)} s CPU`);
  console.log(`ratio simulate / baseline: ${(simCpu / baseCpu).toFixed(2)}x CPU, ${(wall / baseWall).toFixed(2)}x wall`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`CTR by rank: ${d.clicksByRank.map((n, r) => (n / (d.pagesByRank[r] || 1)).toFixed(3)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
