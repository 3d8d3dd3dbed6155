import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { cli } from './helpers.js';

describe('cli', () => {
  it('prints help for every command', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['build', 'events', 'init', 'demo', 'simulate', 'evaluate']) {
      expect(top.stdout).toContain(cmd);
      const r = cli([cmd, '--help']);
      expect(r.code, `${cmd} --help`).toBe(0);
      expect(r.stdout).toContain('Usage: clickforge ' + cmd);
    }
  });

  it('events refuses the text level\'s inputs, and build --evidence a folder that is not one, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-cli-evl-'));
    const r = cli(['events', '--events', join(dir, 'log.jsonl'), '--corpus', join(dir, 'docs.jsonl'), '--out', join(dir, 'ev')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--corpus is an option of the text level; pass it to clickforge build --evidence DIR');
    const b = cli(['build', '--evidence', dir, '--out', join(dir, 'out')]);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain(`${join(dir, 'manifest.json')} cannot be read`);
  });

  it('exits 2 on bad usage and 3 on unreadable input', () => {
    expect(cli(['build', '--no-such-flag']).code).toBe(2);
    expect(cli(['build']).code).toBe(2); // no click log given
    const missingCfg = cli(['build', '--config', '/nonexistent/clickforge.yaml']);
    expect(missingCfg.code).toBe(2);
    expect(missingCfg.stderr).toContain('/nonexistent/clickforge.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'cf-cli-'));
    const missing = cli(['build', '--serps', join(dir, 'nope.jsonl'), '--out', join(dir, 'out')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nope.jsonl');
    const badSet = cli(['build', '--serps', 'x.jsonl', '--set', 'evidence.satisfiedDwellMs=-5']);
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toContain('evidence.satisfiedDwellMs');
    const badLimit = cli(['build', '--serps', 'x.jsonl', '--memory-limit', 'lots']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('memoryLimit: use a size such as "1GB"');
    // a limit DuckDB cannot work under: a usage error that names the option, not an internal error
    const fix = new URL('../fixtures/messy/', import.meta.url).pathname;
    const tiny = cli(['build', '--serps', `${fix}serps.jsonl`, '--corpus', `${fix}corpus.jsonl`, '--out', join(dir, 'tiny'), '--memory-limit', '1MB', '-q']);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toContain('DuckDB ran out of memory under memoryLimit 1MB: raise memoryLimit');
  });

  it('build prints the split sizes it wrote, as the report counts them', () => {
    const fix = new URL('../fixtures/messy/', import.meta.url).pathname;
    const out = join(mkdtempSync(join(tmpdir(), 'cf-cli-sum-')), 'out');
    const r = cli(['build', '--serps', `${fix}serps.jsonl`, '--corpus', `${fix}corpus.jsonl`, '--out', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { stages: { stage: string; out: Record<string, number> }[] };
    const exp = report.stages.find((st) => st.stage === 'export')!.out;
    const fam = report.stages.find((st) => st.stage === 'splits')!.out;
    expect(r.stdout).toMatch(new RegExp(`splits +\\w+: train ${exp.train} quer(?:y|ies), dev ${exp.dev}, test ${exp.test} \\(${fam.train} / ${fam.dev} / ${fam.test} families\\)`));
  });

  it('init writes a commented config that parses back to the defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-init-'));
    const file = join(dir, 'clickforge.yaml');
    expect(cli(['init', file]).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Dwell at or above this is a satisfied click');
    expect(parseConfig(parse(text))).toEqual(parseConfig({}));
    expect(cli(['init', file]).code).toBe(2); // refuses to overwrite
    writeFileSync(file, 'evidence: [1, 2');
    expect(cli(['build', '--config', file]).code).toBe(2);
  });
});

describe('docs/config.md', () => {
  it('is generated from the current option schemas (run `npm run schemas` after changing an option)', async () => {
    const { configMarkdown } = await import('../../src/cli/config-template.js');
    const { readFileSync: read } = await import('node:fs');
    expect(read(new URL('../../docs/config.md', import.meta.url), 'utf8')).toBe(configMarkdown());
  });
});
