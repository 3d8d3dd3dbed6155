/**
 * How the BM25 miner's cost grows with the log: BM25 top-53 (the miner's skipTop 3 + window 50)
 * over the corpus of a scale log (bench/gen-scale-log.ts) for the first `queries` distinct
 * queries of its result pages, one thread; and the record scorer's lookup of every matching
 * document's score, as a ranking of the whole corpus (`search(q, size)`, before) and unranked
 * (`scoreAll`, now). Prints index build CPU seconds and queries per CPU-second of each.
 *   npx tsx bench/scale-bm25.ts --dir $TMPDIR/cf-scale-10000000 [--queries 5000]
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { openDb, queryRows, sqlString } from '../src/db/duckdb.js';
import { buildBm25 } from '../src/retrieval/bm25.js';
import { arg, numArg } from './args.js';

const dir = arg('dir', '');
const nq = numArg('queries', 5000);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const { conn, close } = await openDb({ threads: 1 });
const docs = await queryRows<{ id: string; text: string }>(conn, `SELECT doc_id AS id, text FROM read_parquet(${sqlString(join(dir, 'corpus.parquet'))})`);
// the head and the tail in log order: the first distinct queries of the pages
const queries = (await queryRows<{ q: string }>(conn, `SELECT q FROM (SELECT lower(query) AS q, min(serp_id[2:]::BIGINT) AS first FROM read_parquet(${sqlString(join(dir, 'serps.parquet'))}) GROUP BY 1) ORDER BY first LIMIT ${nq}`)).map((r) => r.q);
close();
let c = cpu();
const index = buildBm25(docs);
const build = cpu() - c;
c = cpu();
let found = 0;
for (const q of queries) found += index.search(q, 53).ids.length;
const search = cpu() - c;
// the record scorer's lookup of every matching document's score: the ranking of the whole corpus it used, and scoreAll
c = cpu();
let matched = 0;
for (const q of queries) matched += index.search(q, index.size).ids.length;
const ranked = cpu() - c;
c = cpu();
for (const q of queries) index.scoreAll(q);
const unranked = cpu() - c;
const qps = (s: number) => Math.round(queries.length / s);
process.stdout.write(`${docs.length} documents: index ${build.toFixed(1)} s CPU; ${queries.length} queries, ${(matched / queries.length).toFixed(0)} matching documents a query; top-53 ${qps(search)} queries per CPU-second (${(found / queries.length).toFixed(1)} results a query); all scores ranked (search(q, size)) ${qps(ranked)}, unranked (scoreAll) ${qps(unranked)}: ${(ranked / unranked).toFixed(1)}x (load ${loadavg().map((x) => x.toFixed(1)).join(' ')})\n`);
