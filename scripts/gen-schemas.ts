/** Write docs/schemas/*.schema.json from the zod schemas in src/formats. Run: npm run schemas */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonSchemas } from '../src/formats/index.js';
import { exportJsonSchemas } from '../src/stages/export/schemas.js';

const dir = join(import.meta.dirname, '..', 'docs', 'schemas');
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemas())) {
  await writeFile(join(dir, name), text);
  process.stdout.write(`wrote docs/schemas/${name}\n`);
}

const exportDir = join(dir, 'export');
await mkdir(exportDir, { recursive: true });
for (const [name, text] of Object.entries(exportJsonSchemas())) {
  await writeFile(join(exportDir, name), text);
  process.stdout.write(`wrote docs/schemas/export/${name}\n`);
}
