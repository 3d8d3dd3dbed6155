/** Writes docs/config.md and docs/clickforge.example.yaml from the option schemas. */
import { writeFileSync } from 'node:fs';
import { configMarkdown, configTemplate } from '../src/cli/config-template.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), configMarkdown());
writeFileSync(new URL('../docs/clickforge.example.yaml', import.meta.url), configTemplate({ all: true }));
process.stdout.write('wrote docs/config.md, docs/clickforge.example.yaml\n');
