import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence } from '../../../src/stages/evidence/evidence.js';
import { relationExists } from '../../../src/db/relation.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { gradeEvidence, gradingOptions } from '../../../src/stages/evidence/grading.js';
import { EV, EVIDENCE_INPUT, GRADING_INPUT, LOG, freshDb, syntheticLog } from '../sessions/fixture.js';

// gradeEvidence has two ways to get each pair's expected examinations: from the per-pair impression
// ranks buildEvidence hands over (EvidenceKeys), or by joining the impressions again. They must agree to
// the last bit, on every column of the graded table and in the records.
const T0 = 1_700_000_000_000;
const EXAM = [1, 0.7, 0.5, 0.4, 0.31, 0.25];

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

/** 120 pages, 6 queries (two raw forms of one), 7 results from 12 docs, hashed clicks and dwell; a click on an unshown rank-9 slot. */
async function world(): Promise<void> {
  await syntheticLog(conn, {
    t0: T0, results: 7, docs: 12, clickEvery: 4,
    query: "CASE WHEN i % 7 = 0 THEN 'Q ' || (i % 5) ELSE 'q ' || (i % 6) END",
    dwell: "CASE WHEN hash(i, r) % 4 = 0 THEN NULL ELSE (hash(i, r, 'd') % 90000)::BIGINT END",
  });
  await conn.run(`INSERT INTO clicks (click_id, serp_id, doc_id, rank, ts, dwell_ms, src_file, src_line) VALUES (100000, 's3', 'dx', 9, ${T0} + 3 * 400000 + 5000, 40000, 'f', 500)`);
}

async function graded(keep: boolean): Promise<unknown[]> {
  const ev = await buildEvidence(conn, EVIDENCE_INPUT, { ...evidenceOptions.parse({}), minExposureForNegative: 3 });
  const g = await gradeEvidence(conn, { ...GRADING_INPUT, ...(keep ? { keys: ev.keys } : {}) }, ev.evidence, EXAM, gradingOptions.parse({}));
  for (const k of Object.values(ev.keys)) expect(await relationExists(conn, k)).toBe(!keep);
  return [g.evidence, await queryRows(conn, `SELECT * FROM ${g.relations.evidence.name} ORDER BY query_norm, doc_id`)];
}

describe('gradeEvidence with the inputs buildEvidence keeps', () => {
  it('gives the same graded table and records as joining the impressions again', async () => {
    await world();
    await buildSessions(conn, LOG, sessionOptions.parse({}));
    const [recordsKept, tableKept] = await graded(true);
    const [recordsJoined, tableJoined] = await graded(false);
    expect(tableKept).toEqual(tableJoined);
    expect(recordsKept).toEqual(recordsJoined);
    const t = tableKept as { expected_examinations: number; grade: number }[];
    expect(t.length).toBeGreaterThan(20);
    expect(new Set(t.map((r) => r.grade)).size).toBeGreaterThan(1);
    expect(t.some((r) => r.expected_examinations > 0 && !Number.isInteger(r.expected_examinations * 100))).toBe(true);
  });

  it('leave the evidence relation as it is: grading writes its own', async () => {
    await world();
    await buildSessions(conn, LOG, sessionOptions.parse({}));
    const ev = await buildEvidence(conn, EVIDENCE_INPUT, { ...evidenceOptions.parse({}), minExposureForNegative: 3 });
    const before = await queryRows(conn, `SELECT * FROM ${EV.evidence.name} ORDER BY query_norm, doc_id`);
    const g = await gradeEvidence(conn, { ...GRADING_INPUT, keys: ev.keys }, ev.evidence, EXAM, gradingOptions.parse({}));
    expect(g.relations.evidence.name).toBe('evidence_graded');
    expect(await queryRows(conn, `SELECT * FROM ${EV.evidence.name} ORDER BY query_norm, doc_id`)).toEqual(before);
  });
});
