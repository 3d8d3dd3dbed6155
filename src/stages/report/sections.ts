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
