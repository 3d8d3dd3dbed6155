import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../src/config.js';
import { simulateOptions } from '../src/tools/simulate/options.js';
import { modelOptions, trainOptions } from '../src/model/options.js';
import { calibrationFileSchema } from '../src/stages/calibration/options.js';
import { auditOptions } from '../src/stages/splits/options.js';

// Docs are reference for users; measured decisions live in docs/design/ (GUIDE.md habit 17).
// These checks keep lab-notebook traces out of docs/ and option descriptions short.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const docFiles = filesUnder(join(root, 'docs')).filter((p) => /\.(md|json|ya?ml)$/.test(p));

/** Traces of how a page was written rather than what the tool does. */
const notebookTraces: [string, RegExp][] = [
  ['a work session number', /(?<![-\w])session \d{1,2}\b/i], // "session 2", "(session 3)"; not "co-session 2", not "TREC Session 2014"
  ['"this session" (a work session; say "the session" for a user session)', /\bthis session\b/i],
  ['other engineers', /\b(other|another|fellow) engineers?\b/i],
  ['a machine path', /(?<![\w.])\/(work|home|tmp|root|Users|scratch)\//],
  ['a scratch folder', /\.scratch\b/],
  ['a commit hash (a changelog)', /\b(commit|before this change) \(?[0-9a-f]{7,40}\b|\((?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,12}\)/],
];

describe('docs/ reads as reference', () => {
  it('has pages to check', () => {
    expect(docFiles.length).toBeGreaterThan(20);
  });

  it('no file mentions a work session, a machine path, other engineers or a commit', () => {
    const found: string[] = [];
    for (const file of docFiles) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const [what, re] of notebookTraces) {
          const m = re.exec(line);
          if (m) found.push(`${relative(root, file)}:${i + 1}: ${what}: "${m[0]}"`);
        }
      });
    }
    expect(found).toEqual([]);
  });
});

describe('relative links', () => {
  const pages = [join(root, 'README.md'), ...docFiles.filter((p) => p.endsWith('.md'))];
  it('every relative link in README.md and docs/**/*.md points at a file or folder that exists', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // URLs, anchors
        const path = decodeURIComponent(target.replace(/#.*$/, ''));
        if (!existsSync(resolve(dirname(page), path))) broken.push(`${relative(root, page)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

// ---- option descriptions ------------------------------------------------------------------------

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
}

function descriptions(node: Node, path: string, out: Map<string, string>): Map<string, string> {
  if (node.description && path) out.set(path, node.description);
  for (const [k, child] of Object.entries(node.properties ?? {})) descriptions(child, path ? `${path}.${k}` : k, out);
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) descriptions({ ...branch, description: undefined }, path, out);
  if (node.items) descriptions({ ...node.items, description: undefined }, `${path}[]`, out);
  return out;
}

/**
 * Every option description is one sentence of what the option does and one of why the default.
 * 300 characters holds two such sentences (the median description is ~130); it is 3-4 comment
 * lines in the YAML that `clickforge init` writes. Longer reasoning goes in docs/design/.
 */
const MAX_CHARS = 300;
const MAX_SENTENCES = 2;
const sentences = (d: string) => d.split(/(?<=[.!?])\s+(?=[A-Z"(`])/).filter(Boolean).length;

const schemas = { config: configSchema, simulate: simulateOptions, model: modelOptions, train: trainOptions, calibrationFile: calibrationFileSchema, audit: auditOptions };
const all = new Map<string, string>();
for (const [name, schema] of Object.entries(schemas)) {
  descriptions(z.toJSONSchema(schema as z.core.$ZodType, { io: 'input', unrepresentable: 'any' }) as Node, name, all);
}

describe('option descriptions', () => {
  it('are collected from every option schema', () => {
    expect(all.size).toBeGreaterThan(250);
  });

  it(`are at most ${MAX_SENTENCES} sentences and ${MAX_CHARS} characters`, () => {
    const long = [...all]
      .filter(([, d]) => d.length > MAX_CHARS || sentences(d) > MAX_SENTENCES)
      .map(([p, d]) => `${p}: ${d.length} characters, ${sentences(d)} sentences`);
    expect(long).toEqual([]);
  });

  it('do not carry work-session or machine traces either', () => {
    const found = [...all].filter(([, d]) => notebookTraces.some(([, re]) => re.test(d))).map(([p]) => p);
    expect(found).toEqual([]);
  });
});
