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

function render(node: JsonSchemaNode, indent: string, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.description) out.push(...wrap(child.description, indent));
    if (child.enum) out.push(`${indent}# one of: ${child.enum.map(String).join(', ')}`);
    if (child.properties && Object.keys(child.properties).length > 0) {
      out.push(`${indent}${key}:`);
      render(child, `${indent}  `, out);
    } else if (child.default !== undefined) {
      out.push(`${indent}${key}: ${yamlScalar(child.default)}`);
    } else {
      out.push(`${indent}# ${key}:`);
    }
    out.push('');
  }
}

/** A commented YAML config with every option, its default and its documentation, from the schema itself. */
export function configTemplate(overrides: Record<string, string> = {}): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const out: string[] = [
    '# clickforge configuration. Every option is shown with its default; delete what you do not change.',
    '# Paths are relative to this file. Docs: docs/config.md',
    '',
  ];
  render(schema, '', out);
  let text = `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  for (const [k, v] of Object.entries(overrides)) text = text.replace(new RegExp(`^(\\s*)# ${k}:$`, 'm'), `$1${k}: ${v}`);
  return text;
}

/** docs/config.md: the same content as Markdown tables. */
export function configMarkdown(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const lines = ['# Configuration', '', 'Generated from the option schemas (`npm run schemas`). `clickforge init` writes the same as a commented YAML file; every option can also be set with `--set path=value` on the command line.', ''];
  const walk = (node: JsonSchemaNode, prefix: string) => {
    const leaves: string[] = [];
    const groups: [JsonSchemaNode, string][] = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (child.properties && Object.keys(child.properties).length > 0) groups.push([child, path]);
      else leaves.push(`| \`${path}\` | ${child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``} | ${(child.description ?? '').replace(/\|/g, '\\|')}${child.enum ? ` One of: ${child.enum.join(', ')}.` : ''} |`);
    }
    if (leaves.length) lines.push(`## ${prefix || 'top level'}`, '', '| option | default | meaning |', '|---|---|---|', ...leaves, '');
    for (const [child, path] of groups) walk(child, path);
  };
  walk(schema, '');
  return lines.join('\n');
}
