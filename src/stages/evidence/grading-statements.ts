/**
 * Grading's SQL, written once and generated per engine (src/db/dialect): gradePair in SQL, operation
 * for operation (IEEE doubles both sides, constants folded in JS exactly as gradePair folds them),
 * so no evidence row round-trips through JS. `gradeEvidence` runs these statements on DuckDB.
 */
import type { Dialect } from '../../db/dialect/index.js';
import type { Relation } from '../../db/relation.js';
import { EVIDENCE_COLUMNS } from './evidence.js';

/** The examination curve as SQL: ranks 1..R with their probability, clamped as the formula needs it. */
export interface Curve {
  readonly R: number;
  /** The literals of exam(rank), printed as JS prints them. */
  readonly literals: readonly string[];
  readonly ranks: readonly number[];
  /** The literals make DECIMALs (every value printed without an exponent, some with a point): sums are exact. */
  readonly decimal: boolean;
  /** The most digits after the point of a literal (the scale of an exact sum). */
  readonly scale: number;
}

/** The curve of `examination` (relative to rank 1; index 0 = rank 1) as grading's SQL uses it. */
export function curveOf(examination: readonly number[]): Curve {
  const exam = examination.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3));
  const literals = exam.map((p) => `${p}`);
  const decimal = literals.every((l) => !/e/i.test(l)) && literals.some((l) => l.includes('.'));
  const scale = Math.max(0, ...literals.map((l) => (l.includes('.') ? l.length - l.indexOf('.') - 1 : 0)));
  return { R: exam.length, literals, ranks: exam.map((_, i) => i + 1), decimal, scale };
}

/** What grading reads and writes (names only). */
export interface GradingSqlRelations {
  readonly evidence: Relation;
  readonly clickFacts: Relation;
  readonly impressions: Relation;
  readonly serpFacts: Relation;
  readonly out: Relation;
  /** buildEvidence's keys, when grading reads them. */
  readonly keys?: { readonly queryIds: Relation; readonly docIds: Relation; readonly pairRanks: Relation };
}

/** The options the statements fold into constants (GradingOptions' fields). */
export interface GradingSqlOptions {
  readonly priorClicks: number;
  readonly priorExaminations: number;
  readonly satPrior: number;
  readonly satPriorWeight: number;
  readonly mediumDwellGood: number;
  readonly conversionGrade: boolean;
  readonly conversionRelevance: number;
  readonly thresholds: readonly [number, number, number];
  readonly weight: 'relevance' | 'grade' | 'one';
  readonly ipsClip: number;
}

/** The scratch relation of the expected examinations from the impression ranks. */
export const GRADING_RANKS_SCRATCH = '_gr_imp';

const curveTable = (d: Dialect, curve: Curve): string => d.values(curve.literals.map((p, i) => `(${i + 1}, ${p})`), 't', ['rank', 'p']);

/** Expected examinations per pair from buildEvidence's impression ranks (exact under a DECIMAL curve). */
export function sumImpressionRanksSql(d: Dialect, pairRanks: Relation, curve: Curve): string {
  return d.createAs(GRADING_RANKS_SCRATCH, `    WITH ex AS (SELECT * FROM ${curveTable(d, curve)})
    SELECT qid, did, ${d.listSumDecimal('imp_ranks', 'r', d.listAt('pl', `least(r, ${curve.R})`), curve.scale)} AS exp_exam
    FROM ${pairRanks.name}, (SELECT ${d.orderedListAgg('p', 'rank')} AS pl FROM ex)`, { temp: true });
}

/** The graded evidence (every evidence row, with the relevance estimate and the grade it gives under `rule`). */
export function gradedSql(d: Dialect, r: GradingSqlRelations, curve: Curve, o: GradingSqlOptions, relevanceRule: boolean, fromRanks: boolean): string {
  const { R, ranks } = curve;
  const keys = r.keys;
  const [t1, t2, t3] = o.thresholds;
  const dbl = (v: number): string => d.cast(`'${v}'`, 'DOUBLE');
  const converted = o.conversionGrade ? 'x_conv > 0' : 'false';
  const weight = o.weight === 'relevance' ? 'x_u' : o.weight === 'grade' ? `${d.cast('x_grade', 'DOUBLE')} / 3` : d.cast('1', 'DOUBLE');
  const zero = d.cast('0', 'DOUBLE');
  const replace: (readonly [string, string])[] = [
    [relevanceRule ? d.cast('x_grade', 'INTEGER') : 'grade', 'grade'],
    [relevanceRule ? `CASE WHEN x_grade = 0 THEN ${zero} ELSE ${weight} END` : 'weight', 'weight'],
    [relevanceRule ? `CASE WHEN x_grade > 0 THEN ${d.listAppend('signals', `'debiased_relevance'`)} ELSE ${d.emptyList('VARCHAR')} END` : 'signals', 'signals'],
  ];
  const scratch = ['x_exam', 'x_clicks', 'x_ips', 'x_good', 'x_bad', 'x_medium', 'x_conv', 'x_a', 'x_g', 'x_b', 'x_converted', 'x_u0', 'x_u', 'x_grade'];
  const imp = fromRanks ? `
      SELECT qid, did, exp_exam FROM ${GRADING_RANKS_SCRATCH}` : curve.decimal ? `
      SELECT gs.qid, gd.did, sum(ex.p) AS exp_exam
      FROM ${r.impressions.name} i JOIN gs USING (serp_id) JOIN gd USING (doc_id) JOIN ex ON ex.rank = least(i.rank, ${R})
      GROUP BY 1, 2` : `
      SELECT qid, did, ${d.sumOfNonNull(ranks.map((k) => `CASE WHEN n${k} > 0 THEN n${k} * ew.p${k} END`))} AS exp_exam
      FROM (SELECT gs.qid, gd.did, ${ranks.map((k) => `count(*) FILTER (WHERE least(i.rank, ${R}) = ${k}) AS n${k}`).join(', ')}
            FROM ${r.impressions.name} i JOIN gs USING (serp_id) JOIN gd USING (doc_id)
            GROUP BY 1, 2), ew`;
  return d.createAs(r.out.name, `    WITH ex AS (SELECT * FROM ${curveTable(d, curve)}),
    -- the curve as one row p1..pR, each of ex.p's type (DECIMAL or DOUBLE, as the literals make it)
    ew AS (SELECT ${ranks.map((k) => `max(p) FILTER (WHERE rank = ${k}) AS p${k}`).join(', ')} FROM ex),
    -- keys for the aggregations and the joins back to the table (strings only in small maps)
    ${keys ? `gq AS (SELECT query_norm, qid FROM ${keys.queryIds.name}),
    gd AS (SELECT doc_id, did FROM ${keys.docIds.name}),` : `gq AS (SELECT query_norm, ${d.surrogateKey('query_norm')} AS qid FROM (SELECT DISTINCT query_norm FROM ${r.evidence.name})),
    gd AS (SELECT doc_id, ${d.surrogateKey('doc_id')} AS did FROM (SELECT DISTINCT doc_id FROM ${r.evidence.name})),`}
    gs AS (SELECT s.serp_id, gq.qid FROM ${r.serpFacts.name} s JOIN gq USING (query_norm)),
    -- Sums of doubles are computed as integer counts per rank, then added in rank order: a
    -- parallel sum(double) adds in a thread-dependent order and changed the last bits between runs.
    -- A DECIMAL curve (the usual case: every value printed without an exponent) sums exactly, so
    -- the sum over impressions equals the rank-ordered sum of count x p to the last digit. A DOUBLE
    -- curve: one row per pair with its count at each rank 1..R, then the terms listed in rank order,
    -- ranks without impressions left out. With buildEvidence's per-pair impression ranks the exact
    -- sum is taken over those, no impression join.
    imp AS (${imp}
    ),
    cl_r AS (
      SELECT gq.qid, gd.did, least(f.rank, ${R}) AS r, count(*) AS clicks,
             count(*) FILTER (WHERE outcome IN ('converted', 'satisfied', 'success_last')) AS good,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS bad,
             count(*) FILTER (WHERE outcome IN ('medium_dwell', 'medium_dwell_dropped')) AS medium,
             count(*) FILTER (WHERE outcome = 'converted') AS conv
      FROM ${r.clickFacts.name} f JOIN gq USING (query_norm) JOIN gd USING (doc_id)
      GROUP BY 1, 2, 3
    ),
    cl_p AS (
      SELECT qid, did, sum(clicks) AS clicks, ${ranks.map((k) => `max(clicks) FILTER (WHERE r = ${k}) AS c${k}`).join(', ')},
             sum(good) AS good, sum(bad) AS bad, sum(medium) AS medium, sum(conv) AS conv
      FROM cl_r WHERE r >= 1
      GROUP BY 1, 2
    ),
    cl AS (
      SELECT qid, did, clicks,
             ${d.sumOfNonNull(ranks.map((k) => `CASE WHEN c${k} > 0 THEN c${k} * (${d.divide('1.0', `greatest(ew.p${k}, ${o.ipsClip})`)}) END`))} AS ips,
             good, bad, medium, conv
      FROM cl_p, ew
    ),
    c AS (
      SELECT e.*, ${d.cast('coalesce(imp.exp_exam, 0)', 'DOUBLE')} AS x_exam, ${d.cast('coalesce(cl.clicks, 0)', 'DOUBLE')} AS x_clicks,
             ${d.cast('coalesce(cl.ips, 0)', 'DOUBLE')} AS x_ips, ${d.cast('coalesce(cl.good, 0)', 'DOUBLE')} AS x_good, ${d.cast('coalesce(cl.bad, 0)', 'DOUBLE')} AS x_bad,
             ${d.cast('coalesce(cl.medium, 0)', 'DOUBLE')} AS x_medium, ${d.cast('coalesce(cl.conv, 0)', 'DOUBLE')} AS x_conv
      FROM ${r.evidence.name} e JOIN gq USING (query_norm) JOIN gd USING (doc_id) LEFT JOIN imp USING (qid, did) LEFT JOIN cl USING (qid, did)
    ),
    a AS (
      SELECT *, least(${d.cast('1', 'DOUBLE')}, (x_clicks + ${dbl(o.priorClicks)}) / (x_exam + ${dbl(o.priorExaminations)})) AS x_a,
             x_good + ${dbl(o.mediumDwellGood)} * x_medium AS x_g, x_bad + ${dbl(1 - o.mediumDwellGood)} * x_medium AS x_b,
             ${converted} AS x_converted
      FROM c
    ),
    u AS (
      SELECT *, CASE WHEN x_converted THEN greatest(x_u0, ${dbl(o.conversionRelevance)}) ELSE x_u0 END AS x_u
      FROM (SELECT *, CASE WHEN x_clicks > 0 THEN x_a * ((x_g + ${dbl(o.satPrior * o.satPriorWeight)}) / (x_g + x_b + ${dbl(o.satPriorWeight)})) ELSE ${zero} END AS x_u0 FROM a)
    ),
    g AS (
      SELECT *, CASE WHEN x_converted THEN 3 WHEN x_u >= ${dbl(t3)} THEN 3 WHEN x_u >= ${dbl(t2)} THEN 2 WHEN x_u >= ${dbl(t1)} THEN 1 ELSE 0 END AS x_grade
      FROM u
    )
    -- no ORDER BY: every reader orders by (query_norm, doc_id) itself
    SELECT ${d.starExcept(EVIDENCE_COLUMNS, scratch, replace)},
           x_exam AS expected_examinations, x_ips AS ips_clicks, ${d.cast('x_good', 'INTEGER')} AS good_clicks, ${d.cast('x_bad', 'INTEGER')} AS bad_clicks,
           ${d.cast('x_medium', 'INTEGER')} AS medium_clicks, x_u AS relevance, grade AS funnel_grade
    FROM g`);
}
