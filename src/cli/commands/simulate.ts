import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { collect, parseSets } from '../options.js';
import { mergeConfig, optionProblems, strictDeep } from '../../config.js';

interface SimFlags {
  world: string;
  collection?: string;
  out: string;
  preset?: string;
  sessions?: string;
  seed?: string;
  clickModel?: string;
  format?: string;
  dwell?: string;
  set?: string[];
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Write a corpus, a click log and its hidden truth (relevance, query families, examination curve).')
    .option('-w, --world <name>', 'helpdesk (built-in), cranfield or beir (needs --collection)', 'helpdesk')
    .option('--collection <dir>', 'the Cranfield folder or a BEIR folder, for --world cranfield|beir')
    .option('-o, --out <dir>', 'output folder', 'simulated')
    .option('--preset <names>', 'a harder world: no-dwell-signal, broad-topic, click-only, small (several joined by commas; flags and --set apply on top)')
    .option('--sessions <n>', 'number of search sessions')
    .option('--seed <n>', 'random seed')
    .option('--click-model <name>', 'pbm, cascade or dbn')
    .option('--format <list>', 'serps, events or serps,events')
    .option('--dwell <mode>', 'given (clicks carry dwell_ms) or timestamps (derive it)')
    .option('--set <path=value>', 'any simulator option, e.g. --set behaviour.pogoRate=0.3 (repeatable; see docs/simulate.md)', collect)
    .action(async (f: SimFlags) => {
      const sim = await import('../../tools/simulate/index.js');
      const flags: Record<string, unknown> = {};
      if (f.sessions) flags.sessions = Number(f.sessions);
      if (f.seed) flags.seed = Number(f.seed);
      if (f.clickModel) flags.clicks = { model: f.clickModel };
      if (f.format) flags.format = f.format.split(',').map((s) => s.trim());
      if (f.dwell) flags.dwell = f.dwell;
      const overrides = mergeConfig(flags, parseSets(f.set ?? [])) as Record<string, unknown>;
      const presets = f.preset ? f.preset.split(',').map((s) => s.trim()).filter((s) => s) : [];
      const input = presets.length ? sim.presetOptions(presets, overrides) : overrides;
      // the simulator's schema strips unknown keys: refuse them here, with the closest valid name
      const strict = strictDeep(sim.simulateOptions).safeParse(input);
      if (!strict.success) {
        const problems = optionProblems(sim.simulateOptions, strict.error.issues.filter((i) => i.code === 'unrecognized_keys'), input, 'docs/simulate.md');
        if (problems.length) throw usageError('bad_options', problems.join('\n[clickforge] '));
      }
      const opts = sim.parseSimulateOptions(input as never);
      let world;
      if (f.world === 'helpdesk') world = sim.buildHelpdeskWorld(opts);
      else if (f.world === 'cranfield' || f.world === 'beir') {
        if (!f.collection) throw usageError('missing_collection', `--world ${f.world} needs --collection <dir> (for example ../shared/data/cranfield).`);
        const coll = f.world === 'cranfield' ? sim.readCranfield(resolve(f.collection)) : sim.readBeirFolder(resolve(f.collection));
        world = sim.buildCollectionWorld(coll, opts);
      } else throw usageError('bad_world', `unknown --world "${f.world}": use helpdesk, cranfield or beir.`);
      const stats = await sim.simulateLog(world, opts, resolve(f.out));
      const d = stats.detail;
      process.stdout.write(
        [
          ...(presets.length ? [`preset            ${presets.join(', ')}`] : []),
          `world             ${world.name}: ${world.docs.length} documents, ${world.queries.length} queries, ${world.qrels.length} judgements`,
          `result pages      ${d.pages} in ${d.sessions} sessions by ${d.users} users`,
          `clicks            ${d.clicks} (${d.satisfiedClicks} satisfied, ${d.pogo} pogo), ${d.conversions} conversions`,
          `reformulations    ${d.reformulations}`,
          `output            ${resolve(f.out)} (truth in truth/)`,
        ].join('\n') + '\n',
      );
    });
}
