/**
 * The report's summary, funnel, click outcomes and accounting checks, from the stage statistics and
 * the relations of the build (quarantine, result pages, sessions, clicks and their outcomes, evidence).
 */
import { queryNumber, queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { VERSION } from '../../version.js';
import type { ClickFacts, EvidenceTable } from '../evidence/evidence.js';
import type { Clicks, Quarantine, Serps } from '../ingest/relations.js';
import type { SerpFacts } from '../sessions/sessions.js';
import { check, stageChecks, type AccountingCheck, type ClickOutcome, type Report } from './report.js';

/** What the summary counts. `evidence` is the build's final evidence (the one evidence.parquet holds). */
export interface ReportInput {
  readonly quarantine: Quarantine;
  readonly serps: Serps;
  readonly serpFacts: SerpFacts;
  readonly clicks: Clicks;
  readonly clickFacts: ClickFacts;
  readonly evidence: EvidenceTable;
}

/** The report without its sections (the pipeline adds them). */
/** The stages that read a bootstrap source file (rows read = kept + every drop). */
const SOURCE_FILE_STAGES = new Set(['sources:synthetic', 'sources:seeds']);

export async function assembleReport(conn: DuckDBConnection, input: ReportInput, stats: StageStats[], warnings: readonly string[], positivePairs: number, positiveQueries: number, opts: { readonly clickLog?: boolean } = {}): Promise<Report> {
  const n = (sql: string) => queryNumber(conn, sql);
  const quarantined = await n(`SELECT count(*) FROM ${input.quarantine.name}`);
  // the bootstrap source files (synthetic queries, seeds) are input rows too: their rejects are in the quarantine
  const sourceFiles = stats.filter((s) => SOURCE_FILE_STAGES.has(s.stage));
  const rowsRead = stats.filter((s) => s.stage.startsWith('ingest') || SOURCE_FILE_STAGES.has(s.stage)).reduce((a, s) => a + (s.in.rows ?? 0), 0);
  const serps = await n(`SELECT count(*) FROM ${input.serps.name}`);
  const sessions = await n(`SELECT count(DISTINCT session_key) FROM ${input.serpFacts.name}`);
  const clicks = await n(`SELECT count(*) FROM ${input.clicks.name}`);
  const outcomeRows = await queryRows<{ outcome: string; n: number; kept: boolean }>(
    conn,
    `SELECT outcome, count(*) AS n, bool_and(kept) AS kept FROM ${input.clickFacts.name} GROUP BY outcome ORDER BY n DESC, outcome`,
  );
  const clickOutcomes: ClickOutcome[] = outcomeRows.map((r) => ({ outcome: r.outcome, count: r.n, share: clicks ? r.n / clicks : 0, kept: r.kept }));
  const clicksKept = clickOutcomes.filter((c) => c.kept).reduce((a, c) => a + c.count, 0);
  const evidencePairs = await n(`SELECT count(*) FROM ${input.evidence.name}`);
  const clickedPairs = await n(`SELECT count(*) FROM ${input.evidence.name} WHERE clicks > 0`);

  const accounting: AccountingCheck[] = [];
  for (const s of stats) accounting.push(...stageChecks(s));
  const pos = stats.find((s) => s.stage === 'positives');
  if (pos) accounting.push(check('positives: evidence rows = pairs + dropped', pos.in.evidence_rows ?? 0, { pairs: pos.out.pairs ?? 0, ...pos.dropped }));
  accounting.push(check('clicks = sum of click outcomes', clicks, Object.fromEntries(clickOutcomes.map((c) => [c.outcome, c.count]))));

  const first = Math.max(1, rowsRead);
  const clickSteps: [string, number][] = [
    ['result pages', serps],
    ['raw clicks', clicks],
    ['clicks kept as evidence', clicksKept],
    ['clicked (query, doc) pairs', clickedPairs],
  ];
  const funnelCounts: [string, number][] = [
    ['input rows read', rowsRead],
    ['rows loaded (not quarantined)', rowsRead - quarantined],
    ...(opts.clickLog === false ? [] : clickSteps),
    ...sourceFiles.map((s): [string, number] => [`${s.stage.slice('sources:'.length)} rows kept`, s.out.rows ?? 0]),
    ['positive pairs', positivePairs],
  ];
  return {
    tool: { name: 'clickforge', version: VERSION },
    summary: {
      rowsRead,
      rowsQuarantined: quarantined,
      sessions,
      serps,
      clicks,
      clicksKept,
      clickDiscardRate: clicks ? 1 - clicksKept / clicks : 0,
      evidencePairs,
      positivePairs,
      positiveQueries,
    },
    funnel: funnelCounts.map(([step, count]) => ({ step, count, share: count / first })),
    clickOutcomes,
    stages: stats,
    accounting,
    warnings,
    sections: {},
  };
}
