import type { Command } from 'commander';
import { addBuildOptions, configFromFlags, runBuild, type BuildFlags } from './build.js';

export function register(program: Command): void {
  addBuildOptions(program
    .command('calibrate')
    .description('Learn which of this log\'s signals mean relevance from a few hundred labels: a build with --labels that also fits calibration.json (use it with `build --calibration FILE`).'))
    .addHelpText(
      'after',
      `
The labels (--labels, or input.labels) are (query, doc_id, grade) rows; a pair is relevant when
its mean grade is > 0. Every figure printed is held out by query family. See docs/calibration.md.`,
    )
    .action(async (f: BuildFlags) => {
      const cfg = await configFromFlags(f, { calibration: { fit: true } });
      const result = await runBuild(cfg, Boolean(f.quiet));
      const { calibrationMarkdown } = await import('../../stages/calibration/render.js');
      const sec = result.report.sections.calibration as Record<string, unknown> | null;
      const table = sec ? calibrationMarkdown(sec) : undefined;
      if (table) process.stdout.write(`\n${table}\n\ncalibration       ${result.files.calibration}\n`);
    });
}
