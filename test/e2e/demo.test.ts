import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { buildWarnings } from '../../src/cli/warnings.js';
import type { Report } from '../../src/stages/report/report.js';

describe('clickforge demo (the README quick start), small', () => {
  it('simulates, builds every output with counts that add up, and prints the comparison', () => {
    const out = mkdtempSync(join(tmpdir(), 'cf-demo-'));
    const r = cli(['demo', '--out', out, '--sessions', '3000', '--no-evaluate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('counts add up: yes');
    expect(r.stdout).toMatch(/positives that are relevant/);
    // it ends with the checklist and points at report.html
    expect(r.stdout).toMatch(/The dataset checklist[^\n]*\n( {2}(pass|warn|FAIL|unknown) +\d\. [^\n]+\n){6}/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Next: open \S+\/build\/report\.html in a browser/);
    for (const f of ['positives.jsonl', 'positives.multi.jsonl', 'evidence.parquet', 'quarantine.jsonl', 'report.json', 'report.md', 'report.html', 'manifest.json',
      'dataset/sentence-transformers/train.jsonl', 'dataset/flagembedding/train.jsonl', 'dataset/tevatron/train.jsonl', 'dataset/beir/qrels/train.tsv']) {
      expect(existsSync(join(out, 'build', f)), f).toBe(true);
    }
    // the demo puts every family in train (it measures on the simulator's own held-out families): no empty test split is written
    expect(existsSync(join(out, 'build', 'dataset/beir/qrels/test.tsv'))).toBe(false);
    const report = JSON.parse(readFileSync(join(out, 'build', 'report.json'), 'utf8')) as Report;
    for (const a of report.accounting) expect(a.ok, a.name).toBe(true);
    // the demo world's curve is identified, so grading.rule auto grades by debiased relevance, and no warning fires
    expect(report.sections.bias).toMatchObject({ identified: true, grading: { requested: 'auto', rule: 'relevance' } });
    expect(buildWarnings(report)).toEqual([]);
  });
});
