import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiSections } from '../docs/api-snippets.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** docs/api.md's examples, run section by section in one folder (later sections read what the first one built). */
describe('docs/api.md examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-api-'));
  const sections = apiSections(undefined, join(ROOT, 'src', 'index.ts'));
  for (const [i, s] of sections.entries()) {
    it(`run: ${s.title}`, () => {
      const file = join(dir, `section-${i}.mts`);
      writeFileSync(file, s.code);
      let out: string;
      try {
        out = execFileSync(TSX, [file], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
      } catch (e) {
        throw new Error(`section "${s.title}" failed:\n${String((e as { stderr?: string }).stderr ?? e)}`, { cause: e });
      }
      expect(out.length).toBeGreaterThan(0);
    }, 300_000);
  }
});
