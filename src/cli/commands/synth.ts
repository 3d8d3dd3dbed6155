import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { mergeConfig, optionProblems, strictDeep } from '../../config.js';
import { collect, parseSets } from '../options.js';
import type { SynthReport } from '../../tools/synth/index.js';

interface SynthFlags {
  corpus: string;
  out: string;
  generator?: string;
  seed?: string;
  realQueries?: string;
  format?: string;
  set?: string[];
  quiet?: boolean;
}

const n = (x: number) => x.toLocaleString('en-US');
const reasons = (m: Readonly<Record<string, number>>) => Object.entries(m).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none';

/** The stdout summary of a synth run. */
export function synthSummary(r: SynthReport, corpusDropped: Readonly<Record<string, number>>, out: string, seconds: number): string {
  const removed = Object.entries(r.queries.removed).map(([f, m]) => `  ${f.padEnd(12)} ${reasons(m)}`);
  const styles = Object.entries(r.queries.byStyle).filter(([, s]) => s.asked > 0).map(([s, c]) => `${s} ${n(c.kept)}/${n(c.generated)}`).join(', ');
  const lines = [
    `generator         ${r.generator.id}`,
    `documents         ${n(r.documents.in)} (corpus rows dropped: ${reasons(corpusDropped)}; without a word: ${n(r.documents.noWords)})`,
    `passages          ${n(r.passages.in)} = ${n(r.passages.withQueries)} with queries + without: ${reasons(r.passages.withoutQueries)}`,
    `queries           ${n(r.queries.generated)} generated = ${n(r.queries.kept)} kept + removed by filter:`,
    ...removed,
    `kept / generated  ${styles}`,
    `noise             ${reasons(r.queries.noise)}`,
    ...(r.realism ? [`real queries      ${n(r.realism.real.queries)} compared: ${r.realism.findings.length ? r.realism.findings.join('; ') : 'no difference flagged'}`] : []),
    ...r.notes.map((x) => `note: ${x}`),
    `output            ${out} (${seconds.toFixed(1)} s)`,
  ];
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('synth')
    .description('Write synthetic queries for the passages of a corpus (no click log needed): queries.jsonl with style and provenance, passages.jsonl, report.json.')
    .requiredOption('--corpus <file>', 'corpus file (JSONL, CSV or Parquet: doc_id, text, optional title), as build reads it')
    .option('-o, --out <dir>', 'output folder (replaced as a whole)', 'synth')
    .option('--generator <name>', 'offline (default, no model) or llm (an OpenAI-compatible chat endpoint: --set llm.baseUrl=... --set llm.model=...)')
    .option('--seed <n>', 'random seed')
    .option('--real-queries <file>', 'real queries (a click log, seeds or labels file with a query column) for the too-clean check and re-weighting')
    .option('--format <name>', 'corpus format: auto, jsonl, csv or parquet', 'auto')
    .option('--set <path=value>', 'any synth option, e.g. --set noise.rate=0.3 (repeatable; see docs/synth.md)', collect)
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (f: SynthFlags) => {
      const synth = await import('../../tools/synth/index.js');
      const flags: Record<string, unknown> = {};
      if (f.generator) flags.generator = f.generator;
      if (f.seed !== undefined) {
        if (!/^-?\d+$/.test(f.seed)) throw usageError('bad_flag', `--seed must be an integer, got "${f.seed}".`);
        flags.seed = Number(f.seed);
      }
      if (f.realQueries) flags.realQueries = resolve(f.realQueries);
      const input = mergeConfig(flags, parseSets(f.set ?? [])) as Record<string, unknown>;
      const strict = strictDeep(synth.synthOptions).safeParse(input);
      if (!strict.success) {
        const problems = optionProblems(synth.synthOptions, strict.error.issues.filter((i) => i.code === 'unrecognized_keys'), input, 'docs/synth.md');
        if (problems.length) throw usageError('bad_options', problems.join('\n[clickforge] '));
      }
      const opts = synth.parseSynthOptions(input as never);
      const t0 = performance.now();
      const format = f.format as 'auto' | 'jsonl' | 'csv' | 'parquet';
      if (!['auto', 'jsonl', 'csv', 'parquet'].includes(format)) throw usageError('bad_flag', `--format must be auto, jsonl, csv or parquet, got "${f.format}".`);
      const corpus = await synth.readCorpus(resolve(f.corpus), { format });
      const realQueries = opts.realQueries ? await synth.readRealQueries(opts.realQueries) : undefined;
      const progress = f.quiet || !process.stderr.isTTY ? undefined : (done: number, total: number) => process.stderr.write(`\rsynth: ${done}/${total} passages`);
      const r = await synth.synthesize(corpus.docs, opts, { ...(realQueries ? { realQueries } : {}), ...(progress ? { onProgress: progress } : {}) });
      if (progress) process.stderr.write('\n');
      const out = resolve(f.out);
      await synth.writeSynthOutput(out, r, { corpus, options: opts, inputs: { corpus: f.corpus, ...(opts.realQueries ? { realQueries: f.realQueries! } : {}) } });
      process.stdout.write(synthSummary(r.report, corpus.stats.dropped, out, (performance.now() - t0) / 1000));
    });
}
