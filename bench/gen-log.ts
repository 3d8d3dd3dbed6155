/**
 * Generate a seeded SERP-record log of about N events (a record counts 1 search + its impressions
 * + clicks + conversions) as JSONL and Parquet.
 *   npx tsx bench/gen-log.ts [events=2000000] [outDir=<tmp>]
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, sqlString } from '../src/db/duckdb.js';
import { createRng } from '../src/util/rng.js';

export interface GeneratedLog { readonly dir: string; readonly jsonl: string; readonly parquet: string; readonly events: number; readonly serps: number }

export async function generateLog(events: number, dir?: string, seed = 7): Promise<GeneratedLog> {
  const out = dir ?? (await mkdtemp(join(tmpdir(), 'cf-bench-')));
  await mkdir(out, { recursive: true });
  const jsonl = join(out, 'serps.jsonl');
  const parquet = join(out, 'serps.parquet');
  const rng = createRng(seed);
  const ws = createWriteStream(jsonl);
  let n = 0;
  let serps = 0;
  let t = 1_700_000_000_000;
  let buf: string[] = [];
  const flush = async () => {
    if (!ws.write(buf.join(''))) await new Promise<void>((r) => ws.once('drain', () => r()));
    buf = [];
  };
  while (n < events) {
    const user = rng.int(50_000);
    const q = rng.int(20_000);
    t += 1 + rng.int(2000);
    const results: string[] = [];
    for (let r = 0; r < 10; r++) results.push(`d${(q * 7 + r * 13 + rng.int(30)) % 100_000}`);
    const clicks: string[] = [];
    const nc = rng.next() < 0.45 ? 1 + rng.int(3) : 0;
    for (let c = 0; c < nc; c++) {
      const rank = 1 + Math.min(9, Math.floor(-Math.log(1 - rng.next()) * 2.5));
      clicks.push(`{"doc_id":"${results[rank - 1]}","ts":${t + 2000 + c * 30000},"dwell_ms":${rng.int(120_000)},"rank":${rank}}`);
    }
    const conv = nc > 0 && rng.next() < 0.05 ? `,"conversions":[{"doc_id":"${results[0]}","ts":${t + 60000},"kind":"purchase","value":${rng.int(100)}}]` : '';
    buf.push(`{"serp_id":"s${serps}","session_id":"u${user}-${Math.floor(t / 1_800_000)}","user_id":"u${user}","ts":${t},"query":"query ${q}","results":${JSON.stringify(results)},"clicks":[${clicks.join(',')}]${conv}}\n`);
    n += 1 + 10 + nc + (conv ? 1 : 0);
    serps++;
    if (buf.length >= 10_000) await flush();
  }
  await flush();
  await new Promise<void>((r) => ws.end(r));
  const { conn, close } = await openDb();
  await conn.run(`COPY (SELECT * FROM read_json(${sqlString(jsonl)}, format = 'newline_delimited')) TO ${sqlString(parquet)} (FORMAT parquet)`);
  close();
  return { dir: out, jsonl, parquet, events: n, serps };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.argv[2] ?? 2_000_000);
  const g = await generateLog(events, process.argv[3]);
  process.stdout.write(`${JSON.stringify(g)}\n`);
}
