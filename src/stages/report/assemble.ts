import { join } from 'node:path';
import type { DuckDBConnection } from '../../db/duckdb.js';
import type { Doc, MultiPositive, PositivePair } from '../../types.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { Split } from '../splits/splits.js';
import { checklist, type Checklist } from './checklist.js';
import { reportData, type ReportRelations } from './data.js';
import { ExampleCollector } from './examples.js';
import type { ReportOptions, ReportOptionsInput } from './options.js';
import { renderMarkdown, type Report } from './report.js';

/** What the pipeline hands the report beyond the stages' own sections. */
export interface ReportSectionsInput {
  readonly relations: ReportRelations;
  readonly examples: ExampleCollector;
  readonly pairs: readonly PositivePair[];
  readonly records: readonly TrainingRecord[];
  readonly docs: readonly Doc[];
  /** family id -> split, and query_norm -> family id */
  readonly splitOf: ReadonlyMap<string, Split>;
  readonly familyOf: ReadonlyMap<string, string>;
  readonly config: { readonly report: ReportOptions; readonly seed: number; readonly balance: { readonly headTail: { readonly headShare: number; readonly tailShare: number } } };
}

/** The collector of the example browser's sample; pass its `onRemoved` to mineNegatives. */
export function exampleCollector(positives: readonly MultiPositive[], config: { readonly report: ReportOptions; readonly seed: number }): ExampleCollector {
  return new ExampleCollector(positives, config.report.examples, config.seed);
}

/** The report's own sections (`reportData`, `examples`), computed from the build's tables and records. */
export async function reportSections(conn: DuckDBConnection, i: ReportSectionsInput): Promise<{ reportData: unknown; examples: unknown }> {
  const data = await reportData(conn, i.relations, { pairs: i.pairs, records: i.records, splitOf: i.splitOf, familyOf: i.familyOf, headTail: i.config.balance.headTail, options: i.config.report, seed: i.config.seed });
  const splitOfQuery = (q: string) => i.splitOf.get(i.familyOf.get(q) ?? q) ?? null;
  return { reportData: data, examples: i.examples.section(i.pairs, i.records, i.docs, splitOfQuery) };
}

/** The report with its checklist (sections.checklist) judged under `options`. */
export function withChecklist(r: Report, options: ReportOptions | ReportOptionsInput = {}): Report {
  const { checklist: _old, ...sections } = r.sections;
  const c = checklist(r, options);
  return { ...r, sections: { checklist: c, ...sections } };
}

/** Write report.md and report.html of a report (from a build, or from report.json by `clickforge report OUT`). */
export async function writeReportPages(outDir: string, r: Report): Promise<{ md: string; html: string }> {
  const md = join(outDir, 'report.md'), html = join(outDir, 'report.html');
  const c = r.sections.checklist as Checklist | undefined;
  await writeFileAtomic(md, renderMarkdown(r, c));
  const { renderHtml } = await import('./html.js');
  await writeFileAtomic(html, await renderHtml(r));
  return { md, html };
}

/** The config without the report group, for the dataset card: report thresholds judge the dataset, they do not build it (the manifest keeps them). */
export function withoutReportOptions<T extends { readonly report?: unknown }>(config: T): Omit<T, 'report'> {
  const { report: _report, ...rest } = config;
  return rest;
}
