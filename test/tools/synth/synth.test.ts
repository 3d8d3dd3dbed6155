import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abbreviates, corpusAcronyms, findErrorStrings } from '../../../src/tools/synth/generators/offline.js';
import { chunkDocument } from '../../../src/tools/synth/passages.js';
import { readCorpus } from '../../../src/tools/synth/corpus.js';
import { compareToReal, shapeOf } from '../../../src/tools/synth/realism.js';
import { drawStyles, parseSynthOptions, synthesize, type SynthReport } from '../../../src/tools/synth/synth.js';
import { STYLES } from '../../../src/tools/synth/types.js';

const DOCS = [
  { doc_id: 'sso', title: 'Single sign-on', text: 'Single Sign-On (SSO) lets employees log in once. To configure SSO with Okta, add a SAML application in the admin console. If login fails with "invalid SAML response", check the clock skew of the server. Error AUTH-4012 means the signing certificate expired.' },
  { doc_id: 'pw', title: 'Password reset', text: 'Employees reset a forgotten password from the login page. The reset link expires after 24 hours. Administrators force a password reset for any account in the user management screen.' },
  { doc_id: 'vpn', title: 'VPN client', text: 'The Virtual Private Network (VPN) client connects laptops to the office network. When the VPN client shows ERROR: connection timed out, restart the network adapter and check the firewall rules.' },
  { doc_id: 'print', title: 'Printers', text: 'Printers on the third floor need the new driver. Install the printer driver from the software centre; printing fails with PrinterNotFoundException when the old driver is installed.' },
  { doc_id: 'mail', title: 'Mailbox quota', text: 'A mailbox holds 50 GB. When the mailbox is full, outgoing mail bounces with code 552. Archive old messages or ask the helpdesk for a larger quota.' },
];

/** Every count of a report adds up. */
function expectAccounting(r: SynthReport): void {
  expect(r.documents.in).toBe(r.documents.withPassages + r.documents.noWords);
  expect(r.passages.in).toBe(r.passages.withQueries + Object.values(r.passages.withoutQueries).reduce((a, b) => a + b, 0));
  const removed = Object.values(r.queries.removed).flatMap((m) => Object.values(m)).reduce((a, b) => a + b, 0);
  expect(r.queries.generated).toBe(r.queries.kept + removed);
  expect(Object.values(r.queries.byStyle).reduce((a, s) => a + s.generated, 0)).toBe(r.queries.generated);
  expect(Object.values(r.queries.byStyle).reduce((a, s) => a + s.kept, 0)).toBe(r.queries.kept);
}

describe('synthesize (offline generator)', () => {
  it('same seed, same queries; another seed, other queries', async () => {
    const a = await synthesize(DOCS, { seed: 7 });
    const b = await synthesize(DOCS, { seed: 7 });
    const c = await synthesize(DOCS, { seed: 8 });
    expect(JSON.stringify(a.queries)).toBe(JSON.stringify(b.queries));
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
    expect(JSON.stringify(a.queries)).not.toBe(JSON.stringify(c.queries));
  });
  it('a passage\'s queries do not depend on the other documents (per-passage seeds)', async () => {
    const all = await synthesize(DOCS, { filters: { enabled: ['length'] } });
    const one = await synthesize([DOCS[2]!, DOCS[0]!], { filters: { enabled: ['length'] } });
    const of = (qs: readonly { passage_id: string; clean: string; style: string }[], id: string) => qs.filter((q) => q.passage_id === id).map((q) => `${q.style}:${q.clean}`);
    // corpus statistics (idf) differ with the corpus, so compare styles and noise, which only depend on the seed and the passage id
    expect(of(all.queries, 'sso#0').map((s) => s.split(':')[0])).toEqual(of(one.queries, 'sso#0').map((s) => s.split(':')[0]));
  });
  it('every query has its style, passage, document and generator, and the counts add up', async () => {
    const r = await synthesize(DOCS, { stylesPerPassage: 7, noise: { rate: 0.5 } });
    expect(r.queries.length).toBeGreaterThan(10);
    for (const q of r.queries) {
      expect(STYLES).toContain(q.style);
      expect(q.passage_id.startsWith(`${q.doc_id}#`)).toBe(true);
      expect(q.generator).toBe('offline');
      expect(q.noise.length > 0 || q.query === q.clean).toBe(true);
    }
    expect(new Set(r.queries.map((q) => q.style)).size).toBeGreaterThanOrEqual(6);
    expect(Object.values(r.report.queries.noise).reduce((a, b) => a + b, 0)).toBe(r.queries.filter((q) => q.noise.length > 0).length);
    expect(r.queries.some((q) => q.noise.length > 0)).toBe(true);
    expectAccounting(r.report);
  });
  it('styles follow their weights; a weight of 0 never appears', () => {
    const o = parseSynthOptions({ styles: { question: 0, error: 0 }, stylesPerPassage: 5 });
    for (let i = 0; i < 50; i++) {
      const s = drawStyles(o, `p${i}`);
      expect(s).toHaveLength(5);
      expect(s).not.toContain('question');
      expect(s).not.toContain('error');
    }
  });
  it('finds acronyms with their expansions, error strings and codes in the corpus', async () => {
    const ps = DOCS.flatMap((d) => chunkDocument(d, { size: 200, overlap: 40 }));
    const ac = corpusAcronyms(ps);
    expect(ac.get('SSO')).toBe('single sign-on');
    expect(ac.get('VPN')).toBe('virtual private network');
    expect(abbreviates('DoD', 'the Department of Defense')).toBe('Department of Defense');
    expect(abbreviates('SSO', 'lets users log')).toBeUndefined();
    expect(findErrorStrings(DOCS[0]!.text)).toEqual(['invalid SAML response', 'AUTH-4012']);
    expect(findErrorStrings(DOCS[2]!.text)[0]).toMatch(/^ERROR: connection timed out/);
    expect(findErrorStrings(DOCS[3]!.text)).toContain('PrinterNotFoundException');
    expect(findErrorStrings(DOCS[4]!.text)).toContain('code 552');
    const r = await synthesize(DOCS, { stylesPerPassage: 7, noise: { rate: 0 }, filters: { enabled: ['length'] } });
    const q = (style: string, doc: string) => r.queries.filter((x) => x.style === style && x.doc_id === doc).map((x) => x.query);
    expect(q('acronym', 'sso').join(' ')).toMatch(/sso|saml/i);
    expect(q('error', 'sso').join(' ')).toMatch(/invalid SAML response|AUTH-4012/);
    expect(q('synonym', 'vpn').join(' ')).toBeTruthy();
    expect(r.report.queries.misses.error?.no_error_string ?? 0).toBe(1); // the password page has none
  });
  it('a corpus with empty, huge, Chinese and duplicate documents: nothing lost, counts add up', async () => {
    const huge = Array.from({ length: 30_000 }, (_, i) => `token${i % 997} word${i % 13}`).join(' ');
    const docs = [
      ...DOCS,
      { doc_id: 'punct', text: '— … !!!' },
      { doc_id: 'huge', text: huge },
      { doc_id: 'zh', title: '数据库', text: '数据库连接失败时，请检查网络设置和防火墙规则。数据库服务器必须在运行，错误代码 DB-1042 表示密码错误。' },
      { doc_id: 'copy1', text: DOCS[1]!.text },
      { doc_id: 'copy2', text: DOCS[1]!.text },
    ];
    const r = await synthesize(docs, { chunk: { maxPassagesPerDoc: 10 } });
    expect(r.report.documents.noWords).toBe(1);
    expect(r.report.passages.withoutQueries.doc_cap).toBe(r.passages.filter((p) => p.doc_id === 'huge').length - 10);
    expect(r.queries.some((q) => q.doc_id === 'zh')).toBe(true);
    // identical documents: the same queries are duplicates of each other
    expect((r.report.queries.removed.duplicates?.duplicate ?? 0) + (r.report.queries.removed.duplicates?.near_duplicate ?? 0)).toBeGreaterThan(0);
    expectAccounting(r.report);
  });
  it('realism: too-clean generated queries are reported and weighted toward the real shapes', async () => {
    expect(shapeOf('How do I reset my password?')).toBe('question');
    expect(shapeOf('"invalid SAML response"')).toBe('error');
    expect(shapeOf('sso okta')).toBe('short');
    expect(shapeOf('VPN laptop')).toBe('acronym');
    const real = ['vpn down', 'reset pw', 'okta', 'printer 3rd floor', 'mailbox full', 'sso login', 'wifi', 'outlook crash', 'vpn', 'password'];
    const rep = compareToReal(real, [{ query: 'How does the VPN client connect laptops?', style: 'question' }, { query: 'vpn client', style: 'keyword' }], { keyword: 1, question: 1, error: 1, synonym: 1, acronym: 1, novice: 1, expert: 1 }, 4);
    expect(rep.weights.question).toBe(0.25);
    expect(rep.weights.short).toBe(2);
    expect(rep.findings.join('\n')).toMatch(/too many question/);
    expect(rep.suggestedStyles.question!).toBeLessThan(rep.suggestedStyles.keyword!);
    const r = await synthesize(DOCS, { stylesPerPassage: 7 }, { realQueries: real });
    expect(r.report.realism).toBeDefined();
    expect(r.queries.filter((q) => q.style === 'question').every((q) => q.weight < 1)).toBe(true);
  });
});

describe('readCorpus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-synth-corpus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('reads JSONL and CSV as build does, counting rejected rows by the same reasons', async () => {
    const f = join(dir, 'docs.jsonl');
    writeFileSync(f, [JSON.stringify(DOCS[0]), '{"doc_id":"e","text":""}', JSON.stringify({ ...DOCS[1], doc_id: 'sso' }), 'not json', JSON.stringify(DOCS[2])].join('\n') + '\n');
    const r = await readCorpus(f);
    expect(r.docs.map((d) => d.doc_id)).toEqual(['sso', 'vpn']);
    expect(r.stats.in.rows).toBe(5);
    expect(r.stats.dropped).toMatchObject({ empty_text: 1, duplicate_doc_id: 1 });
    expect(Object.values(r.stats.dropped).reduce((a, b) => a + b, 0) + r.docs.length).toBe(5);
    const c = join(dir, 'docs.csv');
    writeFileSync(c, 'doc_id,title,text\n1,A,"alpha beta, gamma"\n2,,delta\n');
    expect((await readCorpus(c)).docs).toEqual([{ doc_id: '1', title: 'A', text: 'alpha beta, gamma' }, { doc_id: '2', text: 'delta' }]);
  });
});

describe('options', () => {
  it('refuse an overlap as long as the passage and an all-zero style mix, saying what to change', () => {
    expect(() => parseSynthOptions({ chunk: { size: 10, overlap: 10 } })).toThrow(/overlap \(10\) must be smaller/);
    expect(() => parseSynthOptions({ styles: Object.fromEntries(STYLES.map((s) => [s, 0])) })).toThrow(/every style weight 0/);
    expect(() => parseSynthOptions({ generator: 'gpt' as never })).toThrow(/synth.generator/);
  });
});

describe('output', () => {
  it('the report holds no timings, so two runs write the same bytes', async () => {
    const a = await synthesize(DOCS);
    expect(JSON.stringify(a.report)).not.toMatch(/seconds/);
  });
});
