import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const fix = new URL('../fixtures/messy/', import.meta.url).pathname;

describe('cli build: path mistakes are usage or input errors before any step runs', () => {
  it('output under a file, output in an unwritable folder, input that is a folder, input in the output folder', () => {
    const d = mkdtempSync(join(tmpdir(), 'cf-cli-paths-'));
    writeFileSync(join(d, 'afile'), 'x');
    mkdirSync(join(d, 'logs.jsonl'));
    const base = ['build', '--serps', `${fix}serps.jsonl`, '--corpus', `${fix}corpus.jsonl`];
    const cases: { args: string[]; code: number; says: string }[] = [
      { args: [...base, '--out', join(d, 'afile', 'out')], code: 2, says: `lies under ${join(d, 'afile')}, which is a file` },
      { args: ['build', '--serps', join(d, 'logs.jsonl'), '--out', join(d, 'o1')], code: 3, says: `input ${join(d, 'logs.jsonl')} (input.serps) is a folder, not a file` },
      { args: [...base, '--out', '/sys/cf-out'], code: 2, says: 'cannot write output folder /sys/cf-out' },
    ];
    if (!existsSync('/sys') || process.getuid?.() !== 0) cases.pop(); // root ignores file modes: /sys is this machine's unwritable folder
    const out = join(d, 'prev');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{}');
    writeFileSync(join(out, 'quarantine.jsonl'), '');
    cases.push({ args: ['build', '--serps', join(out, 'quarantine.jsonl'), '--out', out], code: 2, says: 'under the output name quarantine.jsonl, which the build overwrites' });
    for (const c of cases) {
      const r = cli(c.args);
      expect(r.code, `${c.args.join(' ')}\n${r.stderr}`).toBe(c.code);
      expect(r.stderr).toContain(c.says);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr, 'no step ran').not.toContain('[1/');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
