/**
 * Time ingest on a generated SERP log, from Parquet and from JSONL, against a baseline in the same
 * process (DuckDB only counting the rows of the same file). Prints events/s and peak RSS.
 *   npx tsx bench/ingest.ts [events=2000000] [threads]
 */
import { rm } from 'node:fs/promises';
import { openDb, queryNumber, sqlString } from '../src/db/duckdb.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { ingestOptions } from '../src/stages/ingest/options.js';
import { generateLog } from './gen-log.js';

const events = Number(process.argv[2] ?? 2_000_000);
const threads = process.argv[3] ? Number(process.argv[3]) : undefined;
const out = (s: string) => process.stdout.write(`${s}\n`);
let t = performance.now();
const g = await generateLog(events);
out(`generated ${g.events} events (${g.serps} SERP records) in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${g.dir}`);
const mb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

try {
  for (const [label, file, reader] of [['parquet', g.parquet, 'read_parquet'], ['jsonl', g.jsonl, 'read_json']] as const) {
    const base = await openDb({ threads });
    t = performance.now();
    await queryNumber(base.conn, `SELECT count(*) FROM ${reader}(${sqlString(file)})`);
    const baseS = (performance.now() - t) / 1000;
    base.close();
    const { conn, close } = await openDb({ threads });
    t = performance.now();
    const r = await ingest(conn, ingestOptions.parse({ serps: [file] }));
    const s = (performance.now() - t) / 1000;
    const q = await queryNumber(conn, 'SELECT count(*) FROM quarantine');
    const lines = await queryNumber(conn, `SELECT count(*) FROM serps WHERE src_line <> CAST(substr(serp_id, 2) AS BIGINT) + 1`);
    close();
    out(`${label}: ingest ${s.toFixed(2)} s = ${Math.round(g.events / s).toLocaleString('en')} events/s; baseline count(*) ${baseS.toFixed(2)} s (ingest/baseline = ${(s / baseS).toFixed(1)}x); quarantined ${q}; src_line mismatches ${lines}; out ${JSON.stringify(r.stats[0]!.out)}; peak RSS so far ${mb()} MB`);
  }
} finally {
  await rm(g.dir, { recursive: true, force: true });
}
