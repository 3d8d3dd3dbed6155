import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { evidenceInMemoryPredicate, readEvidence } from '../../../src/stages/evidence/evidence.js';
import { gradeEvidence, gradePair, gradingOptions, type GradingOptionsInput } from '../../../src/stages/evidence/grading.js';
import { EV, GRADING_INPUT } from '../sessions/fixture.js';

// 400 pairs (20 queries x 20 docs) with hashed impressions at ranks 1..12 and hashed click outcomes:
// enough variety to hit every branch of gradePair (conversions, medium dwell, grade 0..3).
const OUTCOMES = ['converted', 'satisfied', 'success_last', 'pogo', 'short_dwell', 'medium_dwell', 'medium_dwell_dropped', 'weak_unknown_dwell', 'unknown_dwell'];
const EXAM = [1, 0.7, 0.5, 0.4, 0.31, 0.25, 0.2, 0.18, 0.15, 0.12];

async function world(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TABLE serp_facts AS SELECT 's' || i AS serp_id, 'q' || (i % 20) AS query_norm FROM range(600) t(i);
    CREATE OR REPLACE TABLE impressions AS
      SELECT 's' || i AS serp_id, 'd' || ((hash(i * 13 + r) % 20)::BIGINT) AS doc_id, r::INTEGER AS rank
      FROM range(600) t(i), range(1, 13) u(r) WHERE hash(i * 7 + r) % 3 > 0;
    CREATE OR REPLACE TABLE click_facts AS
      SELECT s.query_norm, i.doc_id, i.rank, ${`[${OUTCOMES.map((x) => `'${x}'`).join(', ')}]`}[(hash(i.serp_id || i.doc_id) % 9)::INTEGER + 1] AS outcome
      FROM impressions i JOIN serp_facts s USING (serp_id) WHERE hash(i.serp_id || i.doc_id || 'c') % 5 = 0;
    CREATE OR REPLACE TABLE evidence AS
      WITH imp AS (SELECT s.query_norm, i.doc_id, count(*) AS impressions FROM impressions i JOIN serp_facts s USING (serp_id) GROUP BY 1, 2),
      cl AS (SELECT query_norm, doc_id, count(*) AS clicks, count(*) FILTER (WHERE outcome = 'satisfied') AS sat FROM click_facts GROUP BY 1, 2)
      SELECT query_norm, query_norm AS query, doc_id, impressions::BIGINT AS impressions, coalesce(clicks, 0)::BIGINT AS clicks,
             coalesce(sat, 0)::BIGINT AS satisfied, 0::BIGINT AS converted, 0::BIGINT AS success_last, 0::BIGINT AS short_dwell,
             0::BIGINT AS pogo, 0::BIGINT AS unknown_dwell, (hash(doc_id || query_norm) % 2)::BIGINT * (impressions % 2) AS skip_above,
             1::BIGINT AS serps, 1::BIGINT AS users, 0::BIGINT AS first_ts, 1::BIGINT AS last_ts,
             CASE WHEN coalesce(sat, 0) > 0 THEN 2 WHEN coalesce(clicks, 0) > 0 THEN 1 ELSE 0 END::INTEGER AS grade,
             CASE WHEN coalesce(clicks, 0) > 0 THEN log2(1 + clicks) ELSE 0 END::DOUBLE AS weight,
             CASE WHEN coalesce(clicks, 0) > 0 THEN ['satisfied'] ELSE []::VARCHAR[] END AS signals
      FROM imp LEFT JOIN cl USING (query_norm, doc_id);
  `);
}

/** The per-pair inputs exactly as the previous (row-by-row JS) implementation read them. */
async function reference(conn: DuckDBConnection, o: ReturnType<typeof gradingOptions.parse>, exam: readonly number[] = EXAM) {
  const values = exam.map((p, i) => `(${i + 1}, ${p})`).join(', ');
  const rows = await queryRows<{ query_norm: string; doc_id: string; exp_exam: number; clicks: number; good: number; bad: number; medium: number; conv: number }>(conn, `
    WITH ex AS (SELECT * FROM (VALUES ${values}) t(rank, p)),
    imp_r AS (SELECT s.query_norm, i.doc_id, least(i.rank, ${exam.length}) AS r, count(*) AS n FROM impressions i JOIN serp_facts s USING (serp_id) GROUP BY 1, 2, 3),
    imp AS (SELECT query_norm, doc_id, list_sum(list(n * ex.p ORDER BY r)) AS exp_exam FROM imp_r JOIN ex ON ex.rank = imp_r.r GROUP BY 1, 2),
    cl AS (SELECT f.query_norm, f.doc_id, count(*) AS clicks,
             count(*) FILTER (WHERE outcome IN ('converted', 'satisfied', 'success_last')) AS good,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS bad,
             count(*) FILTER (WHERE outcome IN ('medium_dwell', 'medium_dwell_dropped')) AS medium,
             count(*) FILTER (WHERE outcome = 'converted') AS conv
           FROM click_facts f GROUP BY 1, 2)
    SELECT e.query_norm, e.doc_id, coalesce(imp.exp_exam, 0)::DOUBLE AS exp_exam, coalesce(cl.clicks, 0)::DOUBLE AS clicks,
           coalesce(cl.good, 0)::DOUBLE AS good, coalesce(cl.bad, 0)::DOUBLE AS bad, coalesce(cl.medium, 0)::DOUBLE AS medium, coalesce(cl.conv, 0)::DOUBLE AS conv
    FROM evidence e LEFT JOIN imp USING (query_norm, doc_id) LEFT JOIN cl USING (query_norm, doc_id) ORDER BY 1, 2`);
  return new Map(rows.map((r) => [`${r.query_norm}\t${r.doc_id}`, gradePair({ clicks: r.clicks, expectedExaminations: r.exp_exam, good: r.good, bad: r.bad, medium: r.medium, converted: r.conv }, o)]));
}

describe('gradeEvidence computes gradePair in SQL', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => ({ conn, close } = await openDb({ threads: 2 })));
  afterAll(() => close());

  const cases: GradingOptionsInput[] = [
    {},
    { weight: 'grade', thresholds: [0.1, 0.30000000000000004, 0.45] },
    { weight: 'one', conversionGrade: false, mediumDwellGood: 0.3, priorClicks: 0.1, priorExaminations: 1.7 },
    { satPrior: 0.35, satPriorWeight: 3.3, conversionRelevance: 0.45 },
  ];
  for (const input of cases) {
    it(`gives exactly gradePair's grade, weight and relevance for every pair (${JSON.stringify(input)})`, async () => {
      await world(conn);
      const o = gradingOptions.parse(input);
      const want = await reference(conn, o);
      const ev = await readEvidence(conn, EV.evidence);
      const r = await gradeEvidence(conn, GRADING_INPUT, ev, EXAM, o);
      const table = await queryRows<{ query_norm: string; doc_id: string; grade: number; weight: number; relevance: number; signals: string[] }>(
        conn, 'SELECT query_norm, doc_id, grade, weight, relevance, signals FROM evidence_graded');
      expect(table.length).toBe(want.size);
      const grades = new Set<number>();
      for (const t of table) {
        const w = want.get(`${t.query_norm}\t${t.doc_id}`)!;
        expect([t.grade, t.weight, t.relevance]).toEqual([w.grade, w.weight, w.relevance]);
        expect(t.signals.includes('debiased_relevance')).toBe(w.grade > 0);
        grades.add(t.grade);
      }
      expect([...grades].sort()).toEqual([0, 1, 2, 3]);
      for (const e of r.evidence) {
        const w = want.get(`${e.query_norm}\t${e.doc_id}`)!;
        expect([e.grade, e.weight]).toEqual([w.grade, w.weight]);
      }
      expect(r.stats.out.grade_0! + r.stats.out.grade_1! + r.stats.out.grade_2! + r.stats.out.grade_3!).toBe(table.length);
    });
  }

  // a value printed with an exponent makes the curve literals DOUBLE (not DECIMAL): the sum is then
  // order-sensitive and gradeEvidence takes its rank-ordered path
  it('gives exactly the reference grades with a curve whose literals are DOUBLE (a value below 1e-6)', async () => {
    await world(conn);
    const exam = [1, 0.7, 0.5, 0.4, 0.31, 0.25, 0.2, 0.18, 3e-7, 0.12];
    const o = gradingOptions.parse({});
    const want = await reference(conn, o, exam);
    await gradeEvidence(conn, GRADING_INPUT, await readEvidence(conn, EV.evidence), exam, o);
    const table = await queryRows<{ query_norm: string; doc_id: string; grade: number; weight: number; relevance: number }>(
      conn, 'SELECT query_norm, doc_id, grade, weight, relevance FROM evidence_graded');
    expect(table.length).toBe(want.size);
    for (const t of table) {
      const w = want.get(`${t.query_norm}\t${t.doc_id}`)!;
      expect([t.grade, t.weight, t.relevance]).toEqual([w.grade, w.weight, w.relevance]);
    }
  });

  it('grades the subset buildEvidence keeps in memory (minExposureForNegative) like the full set, table included', async () => {
    await world(conn);
    const full = await gradeEvidence(conn, GRADING_INPUT, await readEvidence(conn, EV.evidence), EXAM, gradingOptions.parse({}));
    const fullTable = await queryRows(conn, 'SELECT * FROM evidence_graded ORDER BY query_norm, doc_id');
    await world(conn);
    const subset = await readEvidence(conn, EV.evidence, evidenceInMemoryPredicate(4));
    expect(subset.length).toBeLessThan(full.evidence.length);
    expect(subset.length).toBeGreaterThan(0);
    const part = await gradeEvidence(conn, GRADING_INPUT, subset, EXAM, gradingOptions.parse({}));
    expect(await queryRows(conn, 'SELECT * FROM evidence_graded ORDER BY query_norm, doc_id')).toEqual(fullTable);
    const byKey = new Map(full.evidence.map((e) => [`${e.query_norm}\t${e.doc_id}`, e]));
    expect(part.evidence.map((e) => byKey.get(`${e.query_norm}\t${e.doc_id}`))).toEqual(part.evidence);
    expect(part.stats.out).toMatchObject({ ...full.stats.out, evidence_rows_in_memory: subset.length });
  });

  it('funnel rule keeps grade, weight and signals but still writes the relevance columns', async () => {
    await world(conn);
    const ev = await readEvidence(conn, EV.evidence);
    const r = await gradeEvidence(conn, GRADING_INPUT, ev, EXAM, gradingOptions.parse({ rule: 'funnel' }));
    expect(r.evidence).toEqual(ev);
    const n = await queryRows<{ n: number; rel: number }>(conn, 'SELECT count(*) FILTER (WHERE grade <> funnel_grade) AS n, count(*) FILTER (WHERE relevance > 0) AS rel FROM evidence_graded');
    expect(n[0]).toEqual({ n: 0, rel: expect.any(Number) });
    expect(n[0]!.rel).toBeGreaterThan(0);
  });

  it('auto grades by relevance from an identified curve and by the funnel from one that is not, saying why', async () => {
    await world(conn);
    const ev = await readEvidence(conn, EV.evidence);
    const auto = gradingOptions.parse({});
    expect(auto.rule).toBe('auto');
    const ok = await gradeEvidence(conn, GRADING_INPUT, ev, EXAM, auto, { identified: true, reasons: [] });
    expect(ok.rule).toMatchObject({ requested: 'auto', rule: 'relevance' });
    expect(ok.evidence).not.toEqual(ev);
    expect(ok.stats.notes![0]).toMatch(/^grades from debiased relevance .*curve is identified/);
    await world(conn);
    const ev2 = await readEvidence(conn, EV.evidence);
    const no = await gradeEvidence(conn, GRADING_INPUT, ev2, EXAM, auto, { identified: false, reasons: ['its interval comes from 7 queries (< minQueries 10)'] });
    expect(no.rule).toMatchObject({ requested: 'auto', rule: 'funnel' });
    expect(no.evidence).toEqual(ev2);
    expect(no.stats.notes![0]).toBe('grades from the click-funnel rule (grading.rule auto: the position-bias curve is not identified (its interval comes from 7 queries (< minQueries 10)), so the click funnel).');
    // an explicit rule is not overridden by the identification
    await world(conn);
    const ev3 = await readEvidence(conn, EV.evidence);
    const forced = await gradeEvidence(conn, GRADING_INPUT, ev3, EXAM, gradingOptions.parse({ rule: 'relevance' }), { identified: false, reasons: ['x'] });
    expect(forced.rule.rule).toBe('relevance');
    expect(forced.evidence).toEqual(ok.evidence);
  });

  it('rejects records that are not one of the sets buildEvidence returns, naming the fix', async () => {
    await world(conn);
    const ev = await readEvidence(conn, EV.evidence);
    await expect(gradeEvidence(conn, GRADING_INPUT, ev.slice(1), EXAM, gradingOptions.parse({}))).rejects.toThrow(/pass every record of buildEvidence/);
    const swapped = [...ev];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    await expect(gradeEvidence(conn, GRADING_INPUT, swapped, EXAM, gradingOptions.parse({}))).rejects.toThrow(/table order/);
  });
});
