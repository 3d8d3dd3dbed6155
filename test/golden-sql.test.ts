import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialects, ENGINES } from '../src/db/dialect/index.js';
import { sessionStatements } from '../src/stages/sessions/job.js';

const root = resolve(import.meta.dirname, 'golden', 'sql');

describe.each(ENGINES)('golden SQL, %s', (engine) => {
  const statements = sessionStatements(dialects[engine]);
  it('has exactly the generated statements (run npm run golden-sql when the event level changes)', () => {
    expect(readdirSync(join(root, engine)).sort()).toEqual(statements.map(([n]) => `${n}.sql`).sort());
  });
  it.each(statements.map(([n, s]) => [n, s] as const))('%s is up to date (run npm run golden-sql)', (name, sql) => {
    expect(readFileSync(join(root, engine, `${name}.sql`), 'utf8')).toBe(`${sql.trim()};\n`);
  });
});

describe('dialects differ where the engines do', () => {
  const text = (engine: keyof typeof dialects) => sessionStatements(dialects[engine]).map(([, s]) => s).join('\n');
  it('spark has no DuckDB-only syntax', () => {
    const spark = text('spark');
    for (const duckOnly of [/\bQUALIFY\b/, /\bASOF\b/, /\browid\b/, /::[A-Z]/, /\bTEMP TABLE\b/]) expect(spark).not.toMatch(duckOnly);
  });
  it('duckdb keeps its native forms', () => {
    const duck = text('duckdb');
    for (const native of [/\bQUALIFY\b/, /\bASOF LEFT JOIN\b/, /\browid\b/]) expect(duck).toMatch(native);
  });
});
