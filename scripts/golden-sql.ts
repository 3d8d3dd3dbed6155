/**
 * Writes every event-level statement that clickforge generates, for every engine, into
 * test/golden/sql/<engine>/ (default options), so that a change to the event level shows as a diff
 * in each dialect. test/golden-sql.test.ts fails when these files are stale.
 *
 *   npm run golden-sql
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dialects, ENGINES } from '../src/db/dialect/index.js';
import { goldenStatements } from '../src/job/golden.js';

const root = resolve(import.meta.dirname, '..', 'test', 'golden', 'sql');
for (const engine of ENGINES) {
  const dir = join(root, engine);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of goldenStatements(dialects[engine])) writeFileSync(join(dir, `${name}.sql`), `${sql.trim()};\n`);
}
