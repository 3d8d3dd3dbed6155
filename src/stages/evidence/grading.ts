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
import { duckdbDialect } from '../../db/dialect/index.js';
import { curveOf, GRADING_RANKS_SCRATCH, gradedSql, sumImpressionRanksSql, type Curve } from './grading-statements.js';
import { EVIDENCE_COLUMNS, evidenceInMemoryPredicate, type ClickFacts, type EvidenceKeys, type EvidenceTable } from './evidence.js';

const STAGE = 'grading';
const D = duckdbDialect;

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

/** The curve of `examination` with the type DuckDB gives its literals (DECIMAL: exact sums). */
async function duckdbCurve(conn: DuckDBConnection, examination: readonly number[]): Promise<Curve> {
  const curve = curveOf(examination);
  const values = curve.literals.map((p, i) => `(${i + 1}, ${p})`).join(', ');
  const curveType = (await queryRows<{ t: string }>(conn, `SELECT typeof(p) AS t FROM (VALUES ${values}) t(rank, p) LIMIT 1`))[0]?.t ?? '';
  return { ...curve, decimal: curveType.startsWith('DECIMAL') };
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
  const curve = await duckdbCurve(conn, examination);
  // with buildEvidence's per-pair impression ranks, the ranks are summed first and dropped, so they
  // are not held through the grading below
  const fromRanks = curve.decimal && input.keys !== undefined;
  if (fromRanks) await sumImpressionRanks(conn, input.keys!, curve);
  const tableRows = await queryNumber(conn, `SELECT count(*) FROM ${input.evidence.name}`);
  const readWhere = await inMemoryRows(conn, input.evidence, evidence, tableRows);
  await conn.run(gradedSql(D, { ...input, out }, curve, o, rule.rule === 'relevance', fromRanks));
  if (input.keys) await conn.run([input.keys.pairRanks, input.keys.queryIds, input.keys.docIds].map((r) => `DROP TABLE IF EXISTS ${r.name};`).join(' '));
  await conn.run(`DROP TABLE IF EXISTS temp.${GRADING_RANKS_SCRATCH}`);
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

/** Expected examinations per pair from buildEvidence's impression ranks (exact under a DECIMAL curve), into _gr_imp; the ranks are dropped. */
async function sumImpressionRanks(conn: DuckDBConnection, keys: EvidenceKeys, curve: Curve): Promise<void> {
  await conn.run(sumImpressionRanksSql(D, keys.pairRanks, curve));
  await conn.run(`DROP TABLE ${keys.pairRanks.name}`);
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
