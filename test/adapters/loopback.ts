import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** A real HTTP server on 127.0.0.1 (ephemeral port) with counters, for adapter tests. */
export interface TestServer {
  readonly url: string;
  /** Requests received, in arrival order (path, parsed JSON body, authorization header). */
  readonly requests: { path: string; body: unknown; auth: string | undefined }[];
  readonly counters: { inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, body: unknown, res: ServerResponse, n: number) => void | Promise<void>;

export const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const counters = { inFlight: 0, maxInFlight: 0 };
  const server = createServer(async (req, res) => {
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    res.on('close', () => counters.inFlight--);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // keep the raw text
    }
    requests.push({ path: req.url ?? '', body, auth: req.headers.authorization });
    try {
      await handler(req, body, res, requests.length);
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    counters,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** What a test file using {@link useLoopback} reads inside its tests. */
export interface Loopback {
  /** A fresh temp directory for the running test (removed after it). */
  readonly dir: string;
  /** Starts a loopback server for the running test; it is closed after the test, pass or fail. */
  start(handler: Handler): Promise<TestServer>;
}

/**
 * Per-test setup and teardown shared by the HTTP adapter tests. Before each test: sets the API key
 * variable `env` to `key` and creates a temp directory named `tmpPrefix…`. After each test, even a
 * failing one: closes every server the test started, removes the directory and puts the variable
 * back as it was (deleted if it was unset). Call it at the top of a test file.
 */
export function useLoopback(opts: { env: string; key: string; tmpPrefix: string }): Loopback {
  const servers: TestServer[] = [];
  let dir: string | undefined;
  let saved: string | undefined;
  beforeEach(async () => {
    saved = process.env[opts.env];
    process.env[opts.env] = opts.key;
    dir = await mkdtemp(join(tmpdir(), opts.tmpPrefix));
  });
  afterEach(async () => {
    try {
      await Promise.all(servers.splice(0).map((s) => s.close()));
    } finally {
      if (saved === undefined) delete process.env[opts.env];
      else process.env[opts.env] = saved;
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });
  return {
    get dir() {
      if (dir === undefined) throw new Error('useLoopback: dir is only there while a test runs');
      return dir;
    },
    async start(handler) {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
  };
}

/** A deterministic fake embedding of a text: dim values from its character codes. */
export function fakeVector(text: string, dim: number): number[] {
  const v = new Array<number>(dim).fill(0);
  for (let i = 0; i < text.length; i++) v[i % dim]! += (text.charCodeAt(i) % 17) + 1;
  return v;
}

/** An OpenAI-style /v1/embeddings reply for the request body (data reversed when `reverse`). */
export function embeddingsReply(body: unknown, dim: number, reverse = false) {
  const input = (body as { input: string[] }).input;
  const data = input.map((t, index) => ({ object: 'embedding', index, embedding: fakeVector(t, dim) }));
  if (reverse) data.reverse();
  return { object: 'list', data, model: (body as { model: string }).model, usage: { prompt_tokens: 1, total_tokens: 1 } };
}
