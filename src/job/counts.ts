/**
 * The accounting of a job's event level as one relation `job_counts(stage, name, n)`: the counts the
 * build's report takes from the sessions, evidence and bias stages, so that a run elsewhere can be
 * checked to add up (every click in one outcome bucket, every conversion linked or not).
 */
import type { Dialect } from '../db/dialect/index.js';
import { relation, type Relation } from '../db/relation.js';
import type { LogRelations } from '../stages/ingest/relations.js';
import type { SessionRelations } from '../stages/sessions/sessions.js';
import { CLICK_OUTCOMES, type EvidenceRelations } from '../stages/evidence/evidence.js';

export const JOB_COUNTS = relation('job_counts', ['stage', 'name', 'n'] as const);

/** [stage, name, FROM relation, WHERE condition]: one count each. */
type Count = readonly [string, string, string, string];

function countsOf(rel: { input: LogRelations; sessions: SessionRelations; evidence: EvidenceRelations }, beyond: Relation): Count[] {
  const { input: i, sessions: s, evidence: e } = rel;
  const sessionKeys = `(SELECT DISTINCT session_key FROM ${s.serpFacts.name} WHERE session_key IS NOT NULL)`;
  const counts: Count[] = [
    ['sessions', 'serps', s.serpFacts.name, 'true'],
    ['sessions', 'clicks', i.clicks.name, 'true'],
    ['sessions', 'conversions', i.conversions.name, 'true'],
    ['sessions', 'session_ends', i.sessionEnds.name, 'true'],
    ['sessions', 'sessions', sessionKeys, 'true'],
    ['sessions', 'serps_reformulated', s.serpFacts.name, 'reformulated'],
    ['sessions', 'reformulation_edges', s.reformulations.name, 'true'],
    ['sessions', 'distinct_queries', s.queryNorms.name, 'true'],
    ['sessions', 'session_clicks', s.sessionClicks.name, 'true'],
    ...['given', 'derived', 'unknown'].map((k): Count => ['sessions', `dwell_${k}`, s.sessionClicks.name, `dwell_source = '${k}'`]),
    ['sessions', 'dwell_capped', s.sessionClicks.name, 'dwell_capped'],
    ['sessions', 'clicks_returned', s.sessionClicks.name, 'pogo_return'],
    ...['given', 'linked', 'unlinked'].map((k): Count => ['sessions', `conversions_${k}`, s.conversionLinks.name, `link = '${k}'`]),
    ['sessions', 'session_ends_unmatched', '_ends_linked', 'session_key IS NULL'],
    ['evidence', 'impressions', i.impressions.name, 'true'],
    ['evidence', 'click_facts', e.clickFacts.name, 'true'],
    ...CLICK_OUTCOMES.map((o): Count => ['evidence', `outcome_${o}`, e.clickFacts.name, `outcome = '${o}'`]),
    ['evidence', 'evidence_rows', e.evidence.name, 'true'],
    ['evidence', 'clicked_pairs', e.evidence.name, 'clicks > 0'],
    ...[0, 1, 2, 3].map((g): Count => ['evidence', `grade_${g}`, e.evidence.name, `grade = ${g}`]),
    ['bias', 'rank_beyond_max', `(SELECT impressions AS n FROM ${beyond.name})`, 'true'],
  ];
  return counts;
}

/** The job_counts relation: one row per count, in a fixed order (`ord`). */
export function jobCountsSql(d: Dialect, rel: { input: LogRelations; sessions: SessionRelations; evidence: EvidenceRelations }, beyond: Relation): string {
  const rows = countsOf(rel, beyond).map(([stage, name, from, where], ord) => {
    const n = stage === 'bias' ? 'max(n)' : 'count(*)';
    return `    SELECT ${ord} AS ord, '${stage}' AS stage, '${name}' AS name, ${d.cast(`coalesce(${n}, 0)`, 'BIGINT')} AS n FROM ${from} c WHERE ${where}`;
  });
  return d.createAs(JOB_COUNTS.name, `${rows.join('\n    UNION ALL\n')}\n`);
}
