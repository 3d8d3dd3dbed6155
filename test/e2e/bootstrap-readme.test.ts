import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_SCHEMAS } from '../../src/stages/export/schemas.js';
import type { Report } from '../../src/stages/report/report.js';
import { ROOT } from '../cli/helpers.js';

/** The CLI from source, run in `cwd` as a user runs `npx clickforge` in their folder. */
function cli(args: string[], cwd: string): { code: number; stderr: string } {
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** The commands of the README's "Bootstrap without clicks" block, as argument lists (`npx clickforge` dropped). */
function readmeBootstrapCommands(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Bootstrap without clicks'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.trim().split('\n').map((l) => l.replace(/^npx clickforge /, '').split(/\s+/));
}

// a small generated help-desk corpus: 40 articles over 10 products x 4 problems, and a seeds file
const PRODUCTS = ['okta', 'vpn', 'printer', 'outlook', 'teams', 'laptop', 'wifi', 'jira', 'docker', 'payroll'];
const PROBLEMS = ['password reset', 'install fails', 'error 0x80070005 access denied', 'slow after update'];
const docs = PRODUCTS.flatMap((p, i) => PROBLEMS.map((q, j) => ({
  doc_id: `KB${i * 4 + j}`,
  title: `${p} ${q}`,
  text: `When ${p} shows ${q}, users cannot work. Open the ${p} console, check the account status and the logs, restart the ${p} service and try again. If ${q} persists, contact the service desk with the ticket number.`,
})));
const seeds = [
  { query: 'okta pw reset', doc_id: 'KB0', grade: 3 },
  { query: 'okta pw reset', doc_id: 'KB1', grade: 0 },
  { query: 'vpn wont install', doc_id: 'KB5', grade: 2 },
];

describe('README "Bootstrap without clicks": synth, then build with no click log', () => {
  it('runs the README commands on a small corpus; the build skips the click steps and its exports load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-bootstrap-'));
    writeFileSync(join(dir, 'docs.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    writeFileSync(join(dir, 'seeds.jsonl'), seeds.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const cmds = readmeBootstrapCommands();
    expect(cmds.map((c) => c[0])).toEqual(['synth', 'build']);
    expect(cmds[1]).not.toContain('--serps');
    for (const args of cmds) {
      const r = cli([...args, '--quiet'], dir);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    const synthQueries = readFileSync(join(dir, 'synth', 'queries.jsonl'), 'utf8').trim().split('\n').length;
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as Report;
    for (const a of report.accounting) expect(a.ok, a.name).toBe(true);
    const st = (name: string) => report.stages.find((s) => s.stage === name);
    expect(st('sources:synthetic')!.in.rows).toBe(synthQueries);
    expect(st('sources:synthetic')!.out.rows! + Object.values(st('sources:synthetic')!.dropped).reduce((a, b) => a + b, 0)).toBe(synthQueries);
    expect(st('sessions')).toBeUndefined();
    expect(st('bias')).toBeUndefined();
    expect(report.sections.clickLog).toMatchObject({ present: false });
    const verdicts = (report.sections.checklist as { verdicts: { id: string; verdict: string }[] }).verdicts;
    expect(verdicts.filter((v) => v.verdict === 'not_applicable').map((v) => v.id)).toEqual(['positives', 'balance', 'freshness']);
    // the seed family is in test, the synthetic-only families in train
    expect(st('sources:seeds-in-test')!.out.seed_queries_test).toBe(2);
    const train = readFileSync(join(dir, 'out', 'dataset', 'clickforge', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(train.length).toBeGreaterThan(docs.length);
    for (const [i, row] of train.entries()) expect(EXPORT_SCHEMAS.clickforge.safeParse(row).success, `row ${i + 1}`).toBe(true);
    for (const l of readFileSync(join(dir, 'out', 'dataset', 'sentence-transformers', 'train.jsonl'), 'utf8').trim().split('\n')) {
      expect(EXPORT_SCHEMAS['sentence-transformers.tuple'].safeParse(JSON.parse(l)).success).toBe(true);
    }
    expect(existsSync(join(dir, 'out', 'dataset', 'beir', 'qrels', 'test.tsv'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'report.html'))).toBe(true);
  });
});
