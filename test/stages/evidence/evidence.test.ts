import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '../../../src/db/duckdb.js';
import { queryRows } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence, CLICK_OUTCOMES } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions, type EvidenceOptions } from '../../../src/stages/evidence/options.js';
import { EVIDENCE_INPUT, LOG, MIN, SEC, click, freshDb, insert, serp } from '../sessions/fixture.js';

const sOpts = sessionOptions.parse({});
const eOpts = evidenceOptions.parse({});
const T0 = 1_700_000_000_000;

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

async function run(o: EvidenceOptions = eOpts) {
  await buildSessions(conn, LOG, sOpts);
  return buildEvidence(conn, EVIDENCE_INPUT, o);
}
const outcomes = async () =>
  Object.fromEntries((await queryRows<{ click_id: number; outcome: string }>(conn, 'SELECT click_id, outcome FROM click_facts')).map((r) => [r.click_id, r.outcome]));

/** One user session with a mix of behaviours. */
async function mixed(): Promise<void> {
  await serp(conn, { serp_id: 'a', ts: T0, query: 'Reset Okta token ', user_id: 'u1', docs: ['d1', 'd2', 'd3', 'd4'] });
  await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 1 * SEC, dwell_ms: 3000 }); // short, back within 20 s -> pogo
  await click(conn, { click_id: 2, serp_id: 'a', doc_id: 'd3', rank: 3, ts: T0 + 5 * SEC, dwell_ms: 60_000 }); // satisfied
  await click(conn, { click_id: 3, serp_id: 'a', doc_id: 'd4', rank: 4, ts: T0 + 120 * SEC, dwell_ms: 2000 }); // short, no return
  await serp(conn, { serp_id: 'b', ts: T0 + 10 * MIN, query: 'reset okta token', user_id: 'u2', docs: ['d3', 'd2'] });
  await click(conn, { click_id: 4, serp_id: 'b', doc_id: 'd2', rank: 2, ts: T0 + 10 * MIN + SEC, dwell_ms: 15_000 }); // medium
  await serp(conn, { serp_id: 'c', ts: T0 + 20 * MIN, query: 'reset okta token', user_id: 'u3', docs: ['d5'] });
  await click(conn, { click_id: 5, serp_id: 'c', doc_id: 'd5', rank: 1, ts: T0 + 20 * MIN + SEC }); // last click, unknown
  await insert(conn, 'conversions', [{ user_id: 'u1', doc_id: 'd4', ts: T0 + 130 * SEC, kind: 'ticket_closed' }]);
}

describe('buildEvidence: click outcomes', () => {
  it('puts every click in exactly one bucket, by precedence', async () => {
    await mixed();
    const { stats } = await run();
    expect(await outcomes()).toEqual({ 1: 'pogo', 2: 'satisfied', 3: 'converted', 4: 'medium_dwell', 5: 'weak_unknown_dwell' });
    const all = { ...stats.out, ...stats.dropped };
    const sum = CLICK_OUTCOMES.reduce((a, o) => a + (all[o] ?? 0), 0);
    expect(sum).toBe(5);
    expect(stats.in.clicks).toBe(5);
    expect(stats.out.clicks_kept).toBe(4);
    expect(stats.dropped).toEqual({ pogo: 1, short_dwell: 0 });
    expect(stats.notes?.[0]).toMatch(/5 clicks, 4 kept/);
  });

  it('short without a return is short_dwell, not pogo; short then a later return outside the window is short_dwell', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d1', 'd2'] });
    await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + SEC, dwell_ms: 2000 });
    await click(conn, { click_id: 2, serp_id: 'a', doc_id: 'd2', rank: 2, ts: T0 + 60 * SEC, dwell_ms: 2000 });
    const { stats } = await run();
    expect(await outcomes()).toEqual({ 1: 'short_dwell', 2: 'short_dwell' });
    expect(stats.dropped.short_dwell).toBe(2);
  });

  it('success_last: the last click of a successful session; unknownDwell=drop discards unknown dwell', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', session_id: 'S', docs: ['d1'] });
    await click(conn, { click_id: 1, serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + SEC });
    await serp(conn, { serp_id: 'b', ts: T0, query: 'q', session_id: 'T', docs: ['d1'] });
    await click(conn, { click_id: 2, serp_id: 'b', doc_id: 'd1', rank: 1, ts: T0 + SEC });
    await insert(conn, 'session_ends', [{ session_id: 'S', ts: T0 + MIN, success: true }]);
    const { stats, evidence } = await run({ ...eOpts, unknownDwell: 'drop' });
    expect(await outcomes()).toEqual({ 1: 'success_last', 2: 'unknown_dwell' });
    expect(stats.dropped.unknown_dwell).toBe(1);
    expect(evidence[0]).toMatchObject({ clicks: 2, success_last: 1, unknown_dwell: 2, grade: 2, signals: ['success_last'] });
  });

  it('rejects shortDwellMs above satisfiedDwellMs', async () => {
    await buildSessions(conn, LOG, sOpts);
    await expect(buildEvidence(conn, EVIDENCE_INPUT, { ...eOpts, shortDwellMs: 40_000 })).rejects.toThrow(/shortDwellMs <= satisfiedDwellMs/);
  });
});

describe('buildEvidence: aggregation', () => {
  it('aggregates under normalisation, grades pairs and keeps impression-only pairs', async () => {
    await mixed();
    const { evidence } = await run();
    expect(new Set(evidence.map((e) => e.query_norm))).toEqual(new Set(['reset okta token']));
    expect(evidence.every((e) => e.query === 'reset okta token')).toBe(true); // most frequent raw form (2 of 3)
    const by = Object.fromEntries(evidence.map((e) => [e.doc_id, e]));
    expect(evidence.map((e) => e.doc_id)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(by.d4).toMatchObject({ grade: 3, converted: 1, short_dwell: 1, signals: ['converted'], weight: 1 });
    expect(by.d3).toMatchObject({ grade: 2, satisfied: 1, impressions: 2, serps: 2, users: 2, clicks: 1, signals: ['satisfied'] });
    expect(by.d2).toMatchObject({ grade: 1, clicks: 1, impressions: 2, signals: ['medium_dwell'] });
    expect(by.d5).toMatchObject({ grade: 1, unknown_dwell: 1, signals: ['unknown_dwell'] });
    expect(by.d1).toMatchObject({ grade: 0, pogo: 1, short_dwell: 1, weight: 0, signals: [] });
    expect(by.d3!.first_ts).toBe(T0);
    expect(by.d3!.last_ts).toBe(T0 + 10 * MIN);
  });

  it('counts skip-above: shown above the lowest click and not clicked', async () => {
    await mixed();
    const { evidence } = await run();
    const by = Object.fromEntries(evidence.map((e) => [e.doc_id, e.skip_above]));
    // serp a: lowest click at rank 4; d2 (rank 2) not clicked -> 1. serp b: lowest click rank 2; d3 (rank 1) skipped -> 1.
    expect(by).toEqual({ d1: 0, d2: 1, d3: 1, d4: 0, d5: 0 });
  });

  it('a pair with only impressions is a grade-0 row with zero clicks', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u', docs: ['d1', 'd2'] });
    await click(conn, { serp_id: 'a', doc_id: 'd2', rank: 2, ts: T0 + SEC, dwell_ms: 40_000 });
    const { evidence } = await run();
    expect(evidence.map((e) => [e.doc_id, e.impressions, e.clicks, e.grade, e.skip_above])).toEqual([
      ['d1', 1, 0, 0, 1],
      ['d2', 1, 1, 2, 0],
    ]);
  });

  it('grade 2 needs satisfied/success clicks to outnumber short and pogo clicks', async () => {
    const dwells = [40_000, 2000, 2000];
    for (let i = 0; i < dwells.length; i++) {
      await serp(conn, { serp_id: `s${i}`, ts: T0 + i * 100 * MIN, query: 'q', user_id: 'u', docs: ['d1'] });
      await click(conn, { serp_id: `s${i}`, doc_id: 'd1', rank: 1, ts: T0 + i * 100 * MIN + SEC, dwell_ms: dwells[i]! });
    }
    const { evidence } = await run();
    expect(evidence[0]).toMatchObject({ grade: 1, satisfied: 1, short_dwell: 2, signals: ['satisfied'] });
    expect(evidence[0]!.weight).toBeCloseTo(1); // log2(1 + 1 kept click)
  });

  it('weight grows with supporting clicks with diminishing returns', async () => {
    for (let i = 0; i < 3; i++) {
      await serp(conn, { serp_id: `s${i}`, ts: T0 + i * 100 * MIN, query: 'q', user_id: 'u', docs: ['d1'] });
      await click(conn, { serp_id: `s${i}`, doc_id: 'd1', rank: 1, ts: T0 + i * 100 * MIN + SEC, dwell_ms: 40_000 });
    }
    const { evidence } = await run();
    expect(evidence[0]!.weight).toBeCloseTo(2); // log2(1 + 3)
  });

  it('is deterministic: two runs give identical tables', async () => {
    await mixed();
    const a = await run();
    const factsA = await queryRows(conn, 'SELECT * FROM click_facts');
    const b = await run();
    const factsB = await queryRows(conn, 'SELECT * FROM click_facts');
    expect(JSON.stringify(b.evidence)).toBe(JSON.stringify(a.evidence));
    expect(JSON.stringify(factsB)).toBe(JSON.stringify(factsA));
  });
});
