import type { Command } from 'commander';
import { addBuildOptions, configFromFlags, type BuildFlags } from './build.js';
import { usageError } from '../../errors.js';
import { stepReporter } from '../progress.js';

/** Flags `events` does not take: the text level's inputs. */
const TEXT_LEVEL_FLAGS = ['corpus', 'labels', 'synthetic', 'seeds', 'calibration', 'curriculum'] as const;

export function register(program: Command): void {
  addBuildOptions(program
    .command('events')
    .description('Run the event level alone (ingest of the click log, sessions, click outcomes, evidence and position-bias counts) and write an event-level folder for `build --evidence`.'))
    .addHelpText('after', '\nThe folder (docs/event-level.md) holds one Parquet file per relation, counts.json and manifest.json.\nThen: clickforge build --evidence DIR --corpus FILE --out OUT (same config and seed).')
    .action(async (f: BuildFlags) => {
      const given = TEXT_LEVEL_FLAGS.filter((k) => f[k] !== undefined);
      if (given.length > 0) throw usageError('text_level_flag', `clickforge events reads the click log only: ${given.map((k) => `--${k}`).join(', ')} ${given.length === 1 ? 'is an option' : 'are options'} of the text level; pass ${given.length === 1 ? 'it' : 'them'} to clickforge build --evidence DIR.`);
      const cfg = await configFromFlags(f);
      const { buildEventLevel } = await import('../../pipeline.js');
      const r = await buildEventLevel(cfg, { onProgress: stepReporter(Boolean(f.quiet)) });
      const rows = Object.entries(r.manifest.files).map(([file, v]) => `  ${file.padEnd(28)} ${v.rows} rows`).join('\n');
      process.stdout.write(`event-level folder ${r.outDir} (${r.manifest.schema})\n${rows}\nnext: clickforge build --evidence ${r.outDir} --corpus FILE --out OUT\n`);
    });
}
