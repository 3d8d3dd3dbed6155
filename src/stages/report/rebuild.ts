import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { escapeTerminal } from '../../util/escape.js';
import { withChecklist, writeReportPages } from './assemble.js';
import type { Checklist } from './checklist.js';
import { reportOptions, type ReportOptionsInput } from './options.js';
import type { Report } from './report.js';

const mergeDeep = (a: unknown, b: unknown): unknown => {
  if (b === undefined) return a;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = mergeDeep(out[k], v);
  return out;
};

/**
 * Rebuild report.md and report.html of a build folder from its report.json alone (no pipeline
 * run). The checklist is judged again under the options report.json recorded, with `overrides`
 * (e.g. from --set report.freshness.maxAgeDays=90) on top.
 */
export async function rebuildReport(outDir: string, overrides: ReportOptionsInput = {}): Promise<{ report: Report; md: string; html: string }> {
  const path = join(outDir, 'report.json');
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('no_report', `${path} cannot be read: pass the output folder of a build (the folder that holds report.json).`, { cause: e });
  }
  let parsed: Report;
  try {
    parsed = JSON.parse(raw) as Report;
  } catch (e) {
    throw inputError('bad_report', `${path} is not valid JSON (${(e as Error).message}): rebuild it with clickforge build.`, { cause: e });
  }
  if (parsed?.tool?.name !== 'clickforge' || typeof parsed.sections !== 'object') throw inputError('bad_report', `${path} is not a clickforge report.json.`);
  const recorded = (parsed.sections.checklist as Checklist | undefined)?.options ?? {};
  const r = withChecklist(parsed, reportOptions.parse(mergeDeep(recorded, overrides)));
  const files = await writeReportPages(outDir, r);
  return { report: r, ...files };
}

/** The checklist for a terminal: one line per question, every string with its control characters shown as text. */
export function checklistTerminal(c: Checklist): string {
  const mark = { pass: 'pass   ', warn: 'warn   ', fail: 'FAIL   ', unknown: 'unknown', not_applicable: 'n/a    ' } as const;
  return c.verdicts.map((v, i) => escapeTerminal(`${mark[v.verdict]} ${i + 1}. ${v.question} ${v.summary}`).replace(/\n/g, ' ')).join('\n') + '\n';
}
