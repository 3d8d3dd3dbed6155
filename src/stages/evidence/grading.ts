/**
 * Relevance grading: a debiased estimate of "is this document relevant to this query" per
 * (normalised query, document), and the grade (0..3) and weight derived from it.
 *
 * The evidence stage counts signals click by click (the funnel that explains every discard);
 * this step turns the counts into one number per pair, in the spirit of the DBN click model
 * (Chapelle & Zhang 2009: relevance = attractiveness x satisfaction):
 *
 *   expected examinations  E = sum over the pair's impressions of exam(rank)      (bias stage curve)
 *   attractiveness         a = (clicks + priorClicks) / (E + priorExaminations)   (PBM, Beta-smoothed)
 *   satisfaction           s = (good + satPrior * satPriorWeight) / (good + bad + satPriorWeight)
 *                              good = converted / satisfied / success_last clicks,
 *                              bad  = pogo / short-dwell clicks, medium dwell counts `mediumDwellGood`
 *                              as good and the rest as bad, unknown dwell is neutral
 *   relevance              u = min(1, a) x s
 *
 * ## Input
 * The `evidence`, `click_facts`, `impressions` and `serp_facts` tables, the evidence records (in
 * table order) and an examination curve relative to rank 1 (`PropensityResult.relative`).
 * ## Output
 * The evidence records with grade, weight and signals replaced, the `evidence` table rewritten
 * the same way plus the columns `expected_examinations`, `ips_clicks`, `good_clicks`, `bad_clicks`,
 * `medium_clicks`, `relevance` and `funnel_grade` (the evidence stage's click-funnel grade), stats.
 * ## Drops
 * None: every evidence row keeps its row; grade 0 rows are filtered later by positives.minGrade.
 * ## Example
 * ```ts
 * const g = await gradeEvidence(conn, ev.evidence, propensities.relative, gradingOptions.parse({}));
 * ```
 * See docs/stages/evidence.md ("Relevance grading") for the thresholds and how they were measured.
 */
import { z } from 'zod';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Evidence, StageStats } from '../../types.js';
import { queryNumber, queryRows, readColumns } from '../../db/duckdb.js';
import { internalError, usageError } from '../../errors.js';
import { createNamespace, relation, requireRelations, type Namespace, type Relation } from '../../db/relation.js';
import type { Impressions } from '../ingest/relations.js';
import type { SerpFacts } from '../sessions/sessions.js';
import { EVIDENCE_COLUMNS, evidenceInMemoryPredicate, type ClickFacts, type EvidenceKeys, type EvidenceTable } from './evidence.js';

const STAGE = 'grading';

export const gradingOptions = z.object({
  rule: z.enum(['auto', 'relevance', 'funnel']).default('auto')
    .describe('"relevance" grades by the debiased relevance estimate, "funnel" by the click-outcome rule, "auto" by relevance when the bias stage reports its curve identified, else funnel. auto: relevance was more precise with identified curves and lost relevant pairs without one (docs/design/grading-auto.md).'),
  priorClicks: z.number().nonnegative().default(0.5)
    .describe('Beta prior of the attractiveness, clicks side. With priorExaminations 2, one click on one rank-1 impression gives 1.5 / 3 = 0.5 (not 1), and a never-examined pair 0.25.'),
  priorExaminations: z.number().positive().default(2)
    .describe('Beta prior of the attractiveness, examinations side (pseudo-examinations). 2 keeps a pair shown once at rank 1 and clicked at (1.5 / 3) = 0.5 rather than 1.'),
  satPrior: z.number().min(0).max(1).default(0.5).describe('Prior mean of the satisfaction rate (no dwell evidence = 0.5).'),
  satPriorWeight: z.number().positive().default(2).describe('Pseudo-clicks of the satisfaction prior (Laplace: 2).'),
  mediumDwellGood: z.number().min(0).max(1).default(0.5)
    .describe('How much of a medium-dwell click (between shortDwellMs and satisfiedDwellMs) counts as satisfied; the rest counts as not. 0.5: in the simulated worlds such clicks mix unsatisfied readers and satisfied quick answers about equally.'),
  conversionGrade: z.boolean().default(true)
    .describe('A converted click makes the pair grade 3 and sets its relevance to at least conversionRelevance, whatever the click-through, because conversions were the most precise single signal (docs/design/grading-relevance-thresholds.md).'),
  conversionRelevance: z.number().min(0).max(1).default(0.6).describe('Relevance floor of a converted pair (see conversionGrade).'),
  thresholds: z.tuple([z.number(), z.number(), z.number()]).default([0.2, 0.35, 0.5])
    .describe('Relevance at or above which a pair gets grade 1, 2, 3. 0.2 is where a positive becomes more likely relevant than not on the simulated worlds, and 0.35 and 0.5 mark clearly more precise grades (docs/design/grading-relevance-thresholds.md).'),
  weight: z.enum(['relevance', 'grade', 'one']).default('relevance')
    .describe('Weight of a positive: the relevance estimate (a monotone stand-in for the probability of relevance), grade/3, or 1.'),
  ipsClip: z.number().gt(0).max(1).default(0.1)
    .describe('IPS click weight 1 / max(exam(rank), ipsClip) for the `ips_clicks` column: clipping at 0.1 caps a click at rank ~15+ to count 10 clicks at rank 1 (Joachims et al. 2017 clip for the same variance reason).'),
});
export type GradingOptions = z.infer<typeof gradingOptions>;
export type GradingOptionsInput = z.input<typeof gradingOptions>;

/** Per-pair counts the relevance estimate is computed from. */
export interface PairSignals {
  readonly clicks: number;
  readonly expectedExaminations: number;
  readonly good: number;
  readonly bad: number;
  readonly medium: number;
  readonly converted: number;
}

export interface PairGrade {
  readonly attractiveness: number;
  readonly satisfaction: number;
  readonly relevance: number;
  readonly grade: number;
  readonly weight: number;
}

/** The relevance estimate and grade of one pair (pure; see the module doc for the formula). */
export function gradePair(p: PairSignals, o: GradingOptions): PairGrade {
  const a = Math.min(1, (p.clicks + o.priorClicks) / (p.expectedExaminations + o.priorExaminations));
  const good = p.good + o.mediumDwellGood * p.medium;
  const bad = p.bad + (1 - o.mediumDwellGood) * p.medium;
  const s = (good + o.satPrior * o.satPriorWeight) / (good + bad + o.satPriorWeight);
  let u = p.clicks > 0 ? a * s : 0;
  const converted = o.conversionGrade && p.converted > 0;
  if (converted) u = Math.max(u, o.conversionRelevance);
  const [t1, t2, t3] = o.thresholds;
  const grade = converted ? 3 : u >= t3 ? 3 : u >= t2 ? 2 : u >= t1 ? 1 : 0;
  const weight = grade === 0 ? 0 : o.weight === 'relevance' ? u : o.weight === 'grade' ? grade / 3 : 1;
  return { attractiveness: a, satisfaction: s, relevance: u, grade, weight };
}

export interface GradingResult {
  readonly evidence: Evidence[];
  /** The graded relation (`evidence_graded`). */
  readonly relations: { readonly evidence: GradedEvidence };
  readonly stats: StageStats;
  /** The rule that graded, and why (grading.rule 'auto' resolves here). */
  readonly rule: ResolvedGradingRule;
}

export interface ResolvedGradingRule {
  readonly requested: GradingOptions['rule'];
  readonly rule: 'relevance' | 'funnel';
  readonly reason: string;
}

/** The identification of the curve, as the bias stage reports it (`PropensityResult.identification`). */
export interface CurveIdentified {
  readonly identified: boolean;
  readonly reasons: readonly string[];
}

/**
 * The rule `requested` stands for: 'auto' is relevance from an identified curve and funnel from one
 * that is not; without an identification (a direct call that passes none) 'auto' is relevance.
 */
export function resolveGradingRule(requested: GradingOptions['rule'], identification?: CurveIdentified | null): ResolvedGradingRule {
  if (requested !== 'auto') return { requested, rule: requested, reason: `grading.rule ${requested} (requested)` };
  if (!identification) return { requested, rule: 'relevance', reason: 'grading.rule auto: no identification of the curve was given, so debiased relevance' };
  if (identification.identified) return { requested, rule: 'relevance', reason: 'grading.rule auto: the position-bias curve is identified (bias.identification), so debiased relevance' };
  return { requested, rule: 'funnel', reason: `grading.rule auto: the position-bias curve is not identified (${identification.reasons.join('; ')}), so the click funnel` };
}

/** What grading reads: the evidence stage's relations and ingest's impressions. */
export interface GradingInput {
  readonly evidence: EvidenceTable;
  readonly clickFacts: ClickFacts;
  readonly impressions: Impressions;
  readonly serpFacts: SerpFacts;
  /**
   * buildEvidence's keys of this evidence: read, then dropped (they have no other reader). Without
   * them the impressions are joined again; the figures are the same.
   */
  readonly keys?: EvidenceKeys;
}

/** The columns grading adds to the evidence's (after them, in this order). */
export const GRADED_COLUMNS = [...EVIDENCE_COLUMNS, 'expected_examinations', 'ips_clicks', 'good_clicks', 'bad_clicks', 'medium_clicks', 'relevance', 'funnel_grade'] as const;
export type GradedEvidence = Relation<(typeof GRADED_COLUMNS)[number]>;

/** The handle of grading's relation in namespace `ns`. */
export function gradedEvidenceRelation(ns?: Namespace): GradedEvidence {
  return relation('evidence_graded', GRADED_COLUMNS, ns);
}

/** The examination curve as SQL: ranks 1..R with their probability, clamped as the formula needs it. */
interface Curve {
  readonly R: number;
  readonly values: string;
  readonly ranks: readonly number[];
  /** The literals make DECIMALs (every value printed without an exponent): sums are exact. */
  readonly decimal: boolean;
}

async function curveOf(conn: DuckDBConnection, examination: readonly number[]): Promise<Curve> {
  const exam = examination.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3));
  const values = exam.map((p, i) => `(${i + 1}, ${p})`).join(', ');
  const curveType = (await queryRows<{ t: string }>(conn, `SELECT typeof(p) AS t FROM (VALUES ${values}) t(rank, p) LIMIT 1`))[0]?.t ?? '';
  return { R: exam.length, values, ranks: exam.map((_, i) => i + 1), decimal: curveType.startsWith('DECIMAL') };
}

/**
 * Grade every evidence row of `input.evidence` from the debiased relevance estimate into the
 * relation `evidence_graded` of namespace `ns` (the input is left as it is). `evidence` are the
 * records of that relation the caller holds (all, or buildEvidence's subset), in table order.
 * `examination` is relative to rank 1 (index 0 = rank 1); ranks past its end use its last value.
 * `identification` (the bias stage's) decides what grading.rule 'auto' grades by.
 */
export async function gradeEvidence(conn: DuckDBConnection, input: GradingInput, evidence: readonly Evidence[], examination: readonly number[], o: GradingOptions, identification?: CurveIdentified | null, ns?: Namespace): Promise<GradingResult> {
  const t0 = performance.now();
  const rule = resolveGradingRule(o.rule, identification);
  const [t1, t2, t3] = o.thresholds;
  if (!(t1 <= t2 && t2 <= t3)) throw usageError('bad_thresholds', `grading.thresholds must be non-decreasing, got [${o.thresholds.join(', ')}]: set e.g. [0.2, 0.35, 0.5].`, { stage: STAGE });
  if (examination.length === 0) throw usageError('no_examination_curve', 'gradeEvidence needs an examination curve (PropensityResult.relative): run the bias stage first.', { stage: STAGE });
  await requireRelations(conn, STAGE, [input.evidence, input.clickFacts, input.impressions, input.serpFacts], 'buildEvidence (the evidence stage)');
  await createNamespace(conn, ns);
  const out = gradedEvidenceRelation(ns);
  const curve = await curveOf(conn, examination);
  // with buildEvidence's per-pair impression ranks, the ranks are summed first and dropped, so they
  // are not held through the grading below
  const fromRanks = curve.decimal && input.keys !== undefined;
  if (fromRanks) await sumImpressionRanks(conn, input.keys!, curve);
  const tableRows = await queryNumber(conn, `SELECT count(*) FROM ${input.evidence.name}`);
  const readWhere = await inMemoryRows(conn, input.evidence, evidence, tableRows);
  await conn.run(gradedSql(input, out, curve, o, rule, fromRanks));
  if (input.keys) await conn.run([input.keys.pairRanks, input.keys.queryIds, input.keys.docIds].map((r) => `DROP TABLE IF EXISTS ${r.name};`).join(' '));
  await conn.run('DROP TABLE IF EXISTS temp._gr_imp');
  const counts = await gradeCounts(conn, out, tableRows);
  const graded = await readGrades(conn, out, evidence, readWhere, rule.rule === 'relevance');
  const changed = counts.changed;
  return {
    evidence: graded,
    relations: { evidence: out },
    stats: {
      stage: STAGE,
      in: { evidence_rows: tableRows },
      out: { evidence_rows: tableRows, evidence_rows_in_memory: graded.length, grade_0: counts.grades[0]!, grade_1: counts.grades[1]!, grade_2: counts.grades[2]!, grade_3: counts.grades[3]!, regraded: changed },
      dropped: {},
      notes: [
        rule.rule === 'relevance'
          ? `grades from debiased relevance (attractiveness x satisfaction), thresholds ${o.thresholds.join(' / ')}; ${changed} of ${tableRows} pairs changed grade from the click-funnel rule (${rule.reason}).`
          : `grades from the click-funnel rule (${rule.reason}).`,
      ],
      seconds: (performance.now() - t0) / 1000,
    },
    rule,
  };
}

/** Expected examinations per pair from buildEvidence's impression ranks (exact under a DECIMAL curve), into temp._gr_imp; the ranks are dropped. */
async function sumImpressionRanks(conn: DuckDBConnection, keys: EvidenceKeys, curve: Curve): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _gr_imp AS
    WITH ex AS (SELECT * FROM (VALUES ${curve.values}) t(rank, p))
    SELECT qid, did, list_sum(list_transform(imp_ranks, r -> pl[least(r, ${curve.R})])) AS exp_exam
    FROM ${keys.pairRanks.name}, (SELECT list(p ORDER BY rank) AS pl FROM ex)`);
  await conn.run(`DROP TABLE ${keys.pairRanks.name}`);
}

/**
 * gradePair in SQL, operation for operation (IEEE doubles both sides, constants folded in JS
 * exactly as gradePair folds them), so no evidence row round-trips through JS.
 */
function gradedSql(input: GradingInput, out: GradedEvidence, curve: Curve, o: GradingOptions, rule: ResolvedGradingRule, fromRanks: boolean): string {
  const { R, values, ranks } = curve;
  const decimalCurve = curve.decimal;
  const keys = input.keys;
  const [t1, t2, t3] = o.thresholds;
  const d = (v: number): string => `'${v}'::DOUBLE`;
  const [t1s, t2s, t3s] = [d(t1), d(t2), d(t3)];
  const converted = o.conversionGrade ? 'x_conv > 0' : 'false';
  const weight = o.weight === 'relevance' ? 'x_u' : o.weight === 'grade' ? 'x_grade::DOUBLE / 3' : '1::DOUBLE';
  const relevanceRule = rule.rule === 'relevance';
  return `
    CREATE OR REPLACE TABLE ${out.name} AS
    WITH ex AS (SELECT * FROM (VALUES ${values}) t(rank, p)),
    -- the curve as one row p1..pR, each of ex.p's type (DECIMAL or DOUBLE, as the literals make it)
    ew AS (SELECT ${ranks.map((r) => `max(p) FILTER (WHERE rank = ${r}) AS p${r}`).join(', ')} FROM ex),
    -- integer keys for the aggregations and the joins back to the table (strings only in small maps)
    ${keys ? `gq AS (SELECT query_norm, qid FROM ${keys.queryIds.name}),
    gd AS (SELECT doc_id, did FROM ${keys.docIds.name}),` : `gq AS (SELECT query_norm, row_number() OVER ()::INTEGER AS qid FROM (SELECT DISTINCT query_norm FROM ${input.evidence.name})),
    gd AS (SELECT doc_id, row_number() OVER ()::INTEGER AS did FROM (SELECT DISTINCT doc_id FROM ${input.evidence.name})),`}
    gs AS (SELECT s.serp_id, gq.qid FROM ${input.serpFacts.name} s JOIN gq USING (query_norm)),
    -- Sums of doubles are computed as integer counts per rank, then added in rank order: a
    -- parallel sum(double) adds in a thread-dependent order and changed the last bits between runs.
    -- A DECIMAL curve (the usual case: every value printed without an exponent) sums exactly, so
    -- the sum over impressions equals the rank-ordered sum of count x p to the last digit. A DOUBLE
    -- curve: one row per pair with its count at each rank 1..R, then the terms listed in rank order,
    -- ranks without impressions left out (the same list as list(n * ex.p ORDER BY r), without an
    -- ordered aggregate, which sorted every group: 17 s CPU at 2M events). With buildEvidence's
    -- per-pair impression ranks (EvidenceKeys.pairRanks) the exact sum is taken over those, no impression join.
    imp AS (${fromRanks ? `
      SELECT qid, did, exp_exam FROM temp._gr_imp` : decimalCurve ? `
      SELECT gs.qid, gd.did, sum(ex.p) AS exp_exam
      FROM ${input.impressions.name} i JOIN gs USING (serp_id) JOIN gd USING (doc_id) JOIN ex ON ex.rank = least(i.rank, ${R})
      GROUP BY 1, 2` : `
      SELECT qid, did, list_sum(list_filter([${ranks.map((r) => `CASE WHEN n${r} > 0 THEN n${r} * ew.p${r} END`).join(', ')}], x -> x IS NOT NULL)) AS exp_exam
      FROM (SELECT gs.qid, gd.did, ${ranks.map((r) => `count(*) FILTER (WHERE least(i.rank, ${R}) = ${r}) AS n${r}`).join(', ')}
            FROM ${input.impressions.name} i JOIN gs USING (serp_id) JOIN gd USING (doc_id)
            GROUP BY 1, 2), ew`}
    ),
    cl_r AS (
      SELECT gq.qid, gd.did, least(f.rank, ${R}) AS r, count(*) AS clicks,
             count(*) FILTER (WHERE outcome IN ('converted', 'satisfied', 'success_last')) AS good,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS bad,
             count(*) FILTER (WHERE outcome IN ('medium_dwell', 'medium_dwell_dropped')) AS medium,
             count(*) FILTER (WHERE outcome = 'converted') AS conv
      FROM ${input.clickFacts.name} f JOIN gq USING (query_norm) JOIN gd USING (doc_id)
      GROUP BY 1, 2, 3
    ),
    cl_p AS (
      SELECT qid, did, sum(clicks) AS clicks, ${ranks.map((r) => `max(clicks) FILTER (WHERE r = ${r}) AS c${r}`).join(', ')},
             sum(good) AS good, sum(bad) AS bad, sum(medium) AS medium, sum(conv) AS conv
      FROM cl_r WHERE r >= 1
      GROUP BY 1, 2
    ),
    cl AS (
      SELECT qid, did, clicks,
             list_sum(list_filter([${ranks.map((r) => `CASE WHEN c${r} > 0 THEN c${r} * (1.0 / greatest(ew.p${r}, ${o.ipsClip})) END`).join(', ')}], x -> x IS NOT NULL)) AS ips,
             good, bad, medium, conv
      FROM cl_p, ew
    ),
    c AS (
      SELECT e.*, coalesce(imp.exp_exam, 0)::DOUBLE AS x_exam, coalesce(cl.clicks, 0)::DOUBLE AS x_clicks,
             coalesce(cl.ips, 0)::DOUBLE AS x_ips, coalesce(cl.good, 0)::DOUBLE AS x_good, coalesce(cl.bad, 0)::DOUBLE AS x_bad,
             coalesce(cl.medium, 0)::DOUBLE AS x_medium, coalesce(cl.conv, 0)::DOUBLE AS x_conv
      FROM ${input.evidence.name} e JOIN gq USING (query_norm) JOIN gd USING (doc_id) LEFT JOIN imp USING (qid, did) LEFT JOIN cl USING (qid, did)
    ),
    a AS (
      SELECT *, least(1::DOUBLE, (x_clicks + ${d(o.priorClicks)}) / (x_exam + ${d(o.priorExaminations)})) AS x_a,
             x_good + ${d(o.mediumDwellGood)} * x_medium AS x_g, x_bad + ${d(1 - o.mediumDwellGood)} * x_medium AS x_b,
             ${converted} AS x_converted
      FROM c
    ),
    u AS (
      SELECT *, CASE WHEN x_converted THEN greatest(x_u0, ${d(o.conversionRelevance)}) ELSE x_u0 END AS x_u
      FROM (SELECT *, CASE WHEN x_clicks > 0 THEN x_a * ((x_g + ${d(o.satPrior * o.satPriorWeight)}) / (x_g + x_b + ${d(o.satPriorWeight)})) ELSE 0::DOUBLE END AS x_u0 FROM a)
    ),
    g AS (
      SELECT *, CASE WHEN x_converted THEN 3 WHEN x_u >= ${t3s} THEN 3 WHEN x_u >= ${t2s} THEN 2 WHEN x_u >= ${t1s} THEN 1 ELSE 0 END AS x_grade
      FROM u
    )
    -- no ORDER BY: every reader orders by (query_norm, doc_id) itself
    SELECT * EXCLUDE (x_exam, x_clicks, x_ips, x_good, x_bad, x_medium, x_conv, x_a, x_g, x_b, x_converted, x_u0, x_u, x_grade)
           REPLACE (${relevanceRule ? 'x_grade::INTEGER' : 'grade'} AS grade,
                    ${relevanceRule ? `CASE WHEN x_grade = 0 THEN 0::DOUBLE ELSE ${weight} END` : 'weight'} AS weight,
                    ${relevanceRule ? `CASE WHEN x_grade > 0 THEN list_append(signals, 'debiased_relevance') ELSE []::VARCHAR[] END` : 'signals'} AS signals),
           x_exam AS expected_examinations, x_ips AS ips_clicks, x_good::INTEGER AS good_clicks, x_bad::INTEGER AS bad_clicks,
           x_medium::INTEGER AS medium_clicks, x_u AS relevance, grade AS funnel_grade
    FROM g`;
}

async function gradeCounts(conn: DuckDBConnection, out: GradedEvidence, tableRows: number): Promise<{ grades: number[]; changed: number }> {
  const counts = (await queryRows<Record<string, number>>(conn, `
    SELECT count(*) AS n, count(*) FILTER (WHERE grade = 0) AS g0, count(*) FILTER (WHERE grade = 1) AS g1,
           count(*) FILTER (WHERE grade = 2) AS g2, count(*) FILTER (WHERE grade = 3) AS g3,
           count(*) FILTER (WHERE grade <> funnel_grade) AS changed
    FROM ${out.name}`))[0] ?? {};
  const cnt = (k: string): number => Number(counts[k] ?? 0);
  if (cnt('n') !== tableRows) throw internalError('grading_mismatch', `the evidence table had ${tableRows} rows before grading and ${cnt('n')} after`, { stage: STAGE });
  return { grades: [cnt('g0'), cnt('g1'), cnt('g2'), cnt('g3')], changed: cnt('changed') };
}

/** Only the records the caller holds come back to JS, column by column. */
async function readGrades(conn: DuckDBConnection, graded: GradedEvidence, evidence: readonly Evidence[], readWhere: string, relevanceRule: boolean): Promise<Evidence[]> {
  const cols = await readColumns(conn, `
    SELECT query_norm, doc_id, grade::DOUBLE AS grade, weight::DOUBLE AS weight, array_to_string(signals, ',') AS signals
    FROM ${graded.name} WHERE ${readWhere} ORDER BY query_norm, doc_id`);
  if (cols.rowCount !== evidence.length) throw internalError('grading_mismatch', `read back ${cols.rowCount} graded rows for ${evidence.length} records`, { stage: STAGE });
  const qn = cols.str('query_norm');
  const doc = cols.str('doc_id');
  const gradeCol = cols.num('grade');
  const weightCol = cols.num('weight');
  const sigCol = cols.str('signals');
  const signalLists = new Map<string, readonly string[]>();
  const out: Evidence[] = new Array<Evidence>(evidence.length);
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i]!;
    if (qn[i] !== e.query_norm || doc[i] !== e.doc_id) {
      throw internalError('grading_order', `evidence record ${i} is (${e.query_norm}, ${e.doc_id}) but the table row is (${qn[i]}, ${doc[i]}): pass the records of readEvidence / buildEvidence in table order`, { stage: STAGE });
    }
    const grade = gradeCol[i]!;
    const weight = weightCol[i]!;
    if (!relevanceRule) {
      out[i] = e;
      continue;
    }
    const s = sigCol[i] ?? '';
    let signals = signalLists.get(s);
    if (!signals) signalLists.set(s, (signals = s ? s.split(',') : []));
    out[i] = { ...e, grade, weight, signals };
  }

  return out;
}

/**
 * The SQL predicate selecting exactly the table rows `evidence` holds: every row, or the rows
 * buildEvidence returns for some minExposureForNegative (recovered as the least impression count of an
 * unclicked, never-skipped record, then checked by counting).
 */
async function inMemoryRows(conn: DuckDBConnection, table: EvidenceTable, evidence: readonly Evidence[], tableRows: number): Promise<string> {
  if (evidence.length === tableRows) return 'true';
  let m = Number.POSITIVE_INFINITY;
  for (const e of evidence) if (e.clicks === 0 && e.skip_above === 0 && e.impressions < m) m = e.impressions;
  const where = Number.isFinite(m) ? evidenceInMemoryPredicate(m) : '(clicks > 0 OR skip_above > 0)';
  const n = await queryNumber(conn, `SELECT count(*) FROM ${table.name} WHERE ${where}`);
  if (n !== evidence.length) {
    throw internalError('grading_mismatch', `evidence table has ${tableRows} rows (${n} matching ${where}) but ${evidence.length} records were given: pass every record of buildEvidence (or readEvidence) for this table.`, { stage: STAGE });
  }
  return where;
}
