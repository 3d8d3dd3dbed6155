import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { createNamespace, relationExists } from '../../../src/db/relation.js';
import { logRelations } from '../../../src/stages/ingest/relations.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildSessions, sessionRelations } from '../../../src/stages/sessions/sessions.js';
import { freshDb, LOG, syntheticLog } from './fixture.js';

const opts = sessionOptions.parse({});
const T0 = 1_700_000_000_000;

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

const rows = (name: string, order: string) => queryRows(conn, `SELECT * FROM ${name} ORDER BY ${order}`);

describe('buildSessions: relations in, relations out', () => {
  it('returns the relations it wrote, in its namespace, and leaves the default one alone', async () => {
    await syntheticLog(conn, { t0: T0, results: 5, docs: 9, clickEvery: 3, pages: 40 });
    const { relations } = await buildSessions(conn, LOG, opts, 'run_a');
    expect(relations).toEqual(sessionRelations('run_a'));
    expect(relations.serpFacts.name).toBe('run_a.serp_facts');
    for (const r of Object.values(relations)) expect(await relationExists(conn, r)).toBe(true);
    expect(await relationExists(conn, sessionRelations().serpFacts)).toBe(false);
  });

  it('runs from fixture relations in any namespace: two runs over copies of one log coexist and agree', async () => {
    await syntheticLog(conn, { t0: T0, results: 5, docs: 9, clickEvery: 3, pages: 60 });
    await createNamespace(conn, 'copy');
    const copy = logRelations('copy');
    for (const k of ['serps', 'impressions', 'clicks', 'conversions', 'sessionEnds'] as const) await conn.run(`CREATE TABLE ${copy[k].name} AS SELECT * FROM ${LOG[k].name}`);
    const a = await buildSessions(conn, LOG, opts);
    const b = await buildSessions(conn, copy, opts, 'copy');
    expect(b.stats.out).toEqual(a.stats.out);
    expect(await rows(b.relations.serpFacts.name, 'serp_id')).toEqual(await rows(a.relations.serpFacts.name, 'serp_id'));
    expect(await rows(b.relations.sessionClicks.name, 'click_id')).toEqual(await rows(a.relations.sessionClicks.name, 'click_id'));
  });

  it('names the relation it is missing', async () => {
    await expect(buildSessions(conn, { ...LOG, clicks: { ...LOG.clicks, name: 'nowhere.clicks' } }, opts)).rejects.toThrow(/nowhere\.clicks do not exist: run ingest/);
  });
});
