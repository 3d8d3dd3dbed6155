import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '../../../src/db/duckdb.js';
import { queryNumber, queryRows } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence, evidenceInMemoryPredicate, readEvidence, type BuildEvidenceOptions } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { EV, EVIDENCE_INPUT, LOG, MIN, SEC, click, freshDb, serp } from '../sessions/fixture.js';

const sOpts = sessionOptions.parse({});
const eOpts: BuildEvidenceOptions = { ...evidenceOptions.parse({}), minExposureForNegative: undefined };
const T0 = 1_700_000_000_000;

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

async function run(o: BuildEvidenceOptions = eOpts) {
  await buildSessions(conn, LOG, sOpts);
  return buildEvidence(conn, EVIDENCE_INPUT, o);
}

/**
 * Query "q", three pages by three users. d1 is clicked on every page; d2 is shown above the click
 * once (skip); d3 is shown below the click on every page (3 impressions, never clicked); d4 once
 * below the click (1 impression, never clicked).
 */
async function world(): Promise<void> {
  await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d2', 'd1', 'd3', 'd4'] });
  await click(conn, { serp_id: 'a', doc_id: 'd1', rank: 2, ts: T0 + SEC, dwell_ms: 40_000 });
  await serp(conn, { serp_id: 'b', ts: T0 + 5 * MIN, query: 'q', user_id: 'u2', docs: ['d1', 'd3'] });
  await click(conn, { serp_id: 'b', doc_id: 'd1', rank: 1, ts: T0 + 5 * MIN + SEC, dwell_ms: 40_000 });
  await serp(conn, { serp_id: 'c', ts: T0 + 9 * MIN, query: 'Q', user_id: 'u3', docs: ['d1', 'd3'] });
  await click(conn, { serp_id: 'c', doc_id: 'd1', rank: 1, ts: T0 + 9 * MIN + SEC, dwell_ms: 40_000 });
}

describe('buildEvidence: which pairs are read into memory', () => {
  it('unset: every pair, as before', async () => {
    await world();
    const { evidence, stats } = await run();
    expect(evidence.map((e) => e.doc_id)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(stats.out).toMatchObject({ evidence_rows: 4, evidence_rows_in_memory: 4, evidence_rows_table_only: 0 });
  });

  it('minExposureForNegative: clicked, skipped-above and well-exposed pairs only; the table keeps every pair', async () => {
    await world();
    const { evidence, stats } = await run({ ...eOpts, minExposureForNegative: 3 });
    expect(evidence.map((e) => [e.doc_id, e.clicks, e.skip_above, e.impressions])).toEqual([
      ['d1', 3, 0, 3],
      ['d2', 0, 1, 1],
      ['d3', 0, 0, 3],
    ]);
    expect(await queryNumber(conn, 'SELECT count(*) FROM evidence')).toBe(4);
    expect(stats.out).toMatchObject({ evidence_rows: 4, evidence_rows_in_memory: 3, evidence_rows_table_only: 1 });
    expect(stats.notes?.some((n) => /1 of 4 pairs .* stay in the evidence table only/.test(n))).toBe(true);

    const strict = await run({ ...eOpts, minExposureForNegative: 4 });
    expect(strict.evidence.map((e) => e.doc_id)).toEqual(['d1', 'd2']);
    // the records equal the full read of the same rows
    const full = await readEvidence(conn, EV.evidence);
    expect(strict.evidence).toEqual(full.filter((e) => e.doc_id === 'd1' || e.doc_id === 'd2'));
  });

  it('rejects a negative or non-finite threshold, naming the option', () => {
    expect(() => evidenceInMemoryPredicate(-1)).toThrow(/minExposureForNegative must be a number >= 0/);
    expect(() => evidenceInMemoryPredicate(Number.NaN)).toThrow(/minExposureForNegative/);
    expect(evidenceInMemoryPredicate(undefined)).toBe('true');
  });
});

describe('buildEvidence: impression counting edge cases', () => {
  it('a doc shown twice on one page: 2 impressions, 1 serp; a clicked doc no impression shows counts as shown once', async () => {
    await serp(conn, { serp_id: 'a', ts: T0, query: 'q', user_id: 'u1', docs: ['d1', 'd2', 'd1', 'd3'] });
    await click(conn, { serp_id: 'a', doc_id: 'd3', rank: 4, ts: T0 + SEC, dwell_ms: 40_000 });
    await click(conn, { serp_id: 'a', doc_id: 'd9', rank: 7, ts: T0 + 2 * SEC, dwell_ms: 40_000 });
    await serp(conn, { serp_id: 'b', ts: T0 + 2 * MIN, query: 'q', user_id: 'u1', docs: ['d1'] });
    const { evidence } = await run();
    const by = Object.fromEntries(evidence.map((e) => [e.doc_id, [e.impressions, e.serps, e.users, e.skip_above, e.clicks]]));
    // lowest click is rank 7: d1 (ranks 1 and 3), d2 and d3 (clicked, so no skip) are above it
    expect(by).toEqual({ d1: [3, 2, 1, 2, 0], d2: [1, 1, 1, 1, 0], d3: [1, 1, 1, 0, 1], d9: [1, 1, 1, 0, 1] });
    expect(evidence.find((e) => e.doc_id === 'd1')).toMatchObject({ first_ts: T0, last_ts: T0 + 2 * MIN });
  });

  it('same tables with 1 and 2 threads', async () => {
    const fill = async () => {
      for (let i = 0; i < 40; i++) {
        const docs = Array.from({ length: 6 }, (_, r) => `d${(i * 7 + r * 3) % 23}`);
        await serp(conn, { serp_id: `s${i}`, ts: T0 + i * 7 * MIN, query: `q${i % 5}`, user_id: `u${i % 9}`, docs });
        await click(conn, { serp_id: `s${i}`, doc_id: docs[i % 6]!, rank: (i % 6) + 1, ts: T0 + i * 7 * MIN + SEC, dwell_ms: (i * 7919) % 60_000 });
      }
    };
    const dump = async () => JSON.stringify(await queryRows(conn, 'SELECT * FROM evidence ORDER BY query_norm, doc_id'));
    await fill();
    await conn.run('SET threads = 1');
    const a = await run({ ...eOpts, minExposureForNegative: 3 });
    const ta = await dump();
    await conn.run('SET threads = 2');
    const b = await run({ ...eOpts, minExposureForNegative: 3 });
    expect(await dump()).toBe(ta);
    expect(JSON.stringify(b.evidence)).toBe(JSON.stringify(a.evidence));
    expect(a.evidence.length).toBeGreaterThan(0);
  });
});
