/**
 * Sessions + evidence throughput on a synthetic log generated in SQL with range():
 * ~500k result pages x 10 impressions, ~2M clicks, conversions and session ends.
 * Prints rows/s per stage, a ratio against a baseline (a bare GROUP BY over the clicks plus the
 * 30-minute gap window, run in the same process), and checks the output is identical with 1 and
 * 2 threads.  Usage: npx tsx bench/evidence.ts [serps=500000]
 */
import { openDb, queryNumber, queryRows, type DuckDBConnection } from '../src/db/duckdb.js';
import { CANONICAL_DDL } from '../src/types.js';
import { buildSessions } from '../src/stages/sessions/sessions.js';
import { sessionOptions } from '../src/stages/sessions/options.js';
import { buildEvidence } from '../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../src/stages/evidence/options.js';
import { logRelations } from '../src/stages/ingest/relations.js';

const SERPS = Number(process.argv[2] ?? 500_000);
const USERS = Math.max(1, Math.floor(SERPS / 10));
const T0 = 1_700_000_000_000;
// Each user searches every ~4 min (+ up to 1 min jitter), so consecutive searches are reformulation
// candidates; the query is a per-user topic plus a varying word, and every third one is capitalised.
const TS = (i: string) => `(${T0} + (${i} // ${USERS}) * 240000 + (hash(${i}) % 60000)::BIGINT)`;
const QUERY = `CASE WHEN i % 3 = 0 THEN 'Query ' ELSE 'query ' END || (hash(i % ${USERS}) % 20000)::BIGINT
             || CASE (i // ${USERS}) % 4 WHEN 0 THEN '' WHEN 1 THEN ' setup' WHEN 2 THEN ' error' ELSE ' windows 11' END`;

async function generate(conn: DuckDBConnection): Promise<void> {
  await conn.run(CANONICAL_DDL);
  await conn.run(`
    INSERT INTO serps
    SELECT 's' || i, NULL, 'u' || (i % ${USERS}),
           ${TS('i')},
           ${QUERY},
           NULL, 'bench', i + 1
    FROM range(${SERPS}) t(i)`);
  await conn.run(`
    INSERT INTO impressions
    SELECT 's' || i, 'd' || ((hash(i) + r * 7919) % 200000)::BIGINT, r
    FROM range(${SERPS}) t(i), range(1, 11) u(r)`);
  await conn.run(`
    INSERT INTO clicks
    SELECT row_number() OVER () AS click_id, 's' || i, 'd' || ((hash(i) + rk * 7919) % 200000)::BIGINT, rk,
           ts + (c + 1) * (hash(i * 31 + c) % 90000)::BIGINT,
           CASE WHEN hash(i * 17 + c) % 10 < 3 THEN (hash(i * 13 + c) % 120000)::BIGINT END,
           'bench', i * 4 + c + 1
    FROM (SELECT i, c, 1 + (hash(i * 11 + c) % 10)::INTEGER AS rk,
                 ${TS('i')} AS ts
          FROM range(${SERPS}) t(i), range(4) u(c))`);
  await conn.run(`
    INSERT INTO conversions
    SELECT NULL, NULL, 'u' || (i % ${USERS}), 'd' || ((hash(i) + 7919) % 200000)::BIGINT,
           ${TS('i')} + 100000, 'buy', 1.0, 'bench', i + 1
    FROM range(${SERPS}) t(i) WHERE i % 20 = 0`);
  await conn.run(`
    INSERT INTO session_ends
    SELECT NULL, 'u' || (i % ${USERS}), ${TS('i')} + 400000,
           hash(i) % 2 = 0, 'bench', i + 1
    FROM range(${SERPS}) t(i) WHERE i % 7 = 0`);
}

async function once(threads: number) {
  const { conn, close } = await openDb({ threads });
  try {
    let t = performance.now();
    await generate(conn);
    const genS = (performance.now() - t) / 1000;
    const clicks = await queryNumber(conn, 'SELECT count(*) FROM clicks');
    const impressions = await queryNumber(conn, 'SELECT count(*) FROM impressions');

    t = performance.now();
    await queryRows(conn, `SELECT count(*) FROM (SELECT serp_id, count(*), max(ts) FROM clicks GROUP BY serp_id)`);
    await queryRows(conn, `SELECT count(*) FROM (SELECT serp_id, ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts, serp_id) > 1800000 AS brk FROM serps)`);
    const baseS = (performance.now() - t) / 1000;

    t = performance.now();
    const log = logRelations();
    const ses = await buildSessions(conn, log, sessionOptions.parse({}));
    const sesS = (performance.now() - t) / 1000;
    t = performance.now();
    const ev = await buildEvidence(conn, { ...ses.relations, impressions: log.impressions, clicks: log.clicks }, evidenceOptions.parse({}));
    const evS = (performance.now() - t) / 1000;
    const digest = (await queryRows<{ h: string }>(conn, `
      SELECT md5(string_agg(query_norm || '|' || doc_id || '|' || clicks || '|' || grade || '|' || weight || '|' || skip_above || '|' || users, ',' ORDER BY query_norm, doc_id)) AS h FROM evidence`))[0]!.h;
    const factsDigest = (await queryRows<{ h: string }>(conn, `
      SELECT md5(string_agg(click_id || outcome || coalesce(dwell_ms, -1), ',' ORDER BY click_id)) AS h FROM click_facts`))[0]!.h;
    return { genS, baseS, sesS, evS, clicks, impressions, ses: ses.stats, ev: ev.stats, rows: ev.evidence.length, digest, factsDigest };
  } finally {
    close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const runs = [];
for (const threads of [2, 1]) {
  const r = await once(threads);
  runs.push(r);
  console.log(`threads=${threads}: generated ${fmt(r.clicks)} clicks, ${fmt(r.impressions)} impressions in ${r.genS.toFixed(2)} s`);
  console.log(`  baseline (GROUP BY clicks + gap window): ${r.baseS.toFixed(2)} s`);
  console.log(`  sessions: ${r.sesS.toFixed(2)} s = ${fmt(r.clicks / r.sesS)} clicks/s (x${(r.sesS / r.baseS).toFixed(1)} baseline); reformulation candidate pairs scored in TS: ${fmt(r.ses.out.reformulation_candidate_pairs ?? 0)}`);
  console.log(`  evidence: ${r.evS.toFixed(2)} s = ${fmt(r.clicks / r.evS)} clicks/s (x${(r.evS / r.baseS).toFixed(1)} baseline), ${fmt(r.rows)} evidence rows read into JS`);
  console.log(`  total sessions+evidence: ${fmt(r.clicks / (r.sesS + r.evS))} clicks/s`);
}
const [a, b] = runs;
console.log(a!.ev.notes?.[0] ?? '');
for (const n of a!.ev.notes?.slice(1) ?? []) console.log(`  ${n}`);
console.log(`sessions: ${JSON.stringify(a!.ses.out)}`);
console.log(`deterministic across thread counts: evidence ${a!.digest === b!.digest ? 'identical' : 'DIFFERENT'}, click_facts ${a!.factsDigest === b!.factsDigest ? 'identical' : 'DIFFERENT'}`);
