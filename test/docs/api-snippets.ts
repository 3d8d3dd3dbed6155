import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One `##` section of docs/api.md: its TypeScript blocks as one module (imports merged, `clickforge` pointing at src/index.ts). */
export interface ApiSection {
  readonly title: string;
  readonly code: string;
}

const ROOT = resolve(import.meta.dirname, '..', '..');
export const API_DOC = join(ROOT, 'docs', 'api.md');
const INDEX = join(ROOT, 'src', 'index.js');
const IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';\s*$/;

export function apiSections(markdown = readFileSync(API_DOC, 'utf8'), index = INDEX): ApiSection[] {
  const sections: ApiSection[] = [];
  for (const part of markdown.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf('\n')).trim();
    const blocks = [...part.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    if (blocks.length === 0) continue;
    const specifiers = new Map<string, Set<string>>();
    const body: string[] = [];
    for (const line of blocks.join('\n').split('\n')) {
      const m = IMPORT.exec(line);
      if (!m) { body.push(line); continue; }
      const from = m[3] === 'clickforge' ? index : m[3]!;
      const set = specifiers.get(from) ?? new Set<string>();
      for (const s of m[2]!.split(',').map((x) => x.trim()).filter(Boolean)) set.add(m[1] ? `type ${s}` : s);
      specifiers.set(from, set);
    }
    const imports = [...specifiers].map(([from, set]) => `import { ${[...set].join(', ')} } from '${from}';`);
    sections.push({ title, code: `${imports.join('\n')}\n${body.join('\n')}\nexport {};\n` });
  }
  return sections;
}
