import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseConfig, type Config } from '../../config.js';
import type { BuildResult } from '../../pipeline.js';
import { hasClickLog } from '../../stages/ingest/options.js';
import { hasSources } from '../../stages/sources/load.js';
import { checkBuildPaths } from '../../util/paths.js';
import { collect, resolveConfig } from '../options.js';
import { WARNING_THRESHOLDS } from '../warnings.js';

const pct = (x: number) => `${Math.round(100 * x)}%`;
import { stepReporter } from '../progress.js';

export interface BuildFlags {
  config?: string;
  serps?: string[];
  events?: string[];
  corpus?: string;
  labels?: string;
  synthetic?: string;
  seeds?: string;
  calibration?: string;
  out?: string;
  seed?: string;
  threads?: string;
  memoryLimit?: string;
  set?: string[];
  quiet?: boolean;
  curriculum?: boolean;
}

/** The options `build` and `calibrate` share. */
export function addBuildOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML or JSON config file (see `clickforge init`)')
    .option('--serps <file>', 'SERP-record file (repeatable)', collect)
    .option('--events <file>', 'flat event file (repeatable)', collect)
    .option('--corpus <file>', 'corpus file')
    .option('--labels <file>', 'labels file (query, doc_id, grade): every rule is checked against it (report.md, do no harm)')
    .option('--synthetic <file>', 'synthetic queries (the queries.jsonl of clickforge synth): each a positive for its source document')
    .option('--seeds <file>', 'expert seeds (query, doc_id, grade): grade > 0 positives, grade 0 judged negatives')
    .option('--calibration <file>', 'calibration.json from `clickforge calibrate`: grade positives and veto negatives by its estimated relevance')
    .option('-o, --out <dir>', 'output folder')
    .option('--seed <n>', 'random seed')
    .option('--threads <n>', 'DuckDB threads')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 1GB (spills to disk above it)')
    .option('--curriculum', 'also write curriculum stage datasets (in-batch, + BM25, + dense mined by the built-in model)')
    .option('--set <path=value>', 'set any option, e.g. --set evidence.satisfiedDwellMs=20000 (repeatable)', collect)
    .option('-q, --quiet', 'no progress on stderr (warnings are still printed)');
}

/** Flags over the config file: the validated config of a build. */
export async function configFromFlags(f: BuildFlags, extra: Record<string, unknown> = {}): Promise<Config> {
  const abs = (p: string) => resolve(p);
  const flags: Record<string, unknown> = { ...extra };
  const input: Record<string, unknown> = {};
  if (f.serps) input.serps = f.serps.map(abs);
  if (f.events) input.events = f.events.map(abs);
  if (f.corpus) input.corpus = abs(f.corpus);
  if (f.labels) input.labels = abs(f.labels);
  if (f.synthetic) input.synthetic = abs(f.synthetic);
  if (f.seeds) input.seeds = abs(f.seeds);
  if (Object.keys(input).length) flags.input = input;
  if (f.out) flags.output = abs(f.out);
  if (f.seed !== undefined) flags.seed = Number(f.seed);
  if (f.threads !== undefined) flags.threads = Number(f.threads);
  if (f.memoryLimit !== undefined) flags.memoryLimit = f.memoryLimit;
  if (f.curriculum) flags.curriculum = { enabled: true };
  if (f.calibration) flags.calibration = { ...(flags.calibration as object | undefined), file: abs(f.calibration) };
  const cfg = parseConfig(await resolveConfig(f.config, flags, f.set ?? []));
  // path mistakes as usage / input errors before any work (the pipeline checks there is a click log or a bootstrap source)
  if (hasClickLog(cfg.input) || hasSources(cfg.input)) await checkBuildPaths(cfg);
  return cfg;
}

/** Run the build with progress, print the summary and the warnings. */
export async function runBuild(cfg: Config, quiet: boolean): Promise<BuildResult> {
  const { build } = await import('../../pipeline.js');
  const { printSummary } = await import('../summary.js');
  const { renderWarnings } = await import('../warnings.js');
  const result = await build(cfg, { onProgress: stepReporter(quiet) });
  printSummary(result);
  process.stderr.write(renderWarnings(result.report));
  return result;
}

export function register(program: Command): void {
  addBuildOptions(program
    .command('build')
    .description('Build graded positives, evidence, quarantine and a report from a click log and/or synthetic queries and expert seeds, and a corpus.'))
    .addHelpText(
      'after',
      `
A build that runs but makes data not worth training on still exits 0; it ends with one
"warning:" line on stderr for each of: no corpus; no positive pairs; no training records;
a flat position-bias curve (every rank examined at >= ${pct(WARNING_THRESHOLDS.flatCurveMin)} of rank 1);
a false-negative filter removing > ${pct(WARNING_THRESHOLDS.filterRemovedShare)} of its candidates (at least ${WARNING_THRESHOLDS.filterMinCandidates});
> ${pct(WARNING_THRESHOLDS.quarantinedShare)} of the input rows quarantined; counts that do not add up; with labels,
every rule that does harm on them (do no harm); and the report's own warnings.`,
    )
    .action(async (f: BuildFlags) => {
      await runBuild(await configFromFlags(f), Boolean(f.quiet));
    });
}
