/**
 * The signals a calibration weighs, one row per (normalised query, document) of the evidence.
 *
 * ## Input
 * The relations of `CalibrationFeatureInput`: graded evidence (it needs `expected_examinations`),
 * click facts, session clicks and serp facts.
 * ## Output
 * The relation `calibration_features` of the namespace (query_norm, doc_id, one DOUBLE column per entry of
 * `FEATURES`), one row per evidence row. Counts enter as log(1 + n), shares of a pair's clicks
 * as 0..1 (0 for an unclicked pair), indicators as 0 / 1.
 * ## Drops
 * None.
 * ## Example
 * ```ts
 * const features = await buildCalibrationFeatures(conn, { evidence: graded.relations.evidence, clickFacts, sessionClicks, serpFacts });
 * ```
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createNamespace, relation, requireRelations, type Namespace, type Relation } from '../../db/relation.js';
import type { GradedEvidence } from '../evidence/grading.js';
import type { ClickFacts } from '../evidence/evidence.js';
import type { SerpFacts, SessionClicks } from '../sessions/sessions.js';

export interface FeatureDef {
  readonly name: string;
  /** What the signal is, for the report and calibration.json. */
  readonly description: string;
  /** SQL over the per-pair columns of the `p` relation built below. */
  readonly sql: string;
}

/** The signals, in the order of the weights in calibration.json. */
export const FEATURES: readonly FeatureDef[] = [
  { name: 'clicked', description: 'the pair has at least one click', sql: '(clicks > 0)::DOUBLE' },
  { name: 'log_clicks', description: 'log(1 + clicks)', sql: 'ln(1 + clicks)' },
  { name: 'log_click_sessions', description: 'log(1 + sessions with a click on the pair)', sql: 'ln(1 + click_sessions)' },
  { name: 'several_sessions', description: 'clicked in two or more sessions', sql: '(click_sessions >= 2)::DOUBLE' },
  { name: 'satisfied_share', description: 'share of the clicks with dwell >= evidence.satisfiedDwellMs', sql: 'CASE WHEN clicks > 0 THEN satisfied / clicks ELSE 0 END' },
  { name: 'short_dwell_share', description: 'share of the clicks with dwell < evidence.shortDwellMs', sql: 'CASE WHEN clicks > 0 THEN short_dwell / clicks ELSE 0 END' },
  { name: 'unknown_dwell_share', description: 'share of the clicks with unknown dwell', sql: 'CASE WHEN clicks > 0 THEN unknown_dwell / clicks ELSE 0 END' },
  { name: 'pogo_share', description: 'share of the clicks that are pogo-sticks (short dwell, then back to the page)', sql: 'CASE WHEN clicks > 0 THEN pogo / clicks ELSE 0 END' },
  { name: 'converted', description: 'a click led to a conversion', sql: '(converted > 0)::DOUBLE' },
  { name: 'last_click_share', description: 'share of the clicks that were the last click of their session', sql: 'CASE WHEN clicks > 0 THEN last_clicks / clicks ELSE 0 END' },
  { name: 'reformulated_share', description: 'share of the clicks whose page was followed by another query in the session', sql: 'CASE WHEN clicks > 0 THEN reformulated_clicks / clicks ELSE 0 END' },
  { name: 'log_best_click_rank', description: 'log of the best (lowest) rank clicked (0 when unclicked)', sql: 'CASE WHEN clicks > 0 THEN ln(best_rank) ELSE 0 END' },
  { name: 'log_corrected_ctr', description: 'log(1 + clicks / expected examinations): click-through corrected for position', sql: 'ln(1 + clicks / greatest(expected_examinations, 0.5))' },
  { name: 'log_skip_above', description: 'log(1 + times shown above a clicked result and skipped)', sql: 'ln(1 + skip_above)' },
  { name: 'log_impressions', description: 'log(1 + impressions)', sql: 'ln(1 + impressions)' },
  { name: 'log_unclicked_exposure', description: 'log(1 + expected examinations) of a pair never clicked (0 when clicked)', sql: 'CASE WHEN clicks = 0 THEN ln(1 + expected_examinations) ELSE 0 END' },
  { name: 'log_clicked_in_session', description: 'log(1 + sessions of the query in which another query clicked the document)', sql: 'ln(1 + session_group_clicks)' },
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/** What the features are computed from. */
export interface CalibrationFeatureInput {
  readonly evidence: GradedEvidence;
  readonly clickFacts: ClickFacts;
  readonly sessionClicks: SessionClicks;
  readonly serpFacts: SerpFacts;
}

export type CalibrationFeatures = Relation<'query_norm' | 'doc_id' | 'clicked'>;

/** Create `calibration_features` in namespace `ns` (see the module doc). */
export async function buildCalibrationFeatures(conn: DuckDBConnection, input: CalibrationFeatureInput, ns?: Namespace): Promise<CalibrationFeatures> {
  await requireRelations(conn, 'calibration', [input.evidence, input.clickFacts, input.sessionClicks, input.serpFacts], 'gradeEvidence (the evidence stage)');
  await createNamespace(conn, ns);
  const out: CalibrationFeatures = relation('calibration_features', ['query_norm', 'doc_id', ...FEATURE_NAMES] as const, ns);
  await conn.run(`
    CREATE OR REPLACE TABLE ${out.name} AS
    WITH k AS (
      SELECT f.query_norm, f.doc_id, f.session_key, f.rank,
             coalesce(sc.is_last_click, false) AS is_last,
             coalesce(s.next_query_norm IS NOT NULL AND s.next_query_norm <> s.query_norm, false) AS reformulated
      FROM ${input.clickFacts.name} f
      LEFT JOIN ${input.sessionClicks.name} sc USING (click_id)
      LEFT JOIN ${input.serpFacts.name} s ON s.serp_id = f.serp_id
    ),
    kp AS (
      SELECT query_norm, doc_id, count(DISTINCT session_key) AS click_sessions,
             count(*) FILTER (WHERE is_last) AS last_clicks,
             count(*) FILTER (WHERE reformulated) AS reformulated_clicks,
             min(rank) FILTER (WHERE rank >= 1) AS best_rank
      FROM k GROUP BY 1, 2
    ),
    -- documents clicked for another query of a session in which this query was issued
    sq AS (SELECT DISTINCT session_key, query_norm FROM ${input.serpFacts.name} WHERE session_key IS NOT NULL AND query_norm IS NOT NULL),
    sd AS (SELECT DISTINCT session_key, query_norm, doc_id FROM ${input.clickFacts.name} WHERE session_key IS NOT NULL),
    sg AS (
      SELECT sq.query_norm, sd.doc_id, count(DISTINCT sq.session_key) AS session_group_clicks
      FROM sq JOIN sd ON sd.session_key = sq.session_key AND sd.query_norm <> sq.query_norm
      GROUP BY 1, 2
    ),
    p AS (
      SELECT e.query_norm, e.doc_id,
             e.clicks::DOUBLE AS clicks, e.satisfied::DOUBLE AS satisfied, e.short_dwell::DOUBLE AS short_dwell,
             e.unknown_dwell::DOUBLE AS unknown_dwell, e.pogo::DOUBLE AS pogo, e.converted::DOUBLE AS converted,
             e.skip_above::DOUBLE AS skip_above, e.impressions::DOUBLE AS impressions,
             coalesce(e.expected_examinations, 0)::DOUBLE AS expected_examinations,
             coalesce(kp.click_sessions, 0)::DOUBLE AS click_sessions, coalesce(kp.last_clicks, 0)::DOUBLE AS last_clicks,
             coalesce(kp.reformulated_clicks, 0)::DOUBLE AS reformulated_clicks, coalesce(kp.best_rank, 1)::DOUBLE AS best_rank,
             coalesce(sg.session_group_clicks, 0)::DOUBLE AS session_group_clicks
      FROM ${input.evidence.name} e LEFT JOIN kp USING (query_norm, doc_id) LEFT JOIN sg USING (query_norm, doc_id)
    )
    SELECT query_norm, doc_id, ${FEATURES.map((f) => `(${f.sql})::DOUBLE AS ${f.name}`).join(', ')}
    FROM p
  `);
  return out;
}
