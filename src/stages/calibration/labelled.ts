/**
 * The labelled pairs of a build: each (normalised query, document) of the labels with its signals,
 * family, click outcomes, this build's positive grade and the sources of its exported negatives.
 *
 * ## Input
 * The `labels`, `calibration_features` (features.ts) and `click_facts` tables; the build's
 * families, positives and training records.
 * ## Output
 * One `LabelledClickPair` per distinct normalised labelled pair, in (query_norm, doc_id) order.
 * Several labels of one pair are averaged; the pair is relevant when the mean grade is > 0 (the
 * convention of the report's labels section).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, readColumns } from '../../db/duckdb.js';
import type { PositivePair } from '../../types.js';
import type { TrainingRecord } from '../negatives/types.js';
import { meanLabelGrades, type LabelRow } from '../report/quality.js';
import { appendStringRows } from '../sessions/db-helpers.js';
import type { ClickFacts } from '../evidence/evidence.js';
import type { Labels } from '../ingest/relations.js';
import { FEATURE_NAMES, type CalibrationFeatures } from './features.js';
import type { LabelledPair } from './fit.js';

export interface LabelledClickPair extends LabelledPair {
  /** Clicks kept as evidence, and the discarded ones per click outcome (pogo, short_dwell, ...). */
  readonly keptClicks: number;
  readonly discarded: Readonly<Record<string, number>>;
}

export async function labelledPairs(
  conn: DuckDBConnection,
  rels: { readonly labels: Labels; readonly clickFacts: ClickFacts; readonly features: CalibrationFeatures },
  input: { readonly familyOf: ReadonlyMap<string, string>; readonly positives: readonly PositivePair[]; readonly records: readonly TrainingRecord[] },
): Promise<LabelledClickPair[]> {
  const grades = meanLabelGrades(await queryRows<LabelRow>(conn, `SELECT query, doc_id, grade::DOUBLE AS grade FROM ${rels.labels.name} ORDER BY query, doc_id`));
  if (grades.size === 0) return [];
  await conn.run('CREATE OR REPLACE TEMP TABLE _cal_labels (query_norm VARCHAR, doc_id VARCHAR, relevant VARCHAR)');
  await appendStringRows(conn, '_cal_labels', (function* () {
    for (const [k, g] of grades) {
      const tab = k.indexOf('\t');
      yield [k.slice(0, tab), k.slice(tab + 1), g > 0 ? '1' : '0'] as const;
    }
  })());
  const cols = await readColumns(conn, `
    WITH o AS (
      SELECT query_norm, doc_id, count(*) FILTER (WHERE kept) AS kept_clicks,
             list(outcome ORDER BY outcome) FILTER (WHERE NOT kept) AS discarded
      FROM ${rels.clickFacts.name} SEMI JOIN _cal_labels USING (query_norm, doc_id) GROUP BY 1, 2
    )
    SELECT l.query_norm, l.doc_id, l.relevant, f.clicked IS NOT NULL AS shown,
           ${FEATURE_NAMES.map((n) => `coalesce(f.${n}, 0)::DOUBLE AS ${n}`).join(', ')},
           coalesce(o.kept_clicks, 0)::DOUBLE AS kept_clicks, coalesce(array_to_string(o.discarded, ','), '') AS discarded
    FROM _cal_labels l LEFT JOIN ${rels.features.name} f USING (query_norm, doc_id) LEFT JOIN o USING (query_norm, doc_id)
    ORDER BY l.query_norm, l.doc_id`);
  await conn.run('DROP TABLE _cal_labels');

  const posGrade = new Map<string, number>();
  for (const p of input.positives) posGrade.set(`${p.query_norm}\t${p.doc_id}`, p.grade);
  const negSources = new Map<string, Set<string>>();
  for (const r of input.records) {
    for (const n of r.negatives) {
      const k = `${r.query_norm}\t${n.doc_id}`;
      let s = negSources.get(k);
      if (!s) negSources.set(k, (s = new Set()));
      s.add(n.filled ? 'fill' : n.source);
    }
  }
  const qn = cols.str('query_norm'), doc = cols.str('doc_id'), rel = cols.str('relevant'), shown = cols.num('shown');
  const feats = FEATURE_NAMES.map((n) => cols.num(n));
  const kept = cols.num('kept_clicks'), disc = cols.str('discarded');
  const out: LabelledClickPair[] = [];
  for (let i = 0; i < cols.rowCount; i++) {
    const key = `${qn[i]}\t${doc[i]}`;
    const discarded: Record<string, number> = {};
    for (const o of (disc[i] ?? '').split(',')) if (o) discarded[o] = (discarded[o] ?? 0) + 1;
    out.push({
      query_norm: qn[i]!,
      doc_id: doc[i]!,
      family: input.familyOf.get(qn[i]!) ?? qn[i]!,
      relevant: rel[i] === '1',
      features: shown[i] === 1 ? feats.map((c) => c[i]!) : null,
      positiveGrade: posGrade.get(key) ?? 0,
      negativeSources: [...(negSources.get(key) ?? [])].sort(),
      keptClicks: kept[i]!,
      discarded,
    });
  }
  return out;
}
