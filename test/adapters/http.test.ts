import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, parseRetryAfter, redact } from '../../src/adapters/http.js';
import { ClickforgeError } from '../../src/errors.js';
import { delay, json, startServer, type TestServer } from './loopback.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { stage: 'test', baseDelayMs: 5, maxDelayMs: 20 };

describe('createHttpClient against a loopback server', () => {
  it('retries a 429 after the Retry-After delay, then succeeds', async () => {
    server = await startServer((_req, _body, res, n) => {
      if (n === 1) json(res, 429, { error: 'slow down' }, { 'retry-after': '0.3' });
      else json(res, 200, { ok: n });
    });
    const http = createHttpClient(fast);
    const t0 = Date.now();
    expect(await http.postJson(`${server.url}/x`, { a: 1 })).toEqual({ ok: 2 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280); // waited for Retry-After, not just the 5 ms back-off
    expect(server.requests).toHaveLength(2);
    expect(http.stats).toMatchObject({ requests: 2, retries: 1, rateLimited: 1, failures: 0 });
  });

  it('retries a 500 then succeeds; a 400 is not retried and its body is in the message', async () => {
    server = await startServer((req, _body, res, n) => {
      if (req.url === '/bad') return json(res, 400, { error: 'model not found' });
      if (n === 1) json(res, 500, 'oops');
      else json(res, 200, { ok: true });
    });
    const http = createHttpClient(fast);
    expect(await http.postJson(`${server.url}/x`, {})).toEqual({ ok: true });
    expect(http.stats.retries).toBe(1);
    const before = server.requests.length;
    const err = await http.postJson(`${server.url}/bad`, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickforgeError);
    expect((err as ClickforgeError).code).toBe('http_error');
    expect((err as Error).message).toContain('model not found');
    expect(server.requests.length - before).toBe(1);
  });

  it('gives up after maxRetries and says how many attempts were made', async () => {
    server = await startServer((_req, _body, res) => json(res, 503, 'down'));
    const http = createHttpClient({ ...fast, maxRetries: 2 });
    await expect(http.postJson(`${server.url}/x`, {})).rejects.toThrow(/after 3 attempts: HTTP 503/);
    expect(server.requests).toHaveLength(3);
  });

  it('times out a slow response, retries, and reports a timeout when every attempt is slow', async () => {
    server = await startServer(async (_req, _body, res, n) => {
      if (n === 1) await delay(400);
      json(res, 200, { n });
    });
    const http = createHttpClient({ ...fast, timeoutMs: 100 });
    expect(await http.postJson(`${server.url}/x`, {})).toEqual({ n: 2 });
    expect(http.stats.timeouts).toBe(1);

    await server.close();
    server = await startServer(async (_req, _body, res) => {
      await delay(300);
      json(res, 200, {});
    });
    const slow = createHttpClient({ ...fast, timeoutMs: 50, maxRetries: 1 });
    const err = (await slow.postJson(`${server.url}/x`, {}).catch((e: unknown) => e)) as ClickforgeError;
    expect(err.code).toBe('http_unreachable');
    expect(err.message).toMatch(/timeoutMs=50/);
  });

  it('a 200 with a body that is not JSON fails at once as malformed', async () => {
    server = await startServer((_req, _body, res) => json(res, 200, '{"data": [1, 2'));
    const http = createHttpClient(fast);
    const err = (await http.postJson(`${server.url}/x`, {}).catch((e: unknown) => e)) as ClickforgeError;
    expect(err.code).toBe('http_malformed');
    expect(server.requests).toHaveLength(1);
  });

  it('holds the concurrency limit (server-side max in flight)', async () => {
    server = await startServer(async (_req, body, res) => {
      await delay(30);
      json(res, 200, body);
    });
    const http = createHttpClient({ ...fast, concurrency: 3 });
    const out = await Promise.all(Array.from({ length: 12 }, (_, i) => http.postJson(`${server!.url}/x`, { i })));
    expect(out).toEqual(Array.from({ length: 12 }, (_, i) => ({ i })));
    expect(server.counters.maxInFlight).toBe(3);
    expect(http.stats.maxInFlight).toBe(3);
  });

  it('spaces requests by requestsPerSecond', async () => {
    server = await startServer((_req, _body, res) => json(res, 200, {}));
    const http = createHttpClient({ ...fast, requestsPerSecond: 20, concurrency: 8 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => http.postJson(`${server!.url}/x`, {})));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // 5 requests at 50 ms spacing: the last starts at >= 200 ms
  });

  it('an AbortSignal cancels a request', async () => {
    server = await startServer(async (_req, _body, res) => {
      await delay(500);
      json(res, 200, {});
    });
    const ac = new AbortController();
    const http = createHttpClient({ ...fast, signal: ac.signal });
    const p = http.postJson(`${server.url}/x`, {});
    setTimeout(() => ac.abort(new Error('user cancelled')), 30);
    await expect(p).rejects.toThrow(/cancelled/);
  });

  it('scrubs secrets from messages even when the server echoes them', async () => {
    const secret = 'sk-test-SECRET-1234567890';
    server = await startServer((req, _body, res) => json(res, 401, { error: `bad key ${req.headers.authorization}` }));
    const http = createHttpClient({ ...fast, secrets: [secret] });
    const err = (await http.postJson(`${server.url}/x`, {}, { authorization: `Bearer ${secret}` }).catch((e: unknown) => e)) as ClickforgeError;
    expect(server.requests[0]!.auth).toBe(`Bearer ${secret}`);
    expect(err.code).toBe('http_auth');
    expect(err.message).toContain('***');
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)}`).not.toContain(secret);
  });
});

describe('helpers', () => {
  it('parseRetryAfter reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  it('redact hides every occurrence, longest secret first', () => {
    expect(redact('a abc abcd', ['abc', 'abcd'])).toBe('a *** ***');
    expect(redact('x', [''])).toBe('x');
  });
});
