import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { loadSessionCoClicks } from '../../../src/stages/false-negatives/session-clicks.js';
import { mineNegatives } from '../../../src/stages/negatives/mine.js';
import { doc, ev, multi } from '../negatives/fixtures.js';
import { SES, EV } from '../sessions/fixture.js';

describe('session co-clicks (click veto across in-session reformulations)', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => {
    ({ conn, close } = await openDb({ threads: 1 }));
    await conn.run(`
      CREATE TABLE serp_facts (serp_id VARCHAR, session_key VARCHAR, query_norm VARCHAR, ts BIGINT);
      CREATE TABLE click_facts (serp_id VARCHAR, doc_id VARCHAR, ts BIGINT, kept BOOLEAN);
      -- session A: "okta token" then "okta login broken" (clicked sso, a pogo click on faq), then "okta token" again (clicked pos)
      INSERT INTO serp_facts VALUES ('a1', 'A', 'okta token', 100), ('a2', 'A', 'okta login broken', 200), ('a3', 'A', 'okta token', 300);
      INSERT INTO click_facts VALUES ('a2', 'sso', 210, true), ('a2', 'faq', 220, false), ('a3', 'pos', 310, true);
      -- session B: "vpn" clicked vpn-doc; "okta token" never issued there
      INSERT INTO serp_facts VALUES ('b1', 'B', 'vpn', 150), ('b2', 'B', 'okta login broken', 160);
      INSERT INTO click_facts VALUES ('b1', 'vpn-doc', 155, true);
      -- session C: "okta token" at 400, then "okta reset" clicked later (after a cutoff at 450), and a click without a time
      INSERT INTO serp_facts VALUES ('c1', 'C', 'okta token', 400), ('c2', 'C', 'okta reset', 500), ('c3', 'C', 'okta admin', 420);
      INSERT INTO click_facts VALUES ('c2', 'reset-doc', 510, true), ('c3', 'admin-doc', NULL, true);
    `);
  });
  afterAll(() => close());

  it('maps each record query to the docs clicked for its other in-session queries, discarded clicks included', async () => {
    const m = await loadSessionCoClicks(conn, { serpFacts: SES.serpFacts, clickFacts: EV.clickFacts }, ['okta token', 'okta token']);
    expect([...m.entries()]).toEqual([
      ['okta token\tadmin-doc', 'okta admin'],
      ['okta token\tfaq', 'okta login broken'],
      ['okta token\treset-doc', 'okta reset'],
      ['okta token\tsso', 'okta login broken'],
    ]);
  });

  it('never pairs a query with its own clicks, with other sessions, or with queries that have no records', async () => {
    const m = await loadSessionCoClicks(conn, { serpFacts: SES.serpFacts, clickFacts: EV.clickFacts }, ['okta login broken', 'nobody']);
    // its own click (sso) is not a co-click; vpn-doc is in session B with it, pos in session A
    expect([...m.entries()]).toEqual([['okta login broken\tpos', 'okta token'], ['okta login broken\tvpn-doc', 'vpn']]);
    expect((await loadSessionCoClicks(conn, { serpFacts: SES.serpFacts, clickFacts: EV.clickFacts }, [])).size).toBe(0);
  });

  it('keeps only pages and clicks up to beforeTs (chronological pre-cutoff view)', async () => {
    const m = await loadSessionCoClicks(conn, { serpFacts: SES.serpFacts, clickFacts: EV.clickFacts }, ['okta token'], { beforeTs: 450 });
    expect([...m.keys()]).toEqual(['okta token\tadmin-doc', 'okta token\tfaq', 'okta token\tsso']);
  });

  it('drives the click veto inside mineNegatives, counted under session_click', async () => {
    const docs = [doc('pos', 'reset okta token'), doc('sso', 'okta single sign on login'), doc('other', 'okta status page')];
    const sessionCoClicks = await loadSessionCoClicks(conn, { serpFacts: SES.serpFacts, clickFacts: EV.clickFacts }, ['okta token']);
    const input = { positives: [multi('okta token', [{ doc_id: 'pos', text: 'reset okta token' }])], evidence: [ev('okta token', 'pos', { clicks: 1, grade: 2 }), ev('okta token', 'sso', { skip_above: 2 }), ev('okta token', 'other', { skip_above: 1 })], docs };
    const opts = { miners: ['behavioural' as const], perRecord: 1, fill: 'none' as const, seed: 1 };
    const on = await mineNegatives({ ...input, sessionCoClicks }, opts);
    expect(on.records[0]!.negatives.map((n) => n.doc_id)).toEqual(['other']);
    expect(on.stats.find((s) => s.stage === 'false-negatives/click-veto')!.dropped).toEqual({ session_click: 1 });
    const off = await mineNegatives({ ...input, sessionCoClicks }, { ...opts, filters: { clickVeto: { sessionScope: false } } });
    expect(off.records[0]!.negatives.map((n) => n.doc_id)).toEqual(['sso']);
    const missing = await mineNegatives(input, opts);
    expect(missing.stats.find((s) => s.stage === 'negatives/mine')!.notes?.some((n) => n.includes('sessionScope is on but no sessionCoClicks'))).toBe(true);
  });
});
