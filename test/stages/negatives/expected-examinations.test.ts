import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { gradeEvidence, gradingOptions } from '../../../src/stages/evidence/grading.js';
import { loadExpectedExaminations } from '../../../src/stages/negatives/behavioural-miner.js';
import { EV, EVIDENCE_INPUT, GRADING_INPUT, LOG, freshDb, syntheticLog } from '../sessions/fixture.js';

// The behavioural miner's exposure of an unclicked pair used to be computed in JS from per-rank
// impression counts and the pipeline's propensity array; it is now the graded evidence's
// `expected_examinations`. This checks the two definitions agree, on a curve with a zero, a NaN
// and a value above 1 (the clamps) and on ranks past the end of the curve.
const T0 = 1_700_000_000_000;
const EXAM = [1, 0.7, 0, 1.3, Number.NaN, 0.25];

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

/** 120 pages, 6 queries, 9 results (ranks 7..9 past the curve) from 14 docs, hashed clicks. */
async function world(): Promise<void> {
  await syntheticLog(conn, { t0: T0, results: 9, docs: 14, clickEvery: 9 });
  await buildSessions(conn, LOG, sessionOptions.parse({}));
}

/** The former JS definition: sum over ranks of impressions x prop[rank], prop = [0, ...clamped curve], past the end its last value. */
async function formerExposure(): Promise<Map<string, number>> {
  const prop = [0, ...EXAM.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3))];
  const rows = await queryRows<{ k: string; rank: number; n: number }>(
    conn,
    'SELECT s.query_norm || chr(9) || i.doc_id AS k, i.rank::INTEGER AS rank, count(*)::DOUBLE AS n FROM impressions i JOIN serp_facts s USING (serp_id) GROUP BY 1, 2 ORDER BY 1, 2',
  );
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.k, (out.get(r.k) ?? 0) + r.n * (prop[r.rank] ?? prop[prop.length - 1] ?? 1));
  return out;
}

describe('loadExpectedExaminations', () => {
  it('equals the former per-rank exposure for every unclicked pair, and reads no clicked pair', async () => {
    await world();
    const ev = await buildEvidence(conn, EVIDENCE_INPUT, { ...evidenceOptions.parse({}), minExposureForNegative: 3 });
    const graded = (await gradeEvidence(conn, GRADING_INPUT, ev.evidence, EXAM, gradingOptions.parse({}))).relations.evidence;
    const x = await loadExpectedExaminations(conn, graded);
    const former = await formerExposure();
    const unclicked = await queryRows<{ k: string }>(conn, 'SELECT query_norm || chr(9) || doc_id AS k FROM evidence WHERE clicks = 0');
    expect(unclicked.length).toBeGreaterThan(5);
    expect(x.size).toBe(unclicked.length);
    // docs are shown at ranks 3..5 (curve 0, 1.3, NaN: clamped to 1e-3, 1, 1e-3) and 7..9 (past the curve: its last value)
    for (const { k } of unclicked) expect(x.get(k)).toBeCloseTo(former.get(k)!, 12);
    const shown = await queryRows<{ n: number }>(conn, 'SELECT count(DISTINCT rank)::INTEGER AS n FROM impressions WHERE rank IN (3, 4, 5, 7, 8, 9)');
    expect(shown[0]!.n).toBe(6);

    const few = await loadExpectedExaminations(conn, graded, { minImpressions: 1e9 });
    expect(few.size).toBe(0);
  });

  it('names the missing grading step when the evidence table has no expected_examinations', async () => {
    await world();
    await buildEvidence(conn, EVIDENCE_INPUT, { ...evidenceOptions.parse({}), minExposureForNegative: 3 });
    // a relation that claims the column it lacks (the type cannot tell)
    await expect(loadExpectedExaminations(conn, { ...EV.evidence } as Parameters<typeof loadExpectedExaminations>[1])).rejects.toThrow(/gradeEvidence/);
  });
});
