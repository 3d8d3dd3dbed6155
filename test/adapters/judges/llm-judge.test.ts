import { describe, expect, it } from 'vitest';
import { createJudge, createLlmJudge, judgeSpec, LLM_JUDGE_SYSTEM_PROMPT, parseJudgeAnswer } from '../../../src/adapters/judges/index.js';
import type { ClickforgeError } from '../../../src/errors.js';
import { judgeContract } from '../../ports/judge-contract.js';
import { delay, json, useLoopback } from '../loopback.js';

const KEY = 'sk-llm-loopback-SECRET-99';
const ENV = 'CLICKFORGE_TEST_LLM_KEY';
const loop = useLoopback({ env: ENV, key: KEY, tmpPrefix: 'cf-llm-' });

const chat = (content: unknown) => ({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
/** The "model": the answer is written in the document text after "ANSWER:" so each test picks it. */
const answerOf = (body: unknown) => {
  const user = (body as { messages: { content: string }[] }).messages[1]!.content;
  return /ANSWER:(.*)\n\nDoes/s.exec(user)![1]!;
};
const docs = (answers: string[]) => answers.map((a, i) => ({ doc_id: `d${i}`, text: `doc ${i} ANSWER:${a}` }));
const base = { apiKeyEnv: ENV, model: 'judge-model' };

describe('parseJudgeAnswer', () => {
  it.each([
    ['{"relevant": true}', true],
    [' {"relevant":false} ', false],
    ['```json\n{"relevant": true}\n```', true],
    ['Yes.', true],
    ['no, it is about something else', false],
    ['NO', false],
  ])('%j -> %j', (text, want) => expect(parseJudgeAnswer(text)).toBe(want));
  it.each([
    ['{"relevant": "yes"}'],
    ['{"relevant": true'],
    ['[true]'],
    ['Yesterday I read it'],
    ['The answer is yes'],
    ['maybe'],
    [''],
    [null],
    [42],
  ])('%j -> null', (text) => expect(parseJudgeAnswer(text)).toBeNull());
});

describe('createLlmJudge', () => {
  it('sends the documented prompt with temperature 0 and a seed; parses strictly; counts unparsable', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, chat(answerOf(body))));
    const j = await createLlmJudge({ ...base, baseUrl: server.url });
    const out = await j.judge('red shoes', docs(['{"relevant": true}', 'No.', 'I think it might be', '{"relevant": false}']));
    expect(out).toEqual([true, false, null, false]);
    expect(j.stats).toMatchObject({ asked: 4, relevant: 1, notRelevant: 2, unparsable: 1 });
    const b = server.requests[0]!.body as { model: string; temperature: number; seed: number; messages: { role: string; content: string }[] };
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(b).toMatchObject({ model: 'judge-model', temperature: 0, seed: 42, max_tokens: 20 });
    expect(b.messages[0]).toEqual({ role: 'system', content: LLM_JUDGE_SYSTEM_PROMPT });
    expect(b.messages[1]!.content).toMatch(/^Query: red shoes\n\nDocument:\ndoc \d ANSWER:/);
    expect(server.requests.every((r) => r.auth === `Bearer ${KEY}`)).toBe(true);
  });

  it('seed: null sends no seed; documents are cut at maxDocChars', async () => {
    const server = await loop.start((_req, _body, res) => json(res, 200, chat('yes')));
    const j = await createLlmJudge({ ...base, baseUrl: server.url, seed: null, maxDocChars: 5 });
    await j.judge('q', [{ doc_id: 'a', text: 'abcdefghij' }]);
    const b = server.requests[0]!.body as { seed?: number; messages: { content: string }[] };
    expect('seed' in b).toBe(false);
    expect(b.messages[1]!.content).toContain('Document:\nabcde\n\n');
  });

  it('limits concurrency and request rate; retries 429 (Retry-After) and 500', async () => {
    const server = await loop.start(async (_req, body, res, n) => {
      if (n === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      if (n === 2) return json(res, 500, { error: 'oops' });
      await delay(25);
      json(res, 200, chat(answerOf(body)));
    });
    const j = await createLlmJudge({ ...base, baseUrl: server.url, concurrency: 2, requestsPerSecond: 40 });
    const t0 = Date.now();
    const answers = ['yes', 'no', 'yes', 'no', 'yes', 'no'];
    expect(await j.judge('q', docs(answers))).toEqual(answers.map((a) => a === 'yes'));
    expect(server.counters.maxInFlight).toBeLessThanOrEqual(2);
    expect(server.requests).toHaveLength(8);
    expect(j.stats.http).toMatchObject({ retries: 2, rateLimited: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(7 * 25 - 10); // 8 requests at 40/s: the last starts >= 175 ms
  });

  it('caches answers (not unparsable ones): a second run asks only what was unparsable', async () => {
    const server = await loop.start((_req, body, res) => json(res, 200, chat(answerOf(body))));
    const d = docs(['yes', 'hmm', 'no']);
    const a = await createLlmJudge({ ...base, baseUrl: server.url, cacheDir: loop.dir });
    expect(await a.judge('q', d)).toEqual([true, null, false]);
    const b = await createJudge({ kind: 'llm', ...base, baseUrl: server.url, cacheDir: loop.dir });
    expect(await b.judge('q', d)).toEqual([true, null, false]);
    expect(server.requests).toHaveLength(4);
    const other = await createLlmJudge({ ...base, model: 'other-model', baseUrl: server.url, cacheDir: loop.dir });
    await other.judge('q', d);
    expect(server.requests).toHaveLength(7); // another model, another cache
  });

  it('a malformed envelope and a timeout fail clearly, and the key appears in no error', async () => {
    const server = await loop.start(async (req, _body, res) => {
      if (req.url?.startsWith('/slow')) {
        await delay(300);
        return json(res, 200, chat('yes'));
      }
      json(res, 200, { error: `no choices for ${req.headers.authorization}` });
    });
    const bad = await createLlmJudge({ ...base, baseUrl: server.url });
    const e1 = (await bad.judge('q', docs(['yes'])).catch((e: unknown) => e)) as ClickforgeError;
    expect(e1.code).toBe('bad_chat_response');
    const slow = await createLlmJudge({ ...base, baseUrl: `${server.url}/slow`, timeoutMs: 50, maxRetries: 0 });
    const e2 = (await slow.judge('q', docs(['yes'])).catch((e: unknown) => e)) as ClickforgeError;
    expect(e2.message).toMatch(/timeoutMs=50/);
    for (const e of [e1, e2]) expect(`${e.message}${e.stack}${JSON.stringify(e)}${String(e.cause)}`).not.toContain(KEY);
    expect(`${bad.id}${JSON.stringify(bad.options)}`).not.toContain(KEY);
  });

  it('schema defaults are documented values', () => {
    expect(judgeSpec.parse({ kind: 'llm', baseUrl: 'http://h', model: 'm' })).toMatchObject({ path: '/v1/chat/completions', seed: 42, maxTokens: 20, maxDocChars: 2000, cacheDir: null });
    expect(judgeSpec.parse({ kind: 'rerank', baseUrl: 'http://h', model: 'm' })).toMatchObject({ path: '/v1/rerank', threshold: 0.5, batchSize: 32 });
  });
});

const llmCase = (extra: { cacheDir?: string } = {}) => ({
  create: async () => createLlmJudge({ ...base, baseUrl: (await loop.start((_req, body, res) => json(res, 200, chat(answerOf(body))))).url, ...extra }),
  query: 'red running shoes',
  docs: docs(['{"relevant": true}', '{"relevant": false}', 'maybe', 'Yes.', 'no']),
});
judgeContract('llm (loopback)', llmCase());
judgeContract('llm (loopback, disk cache)', { ...llmCase(), create: () => llmCase({ cacheDir: loop.dir }).create() });
