import { queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { Evidence, PositivePair } from '../../types.js';
import type { ResolvedGradingRule } from '../evidence/grading.js';
import type { PropensityResult } from '../bias/estimate.js';
import type { CalibrationFile } from '../calibration/options.js';
import type { Corpus, Impressions, Labels } from '../ingest/relations.js';
import type { TrainingRecord } from '../negatives/types.js';
import { auditLeakage, type AuditQuery, type LeakageReport } from '../splits/audit.js';
import type { Split } from '../splits/splits.js';
import { qualityAgainstLabels, type LabelRow, type QualityAgainstLabels } from './quality.js';

/**
 * The leakage audit of the exported splits: families shared between train and test (must be 0),
 * near-duplicate queries across the boundary, documents positive on both sides, and training
 * evidence after the chronological cutoff.
 */
export function leakageSection(
  records: readonly TrainingRecord[],
  splitOf: ReadonlyMap<string, Split>,
  evidence: readonly Evidence[],
  cutoff: number | null,
  seed: number,
): LeakageReport {
  const ts = new Map<string, [number | null, number | null]>();
  for (const e of evidence) if (e.clicks > 0) ts.set(`${e.query_norm}\t${e.doc_id}`, [e.first_ts, e.last_ts]);
  const train: AuditQuery[] = [];
  const test: AuditQuery[] = [];
  for (const r of records) {
    const split = splitOf.get(r.family) ?? 'train';
    if (split === 'dev') continue;
    const timestamps = r.positives.flatMap((p) => ts.get(`${r.query_norm}\t${p.doc_id}`) ?? [null]);
    (split === 'train' ? train : test).push({ query: r.query_norm, family: r.family, positives: r.positives.map((p) => p.doc_id), timestamps });
  }
  return auditLeakage({ train, test }, { seed, ...(cutoff !== null ? { cutoff } : {}) });
}

/** Quality against labels when the build was given a labels file (or a simulator's truth/qrels.jsonl). */
export async function labelsSection(
  conn: DuckDBConnection,
  labelsRel: Labels,
  evidence: readonly Evidence[],
  pairs: readonly PositivePair[],
  records: readonly TrainingRecord[],
): Promise<QualityAgainstLabels | null> {
  const labels = await queryRows<LabelRow>(conn, `SELECT query, doc_id, grade FROM ${labelsRel.name} ORDER BY query, doc_id`);
  if (labels.length === 0) return null;
  return qualityAgainstLabels(labels, evidence, pairs, records);
}

/** How the log covers the corpus: corpus documents, those shown on some result page, and those shown on exactly one. */
export interface CorpusCoverage {
  readonly docs: number;
  readonly shown: number;
  readonly shownOnce: number;
}

/**
 * Corpus coverage by the log's impressions. A corpus assembled from the shown results holds
 * (nearly) every document the log shows, including the many it shows only once; a corpus that
 * exists apart from the log and is shown almost entirely has been shown many times over.
 */
export async function corpusCoverageSection(conn: DuckDBConnection, input: { readonly impressions: Impressions; readonly corpus: Corpus }): Promise<CorpusCoverage> {
  const [r] = await queryRows<{ docs: number; shown: number; once: number }>(conn, `
    WITH s AS (SELECT doc_id, count(DISTINCT serp_id) AS pages FROM ${input.impressions.name} GROUP BY doc_id)
    SELECT count(*)::BIGINT AS docs, count(s.doc_id)::BIGINT AS shown, count(*) FILTER (WHERE s.pages = 1)::BIGINT AS once
    FROM ${input.corpus.name} c LEFT JOIN s USING (doc_id)`);
  return { docs: Number(r?.docs ?? 0), shown: Number(r?.shown ?? 0), shownOnce: Number(r?.once ?? 0) };
}

/** The report's view of the bias stage: the curve, its interval and identification, and the grading rule it led to. */
export function biasSection(r: PropensityResult, grading: ResolvedGradingRule): Record<string, unknown> {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    estimator: r.estimator,
    reason: r.reason,
    curve: r.relative.map(round),
    ci: r.ci ? { level: r.ci.level, samples: r.ci.samples, unit: r.ci.unit, units: r.ci.units, start: r.ci.start, lower: r.ci.lower.map(round), upper: r.ci.upper.map(round), fits: r.ci.fits } : null,
    heldOut: r.heldOut ? { pages: r.heldOut.pages, perplexity: round(r.heldOut.perplexity), logLikelihood: round(r.heldOut.logLikelihood), perplexityByRank: r.heldOut.perplexityByRank.map(round) } : null,
    train: { pages: r.train.pages, pairs: r.train.pairs, iterations: r.train.iterations, converged: r.train.converged },
    curveFit: r.curveFit,
    crossCheck: r.crossCheck ? { estimator: 'intervention', relative: r.crossCheck.relative.map(round), maxAbsDiff: round(r.crossCheck.maxAbsDiff) } : null,
    identified: r.identification.identified,
    identification: { ...r.identification, measures: Object.fromEntries(Object.entries(r.identification.measures).map(([k, v]) => [k, v === null ? null : round(v)])) },
    grading,
    notes: r.stats.notes ?? [],
  };
}

/**
 * The report's view of a calibration: a fitted one (the held-out table and the model, without
 * repeating the file), else an applied one (its path, labels, grades and negatives), else null.
 */
export function calibrationSection(fitted: CalibrationFile | null, applied: (CalibrationFile & { readonly path: string }) | null): Record<string, unknown> | null {
  if (fitted) return { labels: fitted.labels, models: fitted.models, grades: fitted.grades, negatives: fitted.negatives, heldOut: fitted.heldOut };
  return applied ? { applied: applied.path, labels: applied.labels, grades: applied.grades, negatives: applied.negatives } : null;
}
