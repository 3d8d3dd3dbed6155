import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialects, ENGINES } from '../src/db/dialect/index.js';
import { goldenStatements } from '../src/job/golden.js';

const root = resolve(import.meta.dirname, 'golden', 'sql');

describe.each(ENGINES)('golden SQL, %s', (engine) => {
  const statements = goldenStatements(dialects[engine]);
  it('has exactly the generated statements (run npm run golden-sql when the event level changes)', () => {
    expect(readdirSync(join(root, engine)).sort()).toEqual(statements.map(([n]) => `${n}.sql`).sort());
  });
  it.each(statements.map(([n, s]) => [n, s] as const))('%s is up to date (run npm run golden-sql)', (name, sql) => {
    expect(readFileSync(join(root, engine, `${name}.sql`), 'utf8')).toBe(`${sql.trim()};\n`);
  });
});

describe('every event-level statement exists in both dialects', () => {
  const names = (engine: keyof typeof dialects) => goldenStatements(dialects[engine]).map(([n]) => n);
  it('the same statements, in the same order, for duckdb and spark', () => {
    expect(names('spark')).toEqual(names('duckdb'));
    for (const stage of ['sessions-', 'evidence-', 'grading-', 'bias-', 'counts-']) expect(names('duckdb').some((n) => n.startsWith(stage)), stage).toBe(true);
  });
  const creates = (sql: string) => /^\s*CREATE OR REPLACE (?:TEMP TABLE|TABLE|TEMPORARY VIEW) (\S+) AS/.exec(sql)?.[1] ?? null;
  it.each(goldenStatements(dialects.duckdb).map(([n], i) => [n, i] as const))('%s writes the same relation in both dialects', (_name, i) => {
    const [, duck] = goldenStatements(dialects.duckdb)[i]!;
    const [, spark] = goldenStatements(dialects.spark)[i]!;
    expect(creates(spark)).toBe(creates(duck));
  });
});

describe('dialects differ where the engines do', () => {
  const text = (engine: keyof typeof dialects) => goldenStatements(dialects[engine]).map(([, s]) => s).join('\n');
  it('spark has no DuckDB-only syntax', () => {
    const spark = text('spark');
    const duckOnly = [/\bQUALIFY\b/, /\bASOF\b/, /\browid\b/, /::[A-Z]/, /\bTEMP TABLE\b/, /\blist_\w+\(/, /\bEXCLUDE\b/, /\bREPLACE \(/, /(?<!LEFT )\bANTI JOIN\b/,
      /\[\]/, /\bhash\(/, /\bstring_split\(/, /\brange\(/, /\blist\(/, /\bCREATE OR REPLACE TABLE\b/, /\(VALUES\b/];
    for (const re of duckOnly) expect(spark, String(re)).not.toMatch(re);
  });
  it('duckdb keeps its native forms', () => {
    const duck = text('duckdb');
    for (const native of [/\bQUALIFY\b/, /\bASOF LEFT JOIN\b/, /\browid\b/, /\bANTI JOIN\b/, /\blist_filter\(/, /\bEXCLUDE\b/, /\bhash\(/]) expect(duck).toMatch(native);
  });
});
