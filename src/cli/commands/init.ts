import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { configTemplate } from '../config-template.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('Write a commented config file with every option and its default.')
    .argument('[file]', 'where to write it', 'clickforge.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .action(async (file: string, f: { force?: boolean }) => {
      if (existsSync(file) && !f.force) throw usageError('exists', `${file} already exists; pass --force to overwrite it.`);
      await writeFileAtomic(file, configTemplate());
      process.stdout.write(`wrote ${file}\n`);
    });
}
