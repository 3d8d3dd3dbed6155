import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, configSchema, editDistance, parseConfig } from '../../src/config.js';
import { ClickforgeError } from '../../src/errors.js';
import { parseSets } from '../../src/cli/options.js';
import { cli } from './helpers.js';

const messageOf = (input: unknown): string => {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ClickforgeError);
    expect((e as ClickforgeError).kind).toBe('usage');
    return (e as Error).message;
  }
  throw new Error(`parsed: ${JSON.stringify(input)}`);
};

interface Node {
  type?: string | string[];
  properties?: Record<string, Node>;
  additionalProperties?: unknown;
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
}

/** Every object of the JSON Schema (properties, unions, arrays), with its option path. */
function objects(node: Node, path: string, out: [string, Node][] = []): [string, Node][] {
  if (node.properties) {
    out.push([path, node]);
    for (const [k, child] of Object.entries(node.properties)) objects(child, path ? `${path}.${k}` : k, out);
  }
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) objects(alt, path, out);
  if (node.items) objects(node.items, `${path}[]`, out);
  return out;
}

describe('config strictness', () => {
  it('every object of the schema refuses unknown keys', () => {
    const all = objects(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node, '');
    expect(all.length).toBeGreaterThan(40);
    const loose = all.filter(([, n]) => n.additionalProperties !== false).map(([p]) => p || '(top level)');
    expect(loose).toEqual([]);
  });

  it('an unknown key at any option path is refused, naming the path', () => {
    const all = objects(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node, '').filter(([p]) => !p.includes('[]'));
    const unions = new Set(['embedder', 'judge']);
    let checked = 0;
    for (const [path] of all) {
      if (unions.has(path)) continue; // their branches need a kind; checked below
      const key = path ? `${path}.zzNotAnOption` : 'zzNotAnOption';
      expect(messageOf(parseSets([`${key}=1`])), key).toContain(`${key}: unknown option`);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    expect(messageOf({ embedder: { kind: 'builtin', modelPath: 'm.bin', zzNotAnOption: 1 } })).toContain('embedder.zzNotAnOption: unknown option');
    expect(messageOf({ judge: { kind: 'llm', baseUrl: 'http://x', model: 'm', zzNotAnOption: 1 } })).toContain('judge.zzNotAnOption: unknown option');
  });

  it('suggests the closest valid name, at the same level or another', () => {
    expect(messageOf({ evidence: { satisfiedDwelMs: 1000 } })).toBe('[clickforge] evidence.satisfiedDwelMs: unknown option; did you mean evidence.satisfiedDwellMs?');
    expect(messageOf({ evidnce: {} })).toContain('evidnce: unknown option; did you mean evidence?');
    expect(messageOf({ evidence: { satisfied_dwell_ms: 1 } })).toContain('did you mean evidence.satisfiedDwellMs?');
    expect(messageOf({ embedder: { kind: 'onnx', modelDir: 'd', cachedir: 'c' } })).toContain('embedder.cachedir: unknown option; did you mean embedder.cacheDir?');
    expect(messageOf({ minExposureForNegative: 1 })).toContain('minExposureForNegative: unknown option; did you mean evidence.minExposureForNegative?');
    // nothing close: the valid names of that level
    expect(messageOf({ evidence: { bogus: 3 } })).toContain('evidence.bogus: unknown option; the options under evidence are satisfiedDwellMs, shortDwellMs,');
    // a misspelt value of an enum or a kind
    expect(messageOf({ evidence: { unknownDwell: 'weka' } })).toContain('did you mean "weak"?');
    expect(messageOf({ embedder: { kind: 'bulitin', modelPath: 'm' } })).toContain('embedder.kind: unknown "bulitin"; use one of builtin, openai, onnx (did you mean builtin?)');
  });

  it('puts each problem on its own line, naming the option', () => {
    const lines = messageOf({ evidence: { satisfiedDwellMs: -5, shortDwelMs: 1 } }).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => /^\[clickforge\] evidence\.satisfiedDwellMs: Too small.*>=0/.test(l))).toBe(true);
    expect(lines.some((l) => l === '[clickforge] evidence.shortDwelMs: unknown option; did you mean evidence.shortDwellMs?')).toBe(true);
  });

  it('accepts its own output (a parsed config passed back to build)', () => {
    const once = parseConfig({ input: { serps: ['a.jsonl'] }, embedder: { kind: 'builtin', modelPath: 'm.bin' } });
    expect(parseConfig(once)).toEqual(once);
  });

  it('library callers get the same refusal from build()', async () => {
    const { build } = await import('../../src/pipeline.js');
    const out = join(mkdtempSync(join(tmpdir(), 'cf-strict-')), 'out');
    await expect(build({ input: { serps: ['x.jsonl'] }, output: out, evidence: { satisfiedDwelMs: 1000 } } as never)).rejects.toThrow(
      'evidence.satisfiedDwelMs: unknown option; did you mean evidence.satisfiedDwellMs?',
    );
  });

  it('edit distance counts a swap as one edit and ignores case, _ and -', () => {
    expect(editDistance('satisfiedDwelMs', 'satisfiedDwellMs')).toBe(1);
    expect(editDistance('sede', 'seed')).toBe(1);
    expect(editDistance('Max_Rank', 'maxRank')).toBe(0);
    expect(closest('bogus', ['satisfiedDwellMs', 'shortDwellMs'])).toEqual([]);
    expect(closest('maxRnak', ['maxRank', 'minRank'])).toEqual(['maxRank']);
  });
});

describe('cli: unknown options exit 2 with one line each', () => {
  it('a typo in the YAML config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-strict-cli-'));
    const file = join(dir, 'clickforge.yaml');
    writeFileSync(file, 'input:\n  serps: [x.jsonl]\nevidence:\n  satisfiedDwelMs: 1000\n');
    const r = cli(['build', '--config', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: [clickforge] evidence.satisfiedDwelMs: unknown option; did you mean evidence.satisfiedDwellMs?\n');
  });

  it('--set with an unknown key, and two problems on two lines', () => {
    const r = cli(['build', '--serps', 'x.jsonl', '--set', 'evidence.bogus=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: \[clickforge\] evidence\.bogus: unknown option; the options under evidence are satisfiedDwellMs/);
    const two = cli(['build', '--serps', 'x.jsonl', '--set', 'evidence.satisfiedDwellMs=-5', '--set', 'seeed=1']);
    expect(two.code).toBe(2);
    const lines = two.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^error: \[clickforge\] (evidence\.satisfiedDwellMs|seeed): /);
    expect(two.stderr).toContain('seeed: unknown option; did you mean seed?');
  });
});

describe('cli simulate: unknown --set keys exit 2', () => {
  it('names the key and the closest simulator option', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cf-strict-sim-')), 'sim');
    const r = cli(['simulate', '--sessions', '20', '--set', 'behaviour.pogoRat=0.3', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: [clickforge] behaviour.pogoRat: unknown option; did you mean behaviour.pogoRate?\n');
  });
});

