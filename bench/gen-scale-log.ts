/**
 * A seeded SERP-record log of about N events and its corpus, generated in DuckDB SQL and streamed
 * to Parquet (no event is held in JS memory), with the shape of a real search log at scale:
 * - queries: a log-uniform (Zipf, s = 1) draw over as many query ids as there are result pages,
 *   so a head of popular queries and a long tail (~1.8M distinct queries at 100M events); a query
 *   is 1-3 pseudo-words of a 30,000-word vocabulary, drawn log-uniform over the ranks 100..30,100 of a
 *   Zipf law (the 100 stop words of the head left out, as tokenizers drop them);
 * - sessions: three result pages each, 45 s apart; the second and third refine the first query
 *   with one more word 40% of the time;
 * - results: ten documents per page from a per-query block of the corpus (neighbours swap places
 *   25% of the time, so a document is seen at more than one rank; 20% come from a second block), clicks at a geometric rank, dwell, 5% of clicked pages with a conversion;
 * - corpus: one document per eight result pages (at least 20,000), 20-40 such words each.
 * An event counts as gen-log counts it: a page, each result shown, each click, each conversion.
 * Every value is DuckDB's `hash()` of (row, field, seed): the same N and seed give the same files
 * on the same DuckDB version.
 *   npx tsx bench/gen-scale-log.ts [events=10000000] [outDir=<tmp>]
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, queryNumber, sqlString, type DuckDBConnection } from '../src/db/duckdb.js';

export interface ScaleLog {
  readonly dir: string;
  readonly serpsFile: string;
  readonly corpusFile: string;
  readonly events: number;
  readonly serps: number;
  readonly docs: number;
  readonly distinctQueries: number;
}

/** Events per result page: 1 page + 10 results + 0.45 x 2 clicks + 0.45 x 0.05 conversions. */
const EVENTS_PER_SERP = 1 + 10 + 0.45 * 2 + 0.45 * 0.05;
const VOCABULARY = 30_000;
const SERPS_PER_SESSION = 3;

/** The sizes of a log of about `events` events. */
export function scaleShape(events: number): { serps: number; docs: number } {
  const serps = Math.max(1, Math.round(events / EVENTS_PER_SERP));
  return { serps, docs: Math.max(20_000, Math.round(serps / 8)) };
}

/** Macros: uniform draws from hash(), Zipf-like ids, pseudo-words built from syllables. */
async function defineMacros(conn: DuckDBConnection, seed: number, queries: number): Promise<void> {
  const macros = [
    `u(a, b) AS ((hash(a, b, ${seed}) >> 11)::DOUBLE / 9007199254740992.0)`,
    // log-uniform over [0, n): density ~ 1/x, the Zipf head and tail
    `zipf(a, b, n) AS (floor(exp(u(a, b) * ln(n)))::BIGINT - 1)`,
    // words: log-uniform over ranks 100..100+V of a Zipf vocabulary, i.e. the head of 100 stop words left out as a tokenizer would
    `zword(a, b) AS (floor(exp(ln(100) + u(a, b) * ln(${VOCABULARY + 100} / 100)))::BIGINT - 100)`,
    `syl(n) AS (substr('bcdfghjklmnprstvwxyz', (n % 20)::INT + 1, 1) || substr('aeiou', (n // 20 % 5)::INT + 1, 1))`,
    `word(w) AS (syl(w % 100) || syl(w // 100 % 100) || CASE WHEN w >= 10000 THEN syl(w // 10000) ELSE '' END)`,
    `query_text(q) AS (array_to_string(list_transform(range(1 + floor(u(q, 1) * 3)::BIGINT), lambda k: word(zword(q, 10 + k))), ' '))`,
    `base_query(s) AS (zipf(s, 0, ${queries}))`,
  ];
  for (const m of macros) await conn.run(`CREATE OR REPLACE TEMP MACRO ${m}`);
}

function serpSql(serps: number, docs: number): string {
  return `
    WITH p AS (
      SELECT i, i // ${SERPS_PER_SESSION} AS s, i % ${SERPS_PER_SESSION} AS pos FROM range(${serps}) t(i)
    ),
    q AS (
      SELECT i, s, pos,
        1700000000000 + s * 400 + pos * 45000 + floor(u(i, 2) * 5000)::BIGINT AS ts,
        floor(u(s, 5) * ${Math.max(1, Math.round(serps / 10))})::BIGINT AS usr,
        CASE WHEN pos = 0 THEN query_text(base_query(s))
             WHEN u(i, 3) < 0.4 THEN query_text(base_query(s)) || ' ' || word(zword(i, 4))
             ELSE query_text(zipf(i, 6, ${serps})) END AS query
      FROM p
    ),
    r AS (
      SELECT *, hash(query) % ${docs} AS block,
        CASE WHEN u(i, 10) < 0.45 THEN 1 + floor(u(i, 11) * 3)::BIGINT ELSE 0 END AS nc
      FROM q
    ),
    l AS (
      SELECT *, list_transform(range(10), lambda k: 'd' || ((block + CASE WHEN u(i, 60 + k // 2) < 0.25 THEN xor(k, 1) ELSE k END + CASE WHEN u(i, 40 + k) < 0.2 THEN 10 ELSE 0 END) % ${docs})) AS results
      FROM r
    )
    SELECT 's' || i AS serp_id, 'u' || usr || '-' || (ts // 1800000) AS session_id, 'u' || usr AS user_id, ts, query, results,
      list_transform(range(nc), lambda c: {
        doc_id: results[1 + least(9, floor(-ln(1 - u(i, 20 + c)) * 2.5))::BIGINT],
        ts: ts + 2000 + c * 30000,
        dwell_ms: floor(u(i, 30 + c) * 120000)::BIGINT,
        rank: 1 + least(9, floor(-ln(1 - u(i, 20 + c)) * 2.5))::BIGINT
      }) AS clicks,
      CASE WHEN nc > 0 AND u(i, 12) < 0.05 THEN [{doc_id: results[1], ts: ts + 60000, kind: 'purchase', value: floor(u(i, 13) * 100)::BIGINT}] END AS conversions
    FROM l`;
}

function corpusSql(docs: number): string {
  return `
    SELECT 'd' || d AS doc_id,
      array_to_string(list_transform(range(2), lambda k: word(zword(d, 50 + k))), ' ') AS title,
      array_to_string(list_transform(range(20 + floor(u(d, 49) * 21)::BIGINT), lambda k: word(zword(d, 100 + k))), ' ') AS text
    FROM range(${docs}) t(d)`;
}

export async function generateScaleLog(events: number, dir?: string, opts: { seed?: number; threads?: number; memoryLimit?: string } = {}): Promise<ScaleLog> {
  const out = dir ?? (await mkdtemp(join(tmpdir(), 'cf-scale-')));
  await mkdir(out, { recursive: true });
  const { serps, docs } = scaleShape(events);
  const serpsFile = join(out, 'serps.parquet');
  const corpusFile = join(out, 'corpus.parquet');
  const { conn, close } = await openDb({ threads: opts.threads, memoryLimit: opts.memoryLimit ?? '4GB', tempDirectory: join(out, 'gen-spill') });
  try {
    await defineMacros(conn, opts.seed ?? 7, serps);
    await conn.run(`COPY (${serpSql(serps, docs)}) TO ${sqlString(`${serpsFile}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`);
    await conn.run(`COPY (${corpusSql(docs)}) TO ${sqlString(`${corpusFile}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`);
    const { rename } = await import('node:fs/promises');
    await rename(`${serpsFile}.tmp`, serpsFile);
    await rename(`${corpusFile}.tmp`, corpusFile);
    const n = await queryNumber(conn, `SELECT count(*) + sum(len(results)) + sum(len(clicks)) + sum(len(coalesce(conversions, []))) FROM read_parquet(${sqlString(serpsFile)})`);
    const distinctQueries = await queryNumber(conn, `SELECT count(DISTINCT lower(trim(query))) FROM read_parquet(${sqlString(serpsFile)})`);
    return { dir: out, serpsFile, corpusFile, events: n, serps, docs, distinctQueries };
  } finally {
    close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const g = await generateScaleLog(Number(process.argv[2] ?? 10_000_000), process.argv[3]);
  process.stdout.write(`${JSON.stringify(g)}\n`);
}
