import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { dropNamespace } from '../../../src/db/relation.js';
import type { LogRelations } from '../../../src/stages/ingest/relations.js';
import { buildEvidence } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { logBeforeCutoff } from '../../../src/stages/splits/chronological.js';
import { freshDb, LOG, syntheticLog } from '../sessions/fixture.js';

const T0 = 1_700_000_000_000;
const CUTOFF = T0 + 50 * 400_000 + 2500; // inside page 50: its clicks after 2.5 s are cut

let a: { conn: DuckDBConnection; close: () => void };
let b: { conn: DuckDBConnection; close: () => void };
beforeEach(async () => { a = await freshDb(); b = await freshDb(); });
afterEach(() => { a.close(); b.close(); });

async function stages(conn: DuckDBConnection, log: LogRelations, ns?: string) {
  const ses = await buildSessions(conn, log, sessionOptions.parse({}), ns);
  const ev = await buildEvidence(conn, { ...ses.relations, impressions: log.impressions, clicks: log.clicks }, evidenceOptions.parse({}), ns);
  return { ses, ev };
}

describe('the pre-cutoff run: the same stages over the log cut at the cutoff', () => {
  it('equals the stages run on a log that only ever had the rows up to the cutoff', async () => {
    const log = { t0: T0, results: 6, docs: 11, clickEvery: 3, pages: 90 };
    await syntheticLog(a.conn, log);
    const cut = await logBeforeCutoff(a.conn, LOG, CUTOFF, 'pre_cutoff');
    expect(cut.serps.name).toBe('pre_cutoff.serps');
    const pre = await stages(a.conn, cut, 'pre_cutoff');

    await syntheticLog(b.conn, log);
    await b.conn.run(`DELETE FROM clicks WHERE ts > ${CUTOFF} OR serp_id IN (SELECT serp_id FROM serps WHERE ts > ${CUTOFF});
      DELETE FROM impressions WHERE serp_id IN (SELECT serp_id FROM serps WHERE ts > ${CUTOFF}); DELETE FROM serps WHERE ts > ${CUTOFF};`);
    const only = await stages(b.conn, LOG);

    expect(pre.ses.stats.out).toEqual(only.ses.stats.out);
    expect(pre.ev.stats.out).toEqual(only.ev.stats.out);
    expect(pre.ev.evidence).toEqual(only.ev.evidence);
    // the full log's relations are untouched by the cut run
    expect((await queryRows<{ n: number }>(a.conn, 'SELECT count(*)::INTEGER AS n FROM serps'))[0]!.n).toBe(90);
    await dropNamespace(a.conn, 'pre_cutoff');
    expect((await queryRows<{ n: number }>(a.conn, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'pre_cutoff'"))[0]!.n).toBe(0);
  });
});
