import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { configTemplate } from '../config-template.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('Write a commented config file with the options most builds change and their defaults (--all: every option).')
    .argument('[file]', 'where to write it', 'clickforge.yaml')
    .option('-a, --all', 'write every option, grouped by stage')
    .option('-f, --force', 'overwrite an existing file')
    .action(async (file: string, f: { all?: boolean; force?: boolean }) => {
      if (existsSync(file) && !f.force) throw usageError('exists', `${file} already exists; pass --force to overwrite it.`);
      await writeFileAtomic(file, configTemplate({ all: f.all === true }));
      process.stdout.write(`wrote ${file}\n`);
    });
}
