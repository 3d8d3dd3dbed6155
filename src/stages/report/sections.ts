import { queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { Evidence, PositivePair } from '../../types.js';
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
  evidence: readonly Evidence[],
  pairs: readonly PositivePair[],
  records: readonly TrainingRecord[],
): Promise<QualityAgainstLabels | null> {
  const labels = await queryRows<LabelRow>(conn, 'SELECT query, doc_id, grade FROM labels ORDER BY query, doc_id');
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
export async function corpusCoverageSection(conn: DuckDBConnection): Promise<CorpusCoverage> {
  const [r] = await queryRows<{ docs: number; shown: number; once: number }>(conn, `
    WITH s AS (SELECT doc_id, count(DISTINCT serp_id) AS pages FROM impressions GROUP BY doc_id)
    SELECT count(*)::BIGINT AS docs, count(s.doc_id)::BIGINT AS shown, count(*) FILTER (WHERE s.pages = 1)::BIGINT AS once
    FROM corpus c LEFT JOIN s USING (doc_id)`);
  return { docs: Number(r?.docs ?? 0), shown: Number(r?.shown ?? 0), shownOnce: Number(r?.once ?? 0) };
}
