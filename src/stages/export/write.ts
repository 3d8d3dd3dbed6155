import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { type DuckDBConnection, sqlString } from '../../db/duckdb.js';
import { tsvField } from '../../util/escape.js';
import { tempPathFor } from '../../util/fs.js';

/** Stream lines to a temp file beside `path`; renamed over it when complete, removed on failure or when no line was written. */
async function writeLines(path: string, lines: Iterable<string>): Promise<{ n: number; tmp: string | null }> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const out = createWriteStream(tmp);
  let n = 0;
  try {
    let buf = '';
    for (const line of lines) {
      buf += line + '\n';
      n++;
      if (buf.length >= 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    if (buf.length > 0) out.write(buf);
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  if (n === 0) {
    await rm(tmp, { force: true });
    return { n, tmp: null };
  }
  return { n, tmp };
}

/**
 * Write rows as JSONL (and/or Parquet, converted by DuckDB from the JSONL) atomically, row by row.
 * Returns rows written per extension; nothing is written, and an older file of that name is
 * removed, when there are no rows.
 */
export async function writeRows(conn: DuckDBConnection, path: string, rows: Iterable<unknown>, fileFormats: readonly ('jsonl' | 'parquet')[]): Promise<Partial<Record<'jsonl' | 'parquet', number>>> {
  const json = function* () {
    for (const r of rows) yield JSON.stringify(r);
  };
  const pq = path.replace(/\.jsonl$/, '.parquet');
  const { n, tmp } = await writeLines(path, json());
  if (tmp === null) {
    await rm(path, { force: true });
    await rm(pq, { force: true });
    return {};
  }
  const out: Partial<Record<'jsonl' | 'parquet', number>> = {};
  try {
    if (fileFormats.includes('parquet')) {
      const ptmp = tempPathFor(pq);
      try {
        await conn.run(`COPY (SELECT * FROM read_json(${sqlString(tmp)}, format='newline_delimited', sample_size=-1)) TO ${sqlString(ptmp)} (FORMAT parquet, COMPRESSION zstd)`);
        await rename(ptmp, pq);
      } catch (err) {
        await rm(ptmp, { force: true });
        throw err;
      }
      out.parquet = n;
    } else await rm(pq, { force: true });
    if (fileFormats.includes('jsonl')) {
      await rename(tmp, path);
      out.jsonl = n;
    } else await rm(path, { force: true });
  } finally {
    await rm(tmp, { force: true });
  }
  return out;
}

/**
 * BEIR qrels (`query-id`, `corpus-id`, `score`, tab-separated, with a header), written atomically;
 * nothing is written when there are no rows. Returns the rows written.
 */
export async function writeQrels(path: string, rows: Iterable<readonly [string, string, string]>, name = path): Promise<number> {
  const lines = function* () {
    yield 'query-id\tcorpus-id\tscore';
    for (const r of rows) yield `${r[0]}\t${tsvField(r[1], `document id of a ${name} judgement`)}\t${r[2]}`;
  };
  const { n, tmp } = await writeLines(path, lines());
  if (n <= 1) {
    if (tmp) await rm(tmp, { force: true });
    await rm(path, { force: true });
    return 0;
  }
  await rename(tmp!, path);
  return n - 1;
}
