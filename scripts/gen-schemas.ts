/** Write docs/schemas/*.schema.json from the zod schemas in src/formats. Run: npm run schemas */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonSchemas } from '../src/formats/index.js';

const dir = join(import.meta.dirname, '..', 'docs', 'schemas');
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemas())) {
  await writeFile(join(dir, name), text);
  process.stdout.write(`wrote docs/schemas/${name}\n`);
}
