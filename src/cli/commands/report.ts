import { resolve } from 'node:path';
import type { Command } from 'commander';
import { collect, parseSets } from '../options.js';
import { usageError } from '../../errors.js';

interface ReportFlags {
  set?: string[];
}

export function register(program: Command): void {
  program
    .command('report')
    .argument('<out>', 'output folder of a build (holds report.json)')
    .description('Rebuild report.html and report.md of a build from its report.json, without running the pipeline; --set report.* re-judges the checklist under other thresholds.')
    .option('--set <path=value>', 'set a report option, e.g. --set report.freshness.maxAgeDays=90 (repeatable)', collect)
    .action(async (out: string, f: ReportFlags) => {
      const sets = parseSets(f.set ?? []);
      const unknown = Object.keys(sets).filter((k) => k !== 'report');
      if (unknown.length) throw usageError('bad_flag', `clickforge report only takes report.* options (got ${unknown.join(', ')}): other options change the dataset, so rebuild with clickforge build.`);
      const { rebuildReport, checklistTerminal } = await import('../../stages/report/rebuild.js');
      const { reportOptions } = await import('../../stages/report/options.js');
      const { strictDeep } = await import('../../config.js');
      const overrides = (sets.report ?? {}) as Record<string, unknown>;
      const parsed = strictDeep(reportOptions).safeParse(overrides);
      if (!parsed.success) throw usageError('bad_option', `--set report.*: ${parsed.error.issues.map((i) => `report.${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const r = await rebuildReport(resolve(out), overrides);
      const c = r.report.sections.checklist as Parameters<typeof checklistTerminal>[0];
      process.stdout.write(`${checklistTerminal(c)}\nwrote ${r.html}\n      ${r.md}\n`);
    });
}
