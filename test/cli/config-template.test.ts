import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { commonOptions, configTemplate, firstSentence } from '../../src/cli/config-template.js';
import { configSchema, parseConfig } from '../../src/config.js';
import { cli } from './helpers.js';

type Def = { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };

/** Every option of a zod schema by dotted path: objects are groups, anything else (a union, a record, a list) one option. */
function schemaOptions(schema: z.core.$ZodType, prefix = ''): { leaves: string[]; groups: string[] } {
  const def = schema._zod.def as unknown as Def;
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  if (inner) return schemaOptions(inner, prefix);
  if (def.type !== 'object' || Object.keys(def.shape!).length === 0) return { leaves: [prefix], groups: [] };
  const out = { leaves: [] as string[], groups: prefix ? [prefix] : [] };
  for (const [k, v] of Object.entries(def.shape!)) {
    const r = schemaOptions(v, prefix ? `${prefix}.${k}` : k);
    out.leaves.push(...r.leaves);
    out.groups.push(...r.groups);
  }
  return out;
}

/**
 * The options a template writes, by dotted path from its indentation: `key: value` lines and
 * commented-out `# key:` lines; a group that is off by default (`key: null`) is followed by its
 * options commented out, read here as if uncommented.
 */
function templateOptions(text: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  let block: { indent: string; key: string; open: boolean } | undefined;
  for (const raw of text.split('\n')) {
    let line = raw;
    if (block?.open && raw.startsWith(`${block.indent}#`)) line = block.indent + raw.slice(block.indent.length + 2);
    else if (block && raw === `${block.indent}# ${block.key}:`) {
      block.open = true;
      out.pop(); // the group, not the null, holds the options
      line = `${block.indent}${block.key}:`;
    } else block = undefined;
    const nul = /^( *)([A-Za-z][\w-]*): null$/.exec(line);
    if (nul && !block) block = { indent: nul[1]!, key: nul[2]!, open: false };
    const m = /^( *)(?:(# )?([A-Za-z][\w-]*):(?: (.*))?)$/.exec(line);
    if (!m) continue;
    const [, indent, commented, key, value] = m;
    if (commented && value !== undefined) continue; // a description line, not an option
    const depth = indent!.length / 2;
    stack.length = depth;
    stack.push(key!);
    if (commented || value !== undefined) out.push(stack.join('.'));
  }
  return out;
}

const { leaves, groups } = schemaOptions(configSchema);
const under = (paths: readonly string[]) => leaves.filter((l) => paths.some((p) => l === p || l.startsWith(`${p}.`)));

describe('config templates', () => {
  it('the common list names only existing options or groups, each once', () => {
    for (const c of commonOptions) expect([...leaves, ...groups], c).toContain(c);
    expect(new Set(commonOptions).size).toBe(commonOptions.length);
  });

  it('init writes exactly the common options, each with its default, and parses back to the defaults', () => {
    const text = configTemplate();
    expect(templateOptions(text).sort()).toEqual(under(commonOptions).sort());
    expect(parseConfig(parse(text))).toEqual(parseConfig({}));
    expect(text).toContain('# Dwell at or above this is a satisfied click.\n  satisfiedDwellMs: 30000\n');
    expect(text).not.toContain('30 s is the common SAT-click threshold'); // the why stays in --all and docs/config.md
  });

  it('init --all writes every option of the schema (walked), and parses back to the defaults', () => {
    const text = configTemplate({ all: true });
    expect(templateOptions(text).sort()).toEqual([...leaves].sort());
    expect(leaves.length).toBeGreaterThan(150);
    expect(parseConfig(parse(text))).toEqual(parseConfig({}));
  });

  it('takes the first sentence of a description, past abbreviations, and keeps a list of values whole', () => {
    expect(firstSentence('Negatives per record. 4 is common (e.g. E5 recipes).')).toBe('Negatives per record.');
    expect(firstSentence('A cut (e.g. Broder et al. 1997). More.')).toBe('A cut (e.g. Broder et al. 1997).');
    expect(firstSentence('a: one thing. b: another. The default is a.')).toBe('a: one thing. b: another.');
    expect(firstSentence('No full stop')).toBe('No full stop');
  });

  it('`clickforge init --all` writes the full template, `init` the common one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-init-'));
    expect(cli(['init', '--all', join(dir, 'all.yaml')]).code).toBe(0);
    expect(cli(['init', join(dir, 'common.yaml')]).code).toBe(0);
    expect(readFileSync(join(dir, 'all.yaml'), 'utf8')).toBe(configTemplate({ all: true }));
    expect(readFileSync(join(dir, 'common.yaml'), 'utf8')).toBe(configTemplate());
  });
});
