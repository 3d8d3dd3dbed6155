#!/usr/bin/env node
import { Command } from 'commander';
import { exitCodeFor, ClickforgeError } from '../errors.js';

const program = new Command();
program.name('clickforge').description('Turn search click logs into clean training data for embedding models.').version('0.1.0');

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ClickforgeError && err.kind !== 'internal') process.stderr.write(`error: ${err.message}\n`);
  else process.stderr.write(`internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(exitCodeFor(err));
});
