import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { delay, json, useLoopback } from '../../adapters/loopback.js';
import { parseQueryList } from '../../../src/tools/synth/generators/llm.js';
import { synthesize } from '../../../src/tools/synth/synth.js';
import type { SynthOptionsInput } from '../../../src/tools/synth/options.js';

const KEY = 'sk-synth-test-0123456789abcdef';
const lb = useLoopback({ env: 'CF_SYNTH_TEST_KEY', key: KEY, tmpPrefix: 'cf-synth-llm-' });

const DOCS = [
  { doc_id: 'sso', title: 'Single sign-on', text: 'Single Sign-On (SSO) lets employees log in once with Okta.' },
  { doc_id: 'vpn', title: 'VPN', text: 'The VPN client connects laptops to the office network.' },
  { doc_id: 'pw', title: 'Password', text: 'Employees reset a forgotten password from the login page.' },
];
const chat = (content: string) => ({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const styleOf = (body: unknown) => {
  const u = (body as { messages: { content: string }[] }).messages[1]!.content;
  return /keyword queries/.test(u) ? 'keyword' : /questions/.test(u) ? 'question' : 'other';
};
const passageOf = (body: unknown) => /Title: (.*)\n/.exec((body as { messages: { content: string }[] }).messages[1]!.content)![1]!;
const opts = (url: string, extra: Partial<NonNullable<SynthOptionsInput['llm']>> = {}): SynthOptionsInput => ({
  generator: 'llm',
  styles: { keyword: 1, question: 1, error: 0, synonym: 0, acronym: 0, novice: 0, expert: 0 },
  stylesPerPassage: 2,
  queriesPerStyle: 2,
  noise: { rate: 0 },
  filters: { enabled: ['length', 'duplicates'] },
  llm: { baseUrl: url, model: 'm', apiKeyEnv: 'CF_SYNTH_TEST_KEY', maxRetries: 2, timeoutMs: 2000, ...extra },
});

describe('parseQueryList', () => {
  it('accepts a JSON list of strings (in a ```json fence too) and nothing else', () => {
    expect(parseQueryList('["a b", " c  d "]')).toEqual(['a b', 'c d']);
    expect(parseQueryList('```json\n["a"]\n```')).toEqual(['a']);
    expect(parseQueryList('[]')).toEqual([]);
    for (const bad of ['Here are queries: ["a"]', '{"queries": ["a"]}', '["a", 3]', '["a", "b"', '- a\n- b', 42, null]) expect(parseQueryList(bad)).toBeNull();
  });
});

describe('llm generator against a loopback server', () => {
  it('valid answers become queries with style and provenance; the key is sent as a header; concurrency is used', async () => {
    const s = await lb.start(async (_req, body, res) => {
      await delay(30);
      json(res, 200, chat(JSON.stringify([`${passageOf(body)} ${styleOf(body)} one`, `${passageOf(body)} ${styleOf(body)} two`])));
    });
    const r = await synthesize(DOCS, opts(s.url, { concurrency: 3 }));
    expect(r.queries.map((q) => `${q.doc_id}:${q.style}:${q.query}`)).toEqual([
      'sso:keyword:Single sign-on keyword one', 'sso:keyword:Single sign-on keyword two', 'sso:question:Single sign-on question one', 'sso:question:Single sign-on question two',
      'vpn:keyword:VPN keyword one', 'vpn:keyword:VPN keyword two', 'vpn:question:VPN question one', 'vpn:question:VPN question two',
      'pw:keyword:Password keyword one', 'pw:keyword:Password keyword two', 'pw:question:Password question one', 'pw:question:Password question two',
    ]);
    expect(r.queries.every((q) => q.generator === 'llm')).toBe(true);
    expect(s.requests).toHaveLength(6);
    expect(s.requests.every((q) => q.auth === `Bearer ${KEY}`)).toBe(true);
    expect(s.counters.maxInFlight).toBe(3);
    expect((s.requests[0]!.body as { model: string; seed: number }).seed).toBe(42);
  });
  it('malformed JSON and prose are counted unparsable, empty lists counted, never guessed', async () => {
    const s = await lb.start((_req, body, res) => {
      const p = passageOf(body);
      if (p === 'VPN') return json(res, 200, chat('Sure! Here are some queries: vpn laptop, vpn office'));
      if (p === 'Password') return json(res, 200, chat(styleOf(body) === 'keyword' ? '[]' : '["reset password", '));
      json(res, 200, chat('["sso okta", "okta login"]'));
    });
    const r = await synthesize(DOCS, opts(s.url));
    expect(new Set(r.queries.map((q) => q.doc_id))).toEqual(new Set(['sso']));
    expect(r.report.generator.stats).toMatchObject({ unparsable: 3, emptyLists: 1 });
    expect(r.report.queries.misses.keyword).toEqual({ unparsable: 1, empty_list: 1 });
    expect(r.report.passages.withoutQueries).toEqual({ no_candidates: 2 });
  });
  it('429 and 500 are retried, a timeout is retried, and the run completes', async () => {
    const s = await lb.start(async (_req, _body, res, n) => {
      if (n === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      if (n === 2) return json(res, 500, { error: 'oops' });
      if (n === 3) {
        await delay(600);
        if (!res.destroyed) json(res, 200, chat('["late"]'));
        return;
      }
      json(res, 200, chat('["a query here", "another query here"]'));
    });
    const r = await synthesize(DOCS.slice(0, 1), { ...opts(s.url, { timeoutMs: 300, concurrency: 1, maxRetries: 4 }), stylesPerPassage: 1, styles: { keyword: 1, question: 0, error: 0, synonym: 0, acronym: 0, novice: 0, expert: 0 } });
    expect(r.queries.map((q) => q.query)).toEqual(['a query here', 'another query here']);
    expect(r.report.generator.stats).toMatchObject({ retries: 3, rateLimited: 1, timeouts: 1 });
  });
  it('a server that always fails stops the run with an error that says so; failures after a success are counted', async () => {
    const down = await lb.start((_req, _b, res) => json(res, 503, { error: 'down' }));
    await expect(synthesize(DOCS, opts(down.url, { maxRetries: 0 }))).rejects.toThrow(/HTTP 503/);
    let calls = 0;
    const flaky = await lb.start((_req, _b, res) => (++calls === 1 ? json(res, 200, chat('["ok query one"]')) : json(res, 400, { error: 'bad' })));
    const r = await synthesize(DOCS, opts(flaky.url, { maxRetries: 0, concurrency: 1 }));
    expect(r.report.generator.stats.failed).toBe(5);
    expect((r.report.queries.misses.keyword?.request_failed ?? 0) + (r.report.queries.misses.question?.request_failed ?? 0)).toBe(5);
  });
  it('a server that echoes the API key: the key never reaches an output, an answer or an error', async () => {
    const echo = await lb.start((req, _b, res) => json(res, 200, chat(JSON.stringify([`key ${req.headers.authorization}`, 'plain query here']))));
    const r = await synthesize(DOCS, opts(echo.url));
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(r.report.generator.stats.secretEchoed).toBe(6);
    const bad = await lb.start((req, _b, res) => json(res, 500, { error: `invalid key ${req.headers.authorization}` }));
    const err = await synthesize(DOCS, opts(bad.url, { maxRetries: 0 })).catch((e: Error) => e);
    expect(String((err as Error).message)).toContain('***');
    expect(String((err as Error).message)).not.toContain(KEY);
  });
  it('answers are cached on disk by model + prompt + passage: a second run sends nothing; a changed prompt asks again', async () => {
    const s = await lb.start((_req, body, res) => json(res, 200, chat(JSON.stringify([`${passageOf(body)} ${styleOf(body)} query`]))));
    const cacheDir = join(lb.dir, 'cache');
    const a = await synthesize(DOCS, opts(s.url, { cacheDir }));
    expect(s.requests).toHaveLength(6);
    const b = await synthesize(DOCS, opts(s.url, { cacheDir }));
    expect(s.requests).toHaveLength(6);
    expect(b.queries).toEqual(a.queries);
    expect(b.report.generator.stats.cacheHits).toBe(6);
    expect(readdirSync(cacheDir).join('')).not.toContain(KEY);
    expect(readFileSync(join(cacheDir, readdirSync(cacheDir)[0]!), 'utf8')).not.toContain(KEY);
    const prompts = join(lb.dir, 'prompts.json');
    writeFileSync(prompts, JSON.stringify({ keyword: 'Write {n} keyword queries, very short.' }));
    await synthesize(DOCS, opts(s.url, { cacheDir, promptsFile: prompts }));
    expect(s.requests.length).toBeGreaterThan(6);
  });
  it('without baseUrl or model, the llm generator says what to set', async () => {
    await expect(synthesize(DOCS, { generator: 'llm' })).rejects.toThrow(/llm.baseUrl and llm.model/);
  });
});
