import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, sqlString } from '../../../src/db/duckdb.js';
import { EVENT_LEVEL_FILES } from '../../../src/stages/event-level/layout.js';

/** Every file of a build but run.json (timings), with its sha256. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (f === 'run.json' || statSync(join(dir, f)).isDirectory()) continue;
    out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  }
  return out;
}

/** A copy of an event-level folder whose rows come in another order (as another engine may write them); conversions and session ends keep theirs. */
export async function shuffledCopy(src: string, dst: string): Promise<void> {
  rmSync(dst, { recursive: true, force: true });
  cpSync(src, dst, { recursive: true });
  const { conn, close } = await openDb();
  try {
    for (const f of EVENT_LEVEL_FILES) {
      if (f.table === 'conversions' || f.table === 'session_ends') continue;
      await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(src, f.file))}) t ORDER BY md5(t::VARCHAR) DESC) TO ${sqlString(join(dst, f.file))} (FORMAT parquet)`);
    }
  } finally {
    close();
  }
}
