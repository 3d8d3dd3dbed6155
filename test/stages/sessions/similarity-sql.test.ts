import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, sqlString, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { duckdbDialect } from '../../../src/db/dialect/index.js';
import { relation } from '../../../src/db/relation.js';
import { parseConfig } from '../../../src/config.js';
import { ingest } from '../../../src/stages/ingest/ingest.js';
import { logRelations } from '../../../src/stages/ingest/relations.js';
import { buildSessions, REFORMULATION_PAIRS_COLUMNS, sessionRelations } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { querySimilarity } from '../../../src/stages/sessions/similarity.js';
import { reformulationPairsSql, serpBaseSql, serpSeqSql, windowsOf } from '../../../src/stages/sessions/statements.js';
import { normalizeQuery } from '../../../src/text/normalize.js';
import { buildHelpdeskWorld, parseSimulateOptions, simulateLog } from '../../../src/tools/simulate/index.js';

const D = duckdbDialect;
const OUT = { ...sessionRelations(), reformulationPairs: relation('sql_pairs', REFORMULATION_PAIRS_COLUMNS) };
const W = windowsOf(sessionOptions.parse({}));
const MESSY = join(import.meta.dirname, '..', '..', 'fixtures', 'messy');

type Pair = { query_norm_from: string; query_norm_to: string; similarity: number };
const byKey = (a: Pair, b: Pair) => (a.query_norm_from + '\u0000' + a.query_norm_to < b.query_norm_from + '\u0000' + b.query_norm_to ? -1 : 1);

async function sqlPairs(conn: DuckDBConnection, minSimilarity: number): Promise<Pair[]> {
  await conn.run(reformulationPairsSql(D, OUT, W, minSimilarity));
  return queryRows<Pair>(conn, `SELECT * FROM ${OUT.reformulationPairs.name}`);
}

describe('reformulation similarity in SQL equals querySimilarity', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-sim-sql-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('on every pair of awkward queries (empty, one letter, repeats, CJK, emoji, accents), to the last bit', async () => {
    const queries = ['', 'a', 'ab', 'okta tokn', 'okta token', 'token okta okta', 'reset  password', 'vpn', 'vpn setup mac', '重置密码', '重置 密码',
      '😀 vpn', 'vpn 😀😀', 'café crème', 'cafe creme', 'x y z', 'z y x w'].map(normalizeQuery);
    const { conn, close } = await openDb({ threads: 1 });
    try {
      const rows = queries.flatMap((a) => queries.map((b) => `(${sqlString(a)}, ${sqlString(b)}, 0, 0)`));
      await conn.run(`CREATE TEMP TABLE _serp_seq AS SELECT * FROM (VALUES ${rows.join(', ')}) t(query_norm, next_query_norm, ts, next_serp_ts)`);
      const got = (await sqlPairs(conn, 0)).sort(byKey);
      const want = [...new Set(queries)].flatMap((a) => [...new Set(queries)].filter((b) => b !== a).map((b) => ({ query_norm_from: a, query_norm_to: b, similarity: querySimilarity(a, b) }))).sort(byKey);
      expect(got).toEqual(want);
    } finally {
      close();
    }
  });

  it.each([
    ['the messy fixture', () => ({ events: [join(MESSY, 'events.jsonl')], serps: [join(MESSY, 'serps.jsonl')] }), 0],
    ['a simulated helpdesk world', async (d: string) => {
      const sim = parseSimulateOptions({ seed: 11, sessions: 400, world: { intents: 30 } });
      await simulateLog(buildHelpdeskWorld(sim), sim, join(d, 'sim'));
      return { serps: [join(d, 'sim', 'serps.jsonl')] };
    }, 1],
  ] as const)('gives the pairs buildSessions writes on %s', async (_name, inputOf, minPairs) => {
    const input = await inputOf(dir);
    const { conn, close } = await openDb({ threads: 1 });
    try {
      await ingest(conn, parseConfig({ input }).input);
      const log = logRelations();
      await buildSessions(conn, log, sessionOptions.parse({}));
      const want = (await queryRows<Pair>(conn, 'SELECT * FROM reformulation_pairs')).sort(byKey);
      await conn.run(serpBaseSql(D, log, OUT, W));
      await conn.run(serpSeqSql(D));
      const got = (await sqlPairs(conn, sessionOptions.parse({}).reformulationMinSimilarity)).sort(byKey);
      expect(want.length).toBeGreaterThanOrEqual(minPairs);
      expect(got).toEqual(want);
    } finally {
      close();
    }
  });
});
