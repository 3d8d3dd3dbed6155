/**
 * Time ingest on a generated SERP log, from Parquet and from JSONL, against the bare DuckDB peer in
 * the same process (bench/duckdb-peer.ts: reading, sessionizing and grouping the same file). Prints
 * events/s, CPU seconds, the CPU ratio and peak RSS.
 *   npx tsx bench/ingest.ts [events=2000000] [threads]
 */
import { rm } from 'node:fs/promises';
import { openDb, queryNumber } from '../src/db/duckdb.js';
import { runPeer } from './duckdb-peer.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { ingestOptions } from '../src/stages/ingest/options.js';
import { generateLog } from './gen-log.js';

const events = Number(process.argv[2] ?? 2_000_000);
const threads = process.argv[3] ? Number(process.argv[3]) : undefined;
const out = (s: string) => process.stdout.write(`${s}\n`);
let t = performance.now();
const g = await generateLog(events);
out(`generated ${g.events} events (${g.serps} SERP records) in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${g.dir}`);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const mb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

try {
  for (const [label, file, reader] of [['parquet', g.parquet, 'read_parquet'], ['jsonl', g.jsonl, 'read_json']] as const) {
    const peer = await runPeer(file, reader, threads);
    const { conn, close } = await openDb({ threads });
    const c0 = cpu();
    t = performance.now();
    const r = await ingest(conn, ingestOptions.parse({ serps: [file] }));
    const s = (performance.now() - t) / 1000;
    const c = cpu() - c0;
    const q = await queryNumber(conn, 'SELECT count(*) FROM quarantine');
    const lines = await queryNumber(conn, `SELECT count(*) FROM serps WHERE src_line <> CAST(substr(serp_id, 2) AS BIGINT) + 1`);
    close();
    out(`${label}: ingest ${s.toFixed(2)} s = ${Math.round(g.events / s).toLocaleString('en')} events/s; cpu ${c.toFixed(2)} s; peer (sessionize + group-by) cpu ${peer.cpu.toFixed(2)} s (ingest alone / whole peer = ${(c / peer.cpu).toFixed(2)}x CPU); quarantined ${q}; src_line mismatches ${lines}; out ${JSON.stringify(r.stats[0]!.out)}; peak RSS so far ${mb()} MB`);
  }
} finally {
  await rm(g.dir, { recursive: true, force: true });
}
