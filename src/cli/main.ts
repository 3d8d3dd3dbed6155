#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exitCodeFor, ClickforgeError, EXIT } from '../errors.js';
import { VERSION } from '../version.js';

/** Commands are registered from their own modules; each module is small and imports its heavy parts lazily. */
const COMMANDS = ['build', 'events', 'report', 'calibrate', 'init', 'demo', 'simulate', 'evaluate', 'synth', 'sql'] as const;

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('clickforge')
    .description('Turn search click logs into clean, debiased training data for embedding models.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  for (const name of COMMANDS) {
    const mod = (await import(`./commands/${name}.js`)) as { register: (p: Command) => void };
    mod.register(program);
  }
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  // one problem per line, each a complete message (a config with two typos prints two lines); other lines continue the one above
  if (err instanceof ClickforgeError && err.kind !== 'internal') process.stderr.write(err.message.split('\n').map((l, i) => (i === 0 || l.startsWith('[clickforge') ? `error: ${l}\n` : `${l}\n`)).join(''));
  else process.stderr.write(`internal error (please report it): ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(exitCodeFor(err));
});
