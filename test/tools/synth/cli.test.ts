import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../cli/helpers.js';

describe('clickforge synth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-synth-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const corpus = join(dir, 'docs.jsonl');
  writeFileSync(corpus, [
    { doc_id: 'sso', title: 'Single sign-on', text: 'Single Sign-On (SSO) lets employees log in once. If login fails with "invalid SAML response", check the clock skew. Error AUTH-4012 means the certificate expired.' },
    { doc_id: 'pw', title: 'Password reset', text: 'Employees reset a forgotten password from the login page. The reset link expires after 24 hours.' },
    { doc_id: 'empty', text: '' },
    { doc_id: 'vpn', title: 'VPN', text: 'The Virtual Private Network (VPN) client connects laptops to the office network. Restart the adapter when the connection times out.' },
  ].map((d) => JSON.stringify(d)).join('\n') + '\n');
  const real = join(dir, 'seeds.jsonl');
  writeFileSync(real, ['vpn down', 'reset pw', 'sso login fails', 'okta'].map((q) => JSON.stringify({ query: q, doc_id: 'x', grade: 3 })).join('\n') + '\n');

  it('works offline with no configuration and writes queries, passages and a report whose counts add up', () => {
    const out = join(dir, 'synth');
    const r = cli(['synth', '--corpus', corpus, '--out', out, '--real-queries', real]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^generator +offline/m);
    expect(r.stdout).toMatch(/documents +3 \(corpus rows dropped: empty_text 1/);
    const queries = readFileSync(join(out, 'queries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(Object.keys(q)).toEqual(['query', 'style', 'doc_id', 'passage_id', 'generator', 'noise', 'clean', 'weight']);
    const passages = readFileSync(join(out, 'passages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { passage_id: string });
    expect(passages.map((p) => p.passage_id)).toEqual(['sso#0', 'pw#0', 'vpn#0']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { passages: { in: number }; queries: { kept: number }; realism: unknown; corpus: { stats: { dropped: Record<string, number> } } };
    expect(report.passages.in).toBe(3);
    expect(report.queries.kept).toBe(queries.length);
    expect(report.realism).toBeDefined();
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    // a second run replaces the output and writes the same bytes
    const before = readFileSync(join(out, 'queries.jsonl'), 'utf8');
    expect(cli(['synth', '--corpus', corpus, '--out', out, '--real-queries', real]).code).toBe(0);
    expect(readFileSync(join(out, 'queries.jsonl'), 'utf8')).toBe(before);
  });
  it('an unknown option is a usage error that names the closest one', () => {
    const r = cli(['synth', '--corpus', corpus, '--out', join(dir, 'x'), '--set', 'noise.rat=0.3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rate/);
  });
});
