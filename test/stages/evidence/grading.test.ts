import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { readEvidence } from '../../../src/stages/evidence/evidence.js';
import { gradeEvidence, gradePair, gradingOptions } from '../../../src/stages/evidence/grading.js';
import { EV, GRADING_INPUT } from '../sessions/fixture.js';

const O = gradingOptions.parse({});
const base = { clicks: 0, expectedExaminations: 0, good: 0, bad: 0, medium: 0, converted: 0 };

describe('gradePair', () => {
  it('gives grade 0 and weight 0 to a pair that was never clicked, however often shown', () => {
    const g = gradePair({ ...base, expectedExaminations: 50 }, O);
    expect(g.grade).toBe(0);
    expect(g.weight).toBe(0);
    expect(g.relevance).toBe(0);
  });

  it('debiases by position: the same clicks over fewer expected examinations (lower ranks) mean more relevance', () => {
    const top = gradePair({ ...base, clicks: 3, expectedExaminations: 10, good: 2 }, O);
    const deep = gradePair({ ...base, clicks: 3, expectedExaminations: 3, good: 2 }, O);
    expect(deep.attractiveness).toBeGreaterThan(top.attractiveness);
    expect(deep.relevance).toBeGreaterThan(top.relevance);
  });

  it('one click on one rank-1 impression is shrunk by the prior (0.5, not 1), and a pogo click on it is not a positive', () => {
    const g = gradePair({ ...base, clicks: 1, expectedExaminations: 1 }, O);
    expect(g.attractiveness).toBeCloseTo(0.5, 10);
    expect(g.relevance).toBeCloseTo(0.25, 10);
    expect(gradePair({ ...base, clicks: 1, expectedExaminations: 1, bad: 1 }, O).grade).toBe(0);
  });

  it('pogo/short clicks lower the relevance, satisfied clicks raise it; unknown dwell is neutral', () => {
    const sat = gradePair({ ...base, clicks: 4, expectedExaminations: 5, good: 4 }, O);
    const neutral = gradePair({ ...base, clicks: 4, expectedExaminations: 5 }, O);
    const pogo = gradePair({ ...base, clicks: 4, expectedExaminations: 5, bad: 4 }, O);
    expect(sat.relevance).toBeGreaterThan(neutral.relevance);
    expect(neutral.relevance).toBeGreaterThan(pogo.relevance);
    expect(neutral.satisfaction).toBeCloseTo(0.5, 10);
    expect(sat.grade).toBe(3);
    expect(pogo.grade).toBe(0);
  });

  it('a conversion makes grade 3 with at least conversionRelevance, unless conversionGrade is off', () => {
    const p = { ...base, clicks: 1, expectedExaminations: 20, converted: 1, good: 1 };
    expect(gradePair(p, O).grade).toBe(3);
    expect(gradePair(p, O).weight).toBeCloseTo(O.conversionRelevance, 10);
    expect(gradePair(p, gradingOptions.parse({ conversionGrade: false })).grade).toBe(0);
  });

  it('grades follow the thresholds and weights follow the weight option', () => {
    const p = { ...base, clicks: 6, expectedExaminations: 10, good: 3, bad: 1 };
    const g = gradePair(p, O);
    const [t1, t2, t3] = O.thresholds;
    const expected = g.relevance >= t3 ? 3 : g.relevance >= t2 ? 2 : g.relevance >= t1 ? 1 : 0;
    expect(g.grade).toBe(expected);
    expect(g.grade).toBeGreaterThan(0);
    expect(gradePair(p, gradingOptions.parse({ weight: 'one' })).weight).toBe(1);
    expect(gradePair(p, gradingOptions.parse({ weight: 'grade' })).weight).toBeCloseTo(g.grade / 3, 10);
    expect(gradePair(p, gradingOptions.parse({ thresholds: [0.99, 0.99, 0.99] })).grade).toBe(0);
  });
});

describe('gradeEvidence on DuckDB tables', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => {
    ({ conn, close } = await openDb({ threads: 1 }));
    // Query "q": doc A shown 4 times at rank 1 and clicked (satisfied) 3 times; doc B shown 4 times
    // at rank 3 and clicked once with a pogo; doc C shown at rank 2, never clicked.
    await conn.run(`
      CREATE TABLE serp_facts AS SELECT 's' || i AS serp_id, 'q' AS query_norm FROM range(4) t(i);
      CREATE TABLE impressions AS
        SELECT 's' || i AS serp_id, 'A' AS doc_id, 1 AS rank FROM range(4) t(i)
        UNION ALL SELECT 's' || i, 'C', 2 FROM range(4) t(i)
        UNION ALL SELECT 's' || i, 'B', 3 FROM range(4) t(i);
      CREATE TABLE click_facts AS
        SELECT 'q' AS query_norm, 'A' AS doc_id, 1 AS rank, 'satisfied' AS outcome FROM range(3)
        UNION ALL SELECT 'q', 'B', 3, 'pogo';
      CREATE TABLE evidence AS
        SELECT 'q' AS query_norm, 'q' AS query, d AS doc_id, 4::BIGINT AS impressions, c::BIGINT AS clicks,
               s::BIGINT AS satisfied, 0::BIGINT AS converted, 0::BIGINT AS success_last, p::BIGINT AS short_dwell,
               p::BIGINT AS pogo, 0::BIGINT AS unknown_dwell, 0::BIGINT AS skip_above, 4::BIGINT AS serps, 2::BIGINT AS users,
               0::BIGINT AS first_ts, 1::BIGINT AS last_ts, g::INTEGER AS grade, w::DOUBLE AS weight,
               CASE WHEN g > 0 THEN ['satisfied'] ELSE []::VARCHAR[] END AS signals
        FROM (VALUES ('A', 3, 3, 0, 2, 2.0), ('B', 1, 0, 1, 0, 0.0), ('C', 0, 0, 0, 0, 0.0)) t(d, c, s, p, g, w)
        ORDER BY doc_id;
    `);
  });
  afterAll(() => close());

  it('regrades from the debiased relevance into its own relation with its inputs', async () => {
    const ev = await readEvidence(conn, EV.evidence);
    const r = await gradeEvidence(conn, GRADING_INPUT, ev, [1, 0.5, 0.25], O);
    const byDoc = new Map(r.evidence.map((e) => [e.doc_id, e]));
    expect(byDoc.get('A')!.grade).toBe(2); // a = 3.5 / 6, s = 4 / 5: u = 0.47
    expect(byDoc.get('A')!.signals).toContain('debiased_relevance');
    expect(byDoc.get('B')!.grade).toBe(0);
    expect(byDoc.get('C')!.grade).toBe(0);
    expect(r.stats.out.grade_2).toBe(1);
    expect(r.stats.out.grade_0).toBe(2);
    const rows = await queryRows<{ doc_id: string; grade: number; expected_examinations: number; ips_clicks: number; funnel_grade: number; bad_clicks: number }>(
      conn, 'SELECT doc_id, grade, expected_examinations, ips_clicks, funnel_grade, bad_clicks FROM evidence_graded ORDER BY doc_id');
    expect(rows.map((x) => x.expected_examinations)).toEqual([4, 1, 2]);
    expect(rows[1]!.ips_clicks).toBeCloseTo(4, 10); // one click at rank 3: 1 / 0.25
    expect(rows[0]!.funnel_grade).toBe(2);
    expect(rows[1]!.bad_clicks).toBe(1);
    expect(rows[0]!.grade).toBe(2);
  });

  it('rejects records that are not in table order (query_norm, doc_id) with a message naming the record', async () => {
    const ev = await readEvidence(conn, EV.evidence);
    await expect(gradeEvidence(conn, GRADING_INPUT, [...ev].reverse(), [1, 0.5, 0.25], O)).rejects.toThrow(/evidence record 0 is .* but the table row is/);
  });

  it('rejects decreasing thresholds with a message that says what to set', async () => {
    const ev = await readEvidence(conn, EV.evidence);
    await expect(gradeEvidence(conn, GRADING_INPUT, ev, [1, 0.5], gradingOptions.parse({ thresholds: [0.5, 0.3, 0.6] }))).rejects.toThrow(/non-decreasing/);
  });
});
