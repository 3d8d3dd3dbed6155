/**
 * Applying a calibration: grades from the estimated probability of relevance, and the veto of
 * negative candidates the calibration calls likely relevant.
 *
 * ## Input
 * The relations the features are computed from (graded evidence and its click facts, session
 * clicks, serp facts: see features.ts), the evidence records in table order, a calibration file.
 * ## Output
 * The evidence records with grade, weight and signals replaced for clicked pairs (grade 1/2/3 at
 * the file's probability thresholds, weight = the probability, signal `calibrated`), the relation
 * `evidence_calibrated` graded the same way (the graded evidence's columns plus
 * `calibrated_relevance`) and `calibration_features`; unclicked pairs keep grade 0.
 * `calibratedVeto` returns the pairs at or above the file's veto.
 * ## Drops
 * None: a clicked pair below the grade-1 threshold gets grade 0 and is dropped later by
 * positives.minGrade, counted there.
 * ## Example
 * ```ts
 * const cal = await readCalibrationFile('calibration.json');
 * const calibrated = await applyCalibration(conn, { evidence: graded.relations.evidence, clickFacts, sessionClicks, serpFacts }, graded.evidence, cal);
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, readColumns } from '../../db/duckdb.js';
import { relation, type Namespace, type Relation } from '../../db/relation.js';
import { inputError, internalError } from '../../errors.js';
import type { Evidence, StageStats } from '../../types.js';
import { GRADED_COLUMNS } from '../evidence/grading.js';
import { buildCalibrationFeatures, type CalibrationFeatureInput, type CalibrationFeatures } from './features.js';
import { modelsOf } from './fit.js';
import { calibrationFileSchema, type CalibrationFile } from './options.js';
import type { NegativeOptions } from '../negatives/options.js';

const STAGE = 'calibration/apply';

/** Read and check a calibration.json (an error names the file and the first problem). */
export async function readCalibrationFile(path: string): Promise<CalibrationFile & { readonly path: string }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw inputError('bad_calibration', `${path}: cannot read a calibration (${(e as Error).message}): pass the calibration.json that \`clickforge calibrate\` wrote.`, { stage: STAGE, cause: e });
  }
  const r = calibrationFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw inputError('bad_calibration', `${path}: not a clickforge calibration (${issue.path.join('.') || 'top level'}: ${issue.message}): pass the calibration.json that \`clickforge calibrate\` wrote.`, { stage: STAGE });
  }
  modelsOf(r.data, path);
  return { ...r.data, path };
}

/**
 * The estimated probability of relevance as SQL over the columns of `calibration_features`: the
 * clicked model for clicked pairs, the unclicked model for the others.
 */
export function probabilitySql(cal: CalibrationFile): string {
  const d = (v: number) => `'${v}'::DOUBLE`;
  const one = (m: CalibrationFile['models']['clicked']) => {
    const z = [d(m.intercept), ...m.features.map((f) => `${d(f.weight)} * ((${f.name} - ${d(f.mean)}) / ${d(f.sd)})`)].join(' + ');
    return `(1::DOUBLE / (1::DOUBLE + exp(-(${z}))))`;
  };
  return `(CASE WHEN clicked > 0 THEN ${one(cal.models.clicked)} ELSE ${one(cal.models.unclicked)} END)`;
}

export const CALIBRATED_COLUMNS = [...GRADED_COLUMNS, 'calibrated_relevance'] as const;
export type CalibratedEvidence = Relation<(typeof CALIBRATED_COLUMNS)[number]>;

export interface CalibrationResult {
  readonly evidence: Evidence[];
  readonly relations: { readonly features: CalibrationFeatures; readonly evidence: CalibratedEvidence };
  readonly stats: StageStats;
}

/** Grade the evidence of `input` from the calibration into `evidence_calibrated` of namespace `ns` (see the module doc). */
export async function applyCalibration(conn: DuckDBConnection, input: CalibrationFeatureInput, evidence: readonly Evidence[], cal: CalibrationFile, ns?: Namespace): Promise<CalibrationResult> {
  const t0 = performance.now();
  const features = await buildCalibrationFeatures(conn, input, ns);
  const out = relation('evidence_calibrated', CALIBRATED_COLUMNS, ns);
  const [t1, t2, t3] = cal.grades.thresholds.map((t) => `'${t}'::DOUBLE`) as [string, string, string];
  const rows = await queryNumber(conn, `SELECT count(*) FROM ${input.evidence.name}`);
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.name} AS
    WITH p AS (SELECT query_norm, doc_id, ${probabilitySql(cal)} AS x_p FROM ${features.name}),
    g AS (
      SELECT e.*, p.x_p, CASE WHEN e.clicks = 0 THEN 0 WHEN p.x_p >= ${t3} THEN 3 WHEN p.x_p >= ${t2} THEN 2 WHEN p.x_p >= ${t1} THEN 1 ELSE 0 END AS x_grade
      FROM ${input.evidence.name} e JOIN p USING (query_norm, doc_id)
    )
    SELECT * EXCLUDE (x_p, x_grade) REPLACE (x_grade::INTEGER AS grade, CASE WHEN x_grade > 0 THEN x_p ELSE 0::DOUBLE END AS weight,
           CASE WHEN x_grade > 0 THEN ['calibrated'] ELSE []::VARCHAR[] END AS signals),
           x_p AS calibrated_relevance
    FROM g`);
  const after = await queryNumber(conn, `SELECT count(*) FROM ${out.name}`);
  if (after !== rows) throw internalError('calibration_mismatch', `the evidence table had ${rows} rows before calibration and ${after} after`, { stage: STAGE });
  const cols = await readColumns(conn, `SELECT query_norm, doc_id, grade::DOUBLE AS grade, weight::DOUBLE AS weight FROM ${out.name} WHERE clicks > 0`);
  const qn = cols.str('query_norm'), doc = cols.str('doc_id'), grade = cols.num('grade'), weight = cols.num('weight');
  const byPair = new Map<string, number>();
  for (let i = 0; i < cols.rowCount; i++) byPair.set(`${qn[i]}\t${doc[i]}`, i);
  const grades = [0, 0, 0, 0];
  const calibrated: readonly string[] = ['calibrated'];
  const graded = evidence.map((e): Evidence => {
    if (e.clicks === 0) return e.grade === 0 ? e : { ...e, grade: 0, weight: 0, signals: [] };
    const i = byPair.get(`${e.query_norm}\t${e.doc_id}`);
    if (i === undefined) throw internalError('calibration_mismatch', `clicked pair (${e.query_norm}, ${e.doc_id}) is not in the evidence table`, { stage: STAGE });
    const g = grade[i]!;
    grades[g]!++;
    return { ...e, grade: g, weight: weight[i]!, signals: g > 0 ? calibrated : [] };
  });
  return {
    evidence: graded,
    relations: { features, evidence: out },
    stats: {
      stage: STAGE,
      in: { evidence_rows: rows, clicked_pairs: cols.rowCount },
      out: { evidence_rows: after, grade_0: grades[0]!, grade_1: grades[1]!, grade_2: grades[2]!, grade_3: grades[3]! },
      dropped: {},
      notes: [`grades from the calibration (logistic regression over ${cal.models.clicked.features.length} signals, fitted on ${cal.labels.clicked} labelled clicked pairs of ${cal.labels.families} families): probability thresholds ${cal.grades.thresholds.join(' / ')}.`, ...(cal.grades.note ? [cal.grades.note] : [])],
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** Pairs (`query_norm \t doc_id`) whose estimated probability of relevance is at or above the calibration's veto. */
export async function calibratedVeto(conn: DuckDBConnection, features: CalibrationFeatures, cal: CalibrationFile): Promise<Set<string>> {
  const v = cal.negatives.vetoAbove;
  // a model whose signals do not rank its pairs on the labels vetoes nothing
  const which = [cal.models.clicked.informative ? 'clicked > 0' : null, cal.models.unclicked.informative ? 'clicked = 0' : null].filter((x) => x !== null);
  if (v === null || which.length === 0) return new Set();
  const cols = await readColumns(conn, `SELECT query_norm, doc_id FROM (SELECT query_norm, doc_id, clicked, ${probabilitySql(cal)} AS p FROM ${features.name}) WHERE p >= '${v}'::DOUBLE AND (${which.join(' OR ')})`);
  const qn = cols.str('query_norm'), doc = cols.str('doc_id');
  const out = new Set<string>();
  for (let i = 0; i < cols.rowCount; i++) out.add(`${qn[i]}\t${doc[i]}`);
  return out;
}

/** The miners a calibration keeps: those it did not measure as harmful (all dropped: the random miner, and the fill). */
export function calibratedMiners(o: NegativeOptions, cal: CalibrationFile): NegativeOptions {
  const kept = o.miners.filter((m) => !cal.negatives.drop.includes(m));
  return { ...o, miners: kept.length > 0 ? kept : ['random'] };
}
