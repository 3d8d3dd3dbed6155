/**
 * The event level as an ordered list of steps, each one SQL statement generated for one engine
 * (src/db/dialect), from the stages' own statement functions: the job folder of `clickforge sql`,
 * and the golden files. The only step that is not SQL is the query normalisation (NFKC and
 * Unicode classes, which neither engine's SQL has): the job runs it in its driver.
 */
import type { Dialect } from '../db/dialect/index.js';
import { relation } from '../db/relation.js';
import type { Config } from '../config.js';
import { logRelations, RANDOMIZED_COLUMNS, SERPS_COLUMNS, type LogRelations } from '../stages/ingest/relations.js';
import { sessionRelations, type SessionRelations } from '../stages/sessions/sessions.js';
import { conversionLinksSql, endsLinkedSql, reformulationCandidatesSql, reformulationPairsSql, reformulationsSql, serpBaseSql, serpFactsSql, serpSeqSql, sessionClicksSql, sessionSuccessSql, windowsOf } from '../stages/sessions/statements.js';
import { evidenceKeys, evidenceRelations, type EvidenceRelations } from '../stages/evidence/evidence.js';
import { clickFactsSql, docIdsSql, evidenceSerpsSql, evidenceSql, pairImpressionsSql, queryIdsSql, type EvidenceSqlRelations } from '../stages/evidence/statements.js';
import { curveOf, gradedSql, sumImpressionRanksSql } from '../stages/evidence/grading-statements.js';
import { gradedEvidenceRelation } from '../stages/evidence/grading.js';
import { beyondMaxRankSql, biasCountsRelation, clickCountsSql, foldPagesSql, type BiasCountsInput, type DbCountsOptions } from '../stages/bias/from-duckdb.js';
import { jobCountsSql } from './counts.js';

/** One step of the job: a SQL statement, or the query normalisation the driver runs. */
export type JobStep =
  | { readonly name: string; readonly kind: 'sql'; readonly sql: string }
  | { readonly name: string; readonly kind: 'query-norms' };

/** The options the event-level statements fold in. */
export type JobConfig = Pick<Config, 'sessions' | 'evidence' | 'bias' | 'seed'>;

/** The relations a job reads: the canonical click log, and the randomised pages when there are any. */
export interface JobInputs extends LogRelations {
  readonly randomized: BiasCountsInput['randomized'];
}

/** The randomised-pages relation of a job that has one. */
export const jobRandomized = () => relation('serp_randomized', RANDOMIZED_COLUMNS);

/** The relations the bias counts write in a job (the build streams the same queries). */
export const BIAS_OUTPUTS = { counts: biasCountsRelation(), foldPages: relation('bias_fold_pages', ['fold', 'pages'] as const), beyond: relation('bias_beyond_max_rank', ['impressions'] as const) };

/**
 * The result pages with their randomised flag, for the bias counts: Spark allows an IN subquery
 * (the build's randomizedWhere) only in a filter, so a job joins the randomised pages once.
 */
const BIAS_SERPS = relation('_bias_serps', [...SERPS_COLUMNS, 'randomized'] as const);

function biasSerpsSql(d: Dialect, input: JobInputs): string {
  const flag = input.randomized ? 'r.serp_id IS NOT NULL' : 'false';
  const join = input.randomized ? `\n    LEFT JOIN (SELECT DISTINCT serp_id FROM ${input.randomized.name}) r ON r.serp_id = s.serp_id` : '';
  return d.createAs(BIAS_SERPS.name, `    SELECT s.*, ${flag} AS randomized
    FROM ${input.serps.name} s${join}
  `, { temp: true });
}

function biasCountsInput(c: JobConfig, input: JobInputs): { input: BiasCountsInput; opts: DbCountsOptions } {
  const opts: DbCountsOptions = { maxRank: c.bias.maxRank, holdoutShare: c.bias.holdoutShare, seed: c.seed, randomizedWhere: 's.randomized' };
  return { input: { ...input, serps: BIAS_SERPS, randomized: null }, opts };
}

function sessionSteps(d: Dialect, c: JobConfig, input: LogRelations, out: SessionRelations): JobStep[] {
  const w = windowsOf(c.sessions);
  const sql = (name: string, text: string): JobStep => ({ name, kind: 'sql', sql: text });
  return [
    { name: 'sessions-00-query-norms', kind: 'query-norms' },
    sql('sessions-01-serp-base', serpBaseSql(d, input, out, w)),
    sql('sessions-02-serp-seq', serpSeqSql(d)),
    sql('sessions-03-reformulation-pairs', reformulationPairsSql(d, out, w, c.sessions.reformulationMinSimilarity)),
    sql('sessions-04-ends-linked', endsLinkedSql(d, input)),
    sql('sessions-05-session-success', sessionSuccessSql(d)),
    sql('sessions-06-serp-facts', serpFactsSql(d, out, w)),
    sql('sessions-07-reformulations', reformulationsSql(d, out)),
    sql('sessions-08-conversion-links', conversionLinksSql(d, input, out, w)),
    sql('sessions-09-session-clicks', sessionClicksSql(d, input, out, w)),
  ];
}

function evidenceSteps(d: Dialect, c: JobConfig, r: EvidenceSqlRelations): JobStep[] {
  return [
    ['evidence-01-click-facts', clickFactsSql(d, r, c.evidence)],
    ['evidence-02-query-ids', queryIdsSql(d, r)],
    ['evidence-03-doc-ids', docIdsSql(d, r)],
    ['evidence-04-serps', evidenceSerpsSql(d, r)],
    ['evidence-05-pair-impressions', pairImpressionsSql(d, r)],
    ['evidence-06-evidence', evidenceSql(d, r)],
  ].map(([name, sql]) => ({ name: name!, kind: 'sql', sql: sql! }));
}

function biasSteps(d: Dialect, c: JobConfig, input: JobInputs): JobStep[] {
  const b = biasCountsInput(c, input);
  return [
    ['bias-00-serps', biasSerpsSql(d, input)],
    ['bias-01-click-counts', d.createAs(BIAS_OUTPUTS.counts.name, clickCountsSql(b.input, b.opts, d))],
    ['bias-02-fold-pages', d.createAs(BIAS_OUTPUTS.foldPages.name, foldPagesSql(b.input, b.opts, d))],
    ['bias-03-beyond-max-rank', d.createAs(BIAS_OUTPUTS.beyond.name, beyondMaxRankSql(b.input, b.opts))],
  ].map(([name, sql]) => ({ name: name!, kind: 'sql', sql: sql! }));
}

/** The relations of a job's event level (the default namespace). */
export function jobRelations(): { input: JobInputs; sessions: SessionRelations; evidence: EvidenceRelations; sql: EvidenceSqlRelations } {
  const log = logRelations();
  const sessions = sessionRelations();
  const evidence = evidenceRelations();
  return { input: { ...log, randomized: null }, sessions, evidence, sql: { ...sessions, impressions: log.impressions, clicks: log.clicks, ...evidence, ...evidenceKeys() } };
}

/** The event level's steps in the order a job runs them. */
export function eventLevelSteps(d: Dialect, c: JobConfig, opts: { readonly randomized?: boolean } = {}): JobStep[] {
  const rel = jobRelations();
  const input: JobInputs = { ...rel.input, randomized: opts.randomized ? jobRandomized() : null };
  return [
    ...sessionSteps(d, c, input, rel.sessions),
    ...evidenceSteps(d, c, rel.sql),
    ...biasSteps(d, c, input),
    { name: 'counts-01-job-counts', kind: 'sql', sql: jobCountsSql(d, rel, BIAS_OUTPUTS.beyond) },
  ];
}

/** An example examination curve (1 / rank over 10 ranks, printed to 4 decimals) for the golden grading statements. */
export const EXAMPLE_CURVE: readonly number[] = Array.from({ length: 10 }, (_, i) => Number((1 / (i + 1)).toFixed(4)));

/**
 * Every statement the event level runs, for one engine: the job's steps, the build's own form of
 * the reformulation candidates (it measures their similarity in TypeScript), and grading (which
 * needs the curve the bias stage fits on one machine; here for EXAMPLE_CURVE).
 */
export function allEventLevelStatements(d: Dialect, c: JobConfig, grading: Config['grading']): (readonly [string, string])[] {
  const rel = jobRelations();
  const curve = curveOf(EXAMPLE_CURVE);
  const gradingRel = { evidence: rel.evidence.evidence, clickFacts: rel.evidence.clickFacts, impressions: rel.input.impressions, serpFacts: rel.sessions.serpFacts, out: gradedEvidenceRelation(), keys: evidenceKeys() };
  const steps = eventLevelSteps(d, c, { randomized: true }).flatMap((s) => (s.kind === 'sql' ? [[s.name, s.sql] as const] : []));
  return [
    ...steps,
    ['sessions-03-reformulation-candidates', reformulationCandidatesSql(d, windowsOf(c.sessions))],
    ['grading-01-impression-ranks', sumImpressionRanksSql(d, gradingRel.keys.pairRanks, curve)],
    ['grading-02-graded', gradedSql(d, gradingRel, curve, grading, true, true)],
  ];
}
