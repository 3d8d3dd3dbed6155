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
import { queryRows } from '../../db/duckdb.js';
import { internalError, usageError } from '../../errors.js';
import { appendStringRows, requireTables } from '../sessions/db-helpers.js';

const STAGE = 'grading';

export const gradingOptions = z.object({
  rule: z.enum(['relevance', 'funnel']).default('relevance')
    .describe('"relevance": grade and weight from the debiased relevance estimate (attractiveness x satisfaction). "funnel": keep the evidence stage\'s click-outcome rule (grade 3 converted, 2 satisfied, 1 any kept click; weight log2(1 + kept clicks)), which was less precise on both simulated worlds (see docs/stages/evidence.md).'),
  priorClicks: z.number().nonnegative().default(0.5)
    .describe('Beta prior of the attractiveness, clicks side. With priorExaminations 2, one click on one rank-1 impression gives 1.5 / 3 = 0.5 (not 1), and a never-examined pair 0.25.'),
  priorExaminations: z.number().positive().default(2)
    .describe('Beta prior of the attractiveness, examinations side (pseudo-examinations). 2 keeps a pair shown once at rank 1 and clicked at (1.5 / 3) = 0.5 rather than 1.'),
  satPrior: z.number().min(0).max(1).default(0.5).describe('Prior mean of the satisfaction rate (no dwell evidence = 0.5).'),
  satPriorWeight: z.number().positive().default(2).describe('Pseudo-clicks of the satisfaction prior (Laplace: 2).'),
  mediumDwellGood: z.number().min(0).max(1).default(0.5)
    .describe('How much of a medium-dwell click (between shortDwellMs and satisfiedDwellMs) counts as satisfied; the rest counts as not. 0.5: in the simulated worlds such clicks mix unsatisfied readers and satisfied quick answers about equally.'),
  conversionGrade: z.boolean().default(true)
    .describe('A converted click makes the pair grade 3 and sets its relevance to at least conversionRelevance, whatever the click-through: conversions were the most precise single signal (89% relevant on the help-desk world).'),
  conversionRelevance: z.number().min(0).max(1).default(0.6).describe('Relevance floor of a converted pair (see conversionGrade).'),
  thresholds: z.tuple([z.number(), z.number(), z.number()]).default([0.2, 0.35, 0.5])
    .describe('Relevance at or above which a pair gets grade 1, 2, 3. Measured on the simulator (help-desk seed 42 and Cranfield seeds 42 and 7): relevance 0.2 is where a positive becomes more likely relevant than not on both worlds; 0.35 and 0.5 are where precision passes ~75% and ~85%.'),
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
  readonly stats: StageStats;
}

/**
 * Grade every evidence row from the debiased relevance estimate and rewrite the `evidence` table.
 * `examination` is relative to rank 1 (index 0 = rank 1); ranks past its end use its last value.
 */
export async function gradeEvidence(conn: DuckDBConnection, evidence: readonly Evidence[], examination: readonly number[], o: GradingOptions): Promise<GradingResult> {
  const t0 = performance.now();
  const [t1, t2, t3] = o.thresholds;
  if (!(t1 <= t2 && t2 <= t3)) throw usageError('bad_thresholds', `grading.thresholds must be non-decreasing, got [${o.thresholds.join(', ')}]: set e.g. [0.2, 0.35, 0.5].`, { stage: STAGE });
  if (examination.length === 0) throw usageError('no_examination_curve', 'gradeEvidence needs an examination curve (PropensityResult.relative): run the bias stage first.', { stage: STAGE });
  await requireTables(conn, STAGE, ['evidence', 'click_facts', 'impressions', 'serp_facts'], 'buildEvidence (the evidence stage)');
  const R = examination.length;
  const exam = examination.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3));
  const values = exam.map((p, i) => `(${i + 1}, ${p})`).join(', ');
  const rows = await queryRows<{ query_norm: string; doc_id: string; exp_exam: number; clicks: number; ips: number; good: number; bad: number; medium: number; conv: number }>(conn, `
    WITH ex AS (SELECT * FROM (VALUES ${values}) t(rank, p)),
    imp AS (
      SELECT s.query_norm, i.doc_id, sum(ex.p) AS exp_exam
      FROM impressions i JOIN serp_facts s USING (serp_id) JOIN ex ON ex.rank = least(i.rank, ${R})
      GROUP BY 1, 2
    ),
    cl AS (
      SELECT f.query_norm, f.doc_id, count(*) AS clicks,
             sum(1.0 / greatest(ex.p, ${o.ipsClip})) AS ips,
             count(*) FILTER (WHERE outcome IN ('converted', 'satisfied', 'success_last')) AS good,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS bad,
             count(*) FILTER (WHERE outcome IN ('medium_dwell', 'medium_dwell_dropped')) AS medium,
             count(*) FILTER (WHERE outcome = 'converted') AS conv
      FROM click_facts f JOIN ex ON ex.rank = least(f.rank, ${R})
      GROUP BY 1, 2
    )
    SELECT e.query_norm, e.doc_id, coalesce(imp.exp_exam, 0)::DOUBLE AS exp_exam, coalesce(cl.clicks, 0)::DOUBLE AS clicks,
           coalesce(cl.ips, 0)::DOUBLE AS ips, coalesce(cl.good, 0)::DOUBLE AS good, coalesce(cl.bad, 0)::DOUBLE AS bad,
           coalesce(cl.medium, 0)::DOUBLE AS medium, coalesce(cl.conv, 0)::DOUBLE AS conv
    FROM evidence e LEFT JOIN imp USING (query_norm, doc_id) LEFT JOIN cl USING (query_norm, doc_id)
    ORDER BY e.query_norm, e.doc_id
  `);
  if (rows.length !== evidence.length) throw internalError('grading_mismatch', `evidence table has ${rows.length} rows but ${evidence.length} records were given`, { stage: STAGE });

  const out: Evidence[] = [];
  const grades = [0, 0, 0, 0];
  let changed = 0;
  await conn.run('CREATE OR REPLACE TEMP TABLE _grades (query_norm VARCHAR, doc_id VARCHAR, grade DOUBLE, weight DOUBLE, signals VARCHAR, expected_examinations DOUBLE, ips_clicks DOUBLE, good_clicks DOUBLE, bad_clicks DOUBLE, medium_clicks DOUBLE, relevance DOUBLE, funnel_grade DOUBLE)');
  const appendRows: (string | number | null)[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const e = evidence[i]!;
    if (r.query_norm !== e.query_norm || r.doc_id !== e.doc_id) {
      throw internalError('grading_order', `evidence record ${i} is (${e.query_norm}, ${e.doc_id}) but the table row is (${r.query_norm}, ${r.doc_id}): pass the records of readEvidence in table order`, { stage: STAGE });
    }
    let grade = e.grade;
    let weight = e.weight;
    let signals = e.signals;
    const g = gradePair({ clicks: r.clicks, expectedExaminations: r.exp_exam, good: r.good, bad: r.bad, medium: r.medium, converted: r.conv }, o);
    const relevance = g.relevance;
    if (o.rule === 'relevance') {
      grade = g.grade;
      weight = g.weight;
      signals = grade > 0 ? [...e.signals, 'debiased_relevance'] : [];
    }
    if (grade !== e.grade) changed++;
    grades[grade] = (grades[grade] ?? 0) + 1;
    out.push(grade === e.grade && weight === e.weight && signals === e.signals ? e : { ...e, grade, weight, signals });
    appendRows.push([r.query_norm, r.doc_id, grade, weight, signals.join(','), r.exp_exam, r.ips, r.good, r.bad, r.medium, relevance, e.grade]);
  }
  await appendStringRows(conn, '_grades', appendRows);
  await conn.run(`
    CREATE OR REPLACE TABLE evidence AS
    SELECT e.* REPLACE (g.grade::INTEGER AS grade, g.weight AS weight,
                        CASE WHEN g.signals = '' THEN []::VARCHAR[] ELSE string_split(g.signals, ',') END AS signals),
           g.expected_examinations, g.ips_clicks, g.good_clicks::INTEGER AS good_clicks, g.bad_clicks::INTEGER AS bad_clicks,
           g.medium_clicks::INTEGER AS medium_clicks, g.relevance, g.funnel_grade::INTEGER AS funnel_grade
    FROM evidence e JOIN _grades g USING (query_norm, doc_id)
    ORDER BY e.query_norm, e.doc_id`);
  await conn.run('DROP TABLE IF EXISTS _grades');

  return {
    evidence: out,
    stats: {
      stage: STAGE,
      in: { evidence_rows: evidence.length },
      out: { evidence_rows: out.length, grade_0: grades[0]!, grade_1: grades[1]!, grade_2: grades[2]!, grade_3: grades[3]!, regraded: changed },
      dropped: {},
      notes: [
        o.rule === 'relevance'
          ? `grades from debiased relevance (attractiveness x satisfaction), thresholds ${o.thresholds.join(' / ')}; ${changed} of ${out.length} pairs changed grade from the click-funnel rule.`
          : 'grades from the click-funnel rule (grading.rule = funnel).',
      ],
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
