import { z } from 'zod';
import { configSchema } from '../config.js';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  enum?: unknown[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
}

function wrap(text: string, indent: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + w.length + 1 > 96 - indent.length) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => `${indent}# ${l}`);
}

function yamlScalar(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return /^[\w./-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/**
 * The options a new user sets or looks at first: inputs and output, the seed, the dwell
 * thresholds and grading rule that decide the positives, the miners and how many negatives a
 * record gets, the splits, the formats written, the models (embedder, judge) and the calibration
 * and curriculum steps the README describes. `clickforge init` writes these; `init --all` and
 * docs/config.md show every option. A path names an option or a group of options.
 */
export const commonOptions = [
  'input.serps',
  'input.events',
  'input.corpus',
  'input.labels',
  'input.synthetic',
  'input.seeds',
  'input.faq',
  'input.macros',
  'input.pinned',
  'input.collections',
  'input.columns',
  'output',
  'seed',
  'evidence.satisfiedDwellMs',
  'evidence.shortDwellMs',
  'grading.rule',
  'positives.minGrade',
  'negatives.miners',
  'negatives.perRecord',
  'negatives.fill',
  'splits.mode',
  'splits.fractions',
  'export.formats',
  'export.negatives',
  'embedder',
  'prompts.query',
  'judge',
  'calibration.file',
  'curriculum.enabled',
] as const;

/** Which options a template shows: every one, or the common ones (a group's whole subtree when the group is common). */
type Shown = (path: string) => 'all' | 'some' | 'none';

const everything: Shown = () => 'all';

const common: Shown = (path) => {
  if (commonOptions.some((c) => path === c || path.startsWith(`${c}.`))) return 'all';
  return commonOptions.some((c) => c.startsWith(`${path}.`)) ? 'some' : 'none';
};

const ABBREVIATIONS = new Set(['e.g.', 'i.e.', 'al.', 'vs.', 'etc.', 'cf.']);

/** A sentence that starts by naming a value (`"funnel": ...`, `hashed: ...`): one item of a list of the option's values. */
const VALUE_ITEM = /^"?[\w-]+"?: /;

/**
 * The first sentence of a description (what the option does; the rest says why the default), for
 * the short template; a description that lists the option's values ("a": ... "b": ...) keeps the list.
 */
export function firstSentence(text: string): string {
  const list = VALUE_ITEM.test(text);
  for (const m of text.matchAll(/[.!?](?=\s+([^\s]))/g)) {
    const end = m.index + 1;
    const word = text.slice(text.lastIndexOf(' ', m.index) + 1, end).replace(/^\(/, '');
    if (ABBREVIATIONS.has(word) || /[a-z]/.test(m[1]!)) continue;
    if (list && VALUE_ITEM.test(text.slice(end).trimStart())) continue;
    return text.slice(0, end);
  }
  return text;
}

/** The options of a group that is off (null) by default, such as negatives.dense.approximate; undefined for any other node. */
function nullableGroup(node: JsonSchemaNode): JsonSchemaNode | undefined {
  if (node.default !== null || !node.anyOf?.some((o) => o.type === 'null')) return undefined;
  const groups = node.anyOf.filter((o) => o.properties && Object.keys(o.properties).length > 0);
  return groups.length === 1 ? groups[0] : undefined;
}

function render(node: JsonSchemaNode, indent: string, out: string[], pick: Shown, brief: boolean, prefix = ''): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const shown = pick(path);
    if (shown === 'none') continue;
    if (child.description) out.push(...wrap(brief ? firstSentence(child.description) : child.description, indent));
    if (child.enum) out.push(`${indent}# one of: ${child.enum.map(String).join(', ')}`);
    const off = nullableGroup(child);
    if (child.properties && Object.keys(child.properties).length > 0) {
      out.push(`${indent}${key}:`);
      render(child, `${indent}  `, out, shown === 'all' ? everything : pick, brief, path);
    } else if (off) {
      // off by default: its options, commented out, to put in place of the null
      const inner: string[] = [];
      render(off, `${indent}#   `, inner, everything, brief, path);
      while (inner.at(-1) === '') inner.pop();
      out.push(`${indent}${key}: null`, `${indent}# ${key}:`, ...inner.map((l) => (l === '' ? `${indent}#` : l)));
    } else if (child.default !== undefined) {
      out.push(`${indent}${key}: ${yamlScalar(child.default)}`);
    } else {
      out.push(`${indent}# ${key}:`);
    }
    out.push('');
  }
}

const inputSchema = () => z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;

/**
 * A commented YAML config from the schema itself: the common options (`commonOptions`) with the
 * first sentence of their documentation, or with `all` every option with all of it, each set to
 * its default (an option without one is commented out). Parses back to the defaults.
 */
export function configTemplate(opts: { readonly all?: boolean; readonly overrides?: Readonly<Record<string, string>> } = {}): string {
  const all = opts.all ?? false;
  const out: string[] = all
    ? ['# clickforge configuration. Every option is shown with its default; delete what you do not change.']
    : ['# clickforge configuration: the options most builds change, each with its default.', '# `clickforge init --all` writes every option.'];
  out.push('# Paths are relative to this file. Docs: docs/config.md', '');
  render(inputSchema(), '', out, all ? everything : common, !all);
  let text = `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  for (const [k, v] of Object.entries(opts.overrides ?? {})) text = text.replace(new RegExp(`^(\\s*)# ${k}:$`, 'm'), `$1${k}: ${v}`);
  return text;
}

const row = (path: string, node: JsonSchemaNode, description: string) =>
  `| \`${path}\` | ${node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``} | ${description.replace(/\|/g, '\\|')}${node.enum ? ` One of: ${node.enum.join(', ')}.` : ''} |`;

/** The leaf options under `node` (itself when it is one), with their paths. */
function leaves(node: JsonSchemaNode, path: string): [string, JsonSchemaNode][] {
  if (!node.properties || Object.keys(node.properties).length === 0) return [[path, node]];
  return Object.entries(node.properties).flatMap(([k, c]) => leaves(c, `${path}.${k}`));
}

/** The schema node at a dotted path, or undefined. */
function nodeAt(schema: JsonSchemaNode, path: string): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = schema;
  for (const k of path.split('.')) node = node?.properties?.[k];
  return node;
}

/** docs/config.md: the common options first, then every option as Markdown tables, one per group. */
export function configMarkdown(): string {
  const schema = inputSchema();
  const lines = ['# Configuration', '', 'Generated from the option schemas (`npm run schemas`). `clickforge init` writes the common options as a commented YAML file and `clickforge init --all` every option; every option can also be set with `--set path=value` on the command line.', ''];
  lines.push('## Common options', '', 'The options most builds change; each is described in full in its group below.', '', '| option | default | meaning |', '|---|---|---|');
  for (const c of commonOptions) for (const [path, node] of leaves(nodeAt(schema, c)!, c)) lines.push(row(path, node, firstSentence(node.description ?? '')));
  lines.push('');
  const walk = (node: JsonSchemaNode, prefix: string) => {
    const rows: string[] = [];
    const groups: [JsonSchemaNode, string][] = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      const off = nullableGroup(child);
      if (child.properties && Object.keys(child.properties).length > 0) groups.push([child, path]);
      else rows.push(row(path, child, child.description ?? ''));
      if (off) groups.push([off, path]);
    }
    if (rows.length) lines.push(`## ${prefix || 'top level'}`, '', '| option | default | meaning |', '|---|---|---|', ...rows, '');
    for (const [child, path] of groups) walk(child, path);
  };
  walk(schema, '');
  return lines.join('\n');
}
