import { resolve } from 'node:path';
import type { Command } from 'commander';

interface DemoFlags {
  out: string;
  sessions: string;
  seed: string;
  evaluate: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Simulate a help-desk search log with known truth, build a dataset from it, and show what cleaning bought (offline, a few minutes; --no-evaluate for under a minute).')
    .option('-o, --out <dir>', 'output folder', 'clickforge-demo')
    .option('--sessions <n>', 'simulated search sessions', '20000')
    .option('--seed <n>', 'random seed', '42')
    .option('--no-evaluate', 'skip training the built-in model on the naive and the cleaned dataset')
    .action(async (f: DemoFlags) => {
      const { runDemo, renderDemo } = await import('../../tools/demo/demo.js');
      const { stepReporter } = await import('../progress.js');
      const r = await runDemo({ outDir: resolve(f.out), sessions: Number(f.sessions), seed: Number(f.seed), evaluate: f.evaluate }, stepReporter(false));
      process.stdout.write(renderDemo(r));
    });
}
