import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '../../../src/db/duckdb.js';
import { queryRows } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { querySimilarity, trigramJaccard, wordJaccard } from '../../../src/stages/sessions/similarity.js';
import { LOG, MIN, SEC, click, freshDb, insert, serp } from './fixture.js';

const opts = sessionOptions.parse({});
const T0 = 1_700_000_000_000;

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

const sessionOf = async (): Promise<Record<string, string>> => {
  const rows = await queryRows<{ serp_id: string; session_key: string }>(conn, 'SELECT serp_id, session_key FROM serp_facts');
  return Object.fromEntries(rows.map((r) => [r.serp_id, r.session_key]));
};
const clickRow = async (id: number) =>
  (await queryRows<Record<string, unknown>>(conn, `SELECT * FROM session_clicks WHERE click_id = ${id}`))[0]!;

describe('buildSessions: sessionization', () => {
  it('splits by the inactivity gap: 29 min stays, 31 min starts a new session', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'vpn', user_id: 'u1', docs: ['d1'] });
    await serp(conn, { serp_id: 'b', ts: T0 + 29 * MIN, query: 'vpn', user_id: 'u1', docs: ['d1'] });
    await serp(conn, { serp_id: 'c', ts: T0 + 60 * MIN, query: 'vpn', user_id: 'u1', docs: ['d1'] });
    await serp(conn, { serp_id: 'z', ts: T0, query: 'vpn', docs: ['d1'] });
    const { stats } = await buildSessions(conn, LOG, opts);
    const s = await sessionOf();
    expect(s.a).toBe(s.b);
    expect(s.c).not.toBe(s.b);
    expect(s.z).toBe('x:z');
    expect(stats.out.sessions).toBe(3);
    expect(stats.out.sessions_gap).toBe(2);
    expect(stats.out.sessions_single).toBe(1);
  });

  it('measures the gap from the last click, not only the last search', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'vpn', user_id: 'u1', docs: ['d1'] });
    await click(conn, { serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 20 * MIN });
    await serp(conn, { serp_id: 'b', ts: T0 + 45 * MIN, query: 'vpn', user_id: 'u1', docs: ['d1'] });
    await buildSessions(conn, LOG, opts);
    const s = await sessionOf();
    expect(s.a).toBe(s.b);
  });

  it('a given session_id wins over the gap', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', session_id: 'S1', docs: ['d1'] });
    await serp(conn, { serp_id: 'b', ts: T0 + 1 * MIN, query: 'q', user_id: 'u1', session_id: 'S2', docs: ['d1'] });
    await serp(conn, { serp_id: 'c', ts: T0 + 120 * MIN, query: 'q', user_id: 'u1', session_id: 'S1', docs: ['d1'] });
    await buildSessions(conn, LOG, opts);
    const s = await sessionOf();
    expect(s.a).toBe('s:S1');
    expect(s.c).toBe('s:S1');
    expect(s.b).toBe('s:S2');
  });
});

describe('buildSessions: dwell', () => {
  it('derives dwell from the next event, caps it, and leaves the last click unknown', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d1', 'd2', 'd3'] });
    await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 5 * SEC });
    await click(conn, { click_id: 2, serp_id: 'a', doc_id: 'd2', rank: 2, ts: T0 + 50 * SEC, dwell_ms: 1234 });
    await click(conn, { click_id: 3, serp_id: 'a', doc_id: 'd3', rank: 3, ts: T0 + 80 * SEC });
    await serp(conn, { serp_id: 'b', ts: T0 + 80 * SEC + 29 * MIN, query: 'other', user_id: 'u1', docs: ['d4'] });
    await click(conn, { click_id: 4, serp_id: 'b', doc_id: 'd4', rank: 1, ts: T0 + 81 * SEC + 29 * MIN });
    const { stats } = await buildSessions(conn, LOG, { ...opts, dwellCapMs: 10 * MIN });
    expect(await clickRow(1)).toMatchObject({ dwell_ms: 45_000, dwell_source: 'derived' });
    expect(await clickRow(2)).toMatchObject({ dwell_ms: 1234, dwell_source: 'given' });
    expect(await clickRow(3)).toMatchObject({ dwell_ms: 10 * MIN, dwell_source: 'derived', dwell_capped: true });
    expect(await clickRow(4)).toMatchObject({ dwell_ms: null, dwell_source: 'unknown', is_last_click: true });
    expect(stats.out).toMatchObject({ dwell_given: 1, dwell_derived: 2, dwell_unknown: 1, dwell_capped: 1 });
  });

  it('flags a return to the same page within the pogo window', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d1', 'd2', 'd3'] });
    await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 5 * SEC });
    await click(conn, { click_id: 2, serp_id: 'a', doc_id: 'd2', rank: 2, ts: T0 + 10 * SEC });
    await click(conn, { click_id: 3, serp_id: 'a', doc_id: 'd3', rank: 3, ts: T0 + 100 * SEC });
    await buildSessions(conn, LOG, opts);
    expect((await clickRow(1)).pogo_return).toBe(true);
    expect((await clickRow(2)).pogo_return).toBe(false);
    expect((await clickRow(3)).pogo_return).toBe(false);
  });
});

describe('buildSessions: reformulation', () => {
  it('keeps a similar next query within the window, not an unrelated one or a late one', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'Reset okta tokn', user_id: 'u1', docs: ['d1'] });
    await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 2 * SEC });
    await serp(conn, { serp_id: 'b', ts: T0 + 10 * SEC, query: 'reset okta token', user_id: 'u1', docs: ['d2'] });
    await serp(conn, { serp_id: 'c', ts: T0 + 60 * SEC, query: 'lunch menu', user_id: 'u1', docs: ['d3'] });
    await serp(conn, { serp_id: 'd', ts: T0 + 20 * MIN, query: 'lunch menus today', user_id: 'u1', docs: ['d3'] });
    const { stats } = await buildSessions(conn, LOG, opts);
    const rows = await queryRows<{ serp_id: string; reformulated: boolean }>(conn, 'SELECT serp_id, reformulated FROM serp_facts ORDER BY serp_id');
    expect(rows.map((r) => r.reformulated)).toEqual([true, false, false, false]);
    expect(await queryRows(conn, 'SELECT * FROM reformulations')).toEqual([
      { query_norm_from: 'reset okta tokn', query_norm_to: 'reset okta token', count: 1 },
    ]);
    expect(stats.out.serps_reformulated).toBe(1);
    // the click on 'a' was followed by the reformulation 8 s later: a return within the pogo window
    expect((await clickRow(1)).pogo_return).toBe(true);
  });

  it('similarity: word and trigram Jaccard', () => {
    expect(wordJaccard('a b c', 'a b d')).toBeCloseTo(0.5);
    expect(trigramJaccard('abc', 'abc')).toBe(1);
    expect(querySimilarity('okta tokn', 'okta token')).toBeGreaterThan(0.4);
    expect(querySimilarity('okta token', 'lunch menu')).toBeLessThan(0.1);
  });
});

describe('buildSessions: conversions and success', () => {
  it('links a conversion to the latest page before it that showed the doc, preferring a clicked one', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d1', 'd2'] });
    await click(conn, { serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + SEC });
    await serp(conn, { serp_id: 'b', ts: T0 + MIN, query: 'q', user_id: 'u1', docs: ['d1'] });
    await serp(conn, { serp_id: 'c', ts: T0 + 10 * MIN, query: 'q', user_id: 'u1', docs: ['d1'] });
    await insert(conn, 'conversions', [
      { user_id: 'u1', doc_id: 'd1', ts: T0 + 5 * MIN, kind: 'buy' },   // a (clicked) over b (later, not clicked)
      { user_id: 'u1', doc_id: 'd2', ts: T0 + 5 * MIN, kind: 'buy' },   // a: only page showing d2
      { user_id: 'u1', doc_id: 'd9', ts: T0 + 5 * MIN, kind: 'buy' },   // never shown
      { user_id: 'u2', doc_id: 'd1', ts: T0 + 5 * MIN, kind: 'buy' },   // other user
      { serp_id: 'c', doc_id: 'd1', ts: T0 + 11 * MIN, kind: 'buy' },   // given
    ]);
    const { stats } = await buildSessions(conn, LOG, opts);
    const rows = await queryRows<{ serp_id: string | null; link: string }>(conn, 'SELECT serp_id, link FROM conversion_links ORDER BY conv_row');
    expect(rows).toEqual([
      { serp_id: 'a', link: 'linked' },
      { serp_id: 'a', link: 'linked' },
      { serp_id: null, link: 'unlinked' },
      { serp_id: null, link: 'unlinked' },
      { serp_id: 'c', link: 'given' },
    ]);
    expect(stats.dropped.conversion_unlinked).toBe(2);
  });

  it('takes session success from session_end events, by session_id or by user and time', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', session_id: 'S1', docs: ['d1'] });
    await serp(conn, { serp_id: 'b', ts: T0, query: 'q', user_id: 'u1', docs: ['d1'] });
    await serp(conn, { serp_id: 'c', ts: T0 + 120 * MIN, query: 'q', user_id: 'u1', docs: ['d1'] });
    await insert(conn, 'session_ends', [
      { session_id: 'S1', ts: T0 + MIN, success: true },
      { user_id: 'u1', ts: T0 + 2 * MIN, success: true },
      { user_id: 'u9', ts: T0 + 2 * MIN, success: true },
    ]);
    const { stats } = await buildSessions(conn, LOG, opts);
    const rows = await queryRows<{ serp_id: string; session_success: boolean | null }>(conn, 'SELECT serp_id, session_success FROM serp_facts ORDER BY serp_id');
    expect(rows).toEqual([
      { serp_id: 'a', session_success: true },
      { serp_id: 'b', session_success: true },
      { serp_id: 'c', session_success: null },
    ]);
    expect(stats.dropped.session_end_unmatched).toBe(1);
  });

  it('fails with a clear message when ingest did not run', async () => {
    await conn.run('DROP TABLE clicks');
    await expect(buildSessions(conn, LOG, opts)).rejects.toThrow(/clicks do not exist: run ingest/);
  });
});
