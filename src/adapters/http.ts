import { ClickforgeError, inputError, usageError } from '../errors.js';
import { createRng } from '../util/rng.js';

/**
 * Shared HTTP client for the embedder and judge adapters: JSON POST with a per-attempt timeout,
 * retries with exponential back-off and full jitter on 429 / 5xx / network errors (Retry-After
 * honoured), a concurrency limit, a requests-per-second limit and an AbortSignal.
 *
 * Secrets (API keys) are passed as `secrets`: they go into headers only, and every message this
 * client builds is scrubbed of them, so a server that echoes the key back cannot leak it into an
 * error, a log or a report.
 */
export interface HttpClientOptions {
  /** Adapter name used as the error stage, e.g. "embedder:openai". */
  readonly stage: string;
  /** Retries after the first attempt (429, 5xx, network errors, timeouts). */
  readonly maxRetries?: number;
  /** First back-off step; attempt k waits a uniform draw in [0, min(maxDelayMs, baseDelayMs x 2^k)]. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the request fails with advice instead. */
  readonly maxRetryAfterMs?: number;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** Requests in flight at once (per client). */
  readonly concurrency?: number;
  /** Requests started per second (per client, retries included); 0 = unlimited. */
  readonly requestsPerSecond?: number;
  /** Strings that must never appear in a message (API keys). */
  readonly secrets?: readonly string[];
  /** Seed of the jitter (jitter never changes results, only timing). */
  readonly seed?: number;
  /** Cancels waiting and in-flight requests. */
  readonly signal?: AbortSignal;
}

export interface HttpStats {
  requests: number;
  retries: number;
  /** Retries caused by a 429. */
  rateLimited: number;
  timeouts: number;
  failures: number;
  maxInFlight: number;
}

export interface HttpClient {
  /** POST a JSON body and return the parsed JSON response (after retries). */
  postJson(url: string, body: unknown, headers?: Readonly<Record<string, string>>): Promise<unknown>;
  readonly stats: HttpStats;
}

export const HTTP_DEFAULTS = {
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  timeoutMs: 60_000,
  concurrency: 4,
  requestsPerSecond: 0,
} as const;

const RETRY_STATUS = (s: number) => s === 429 || s === 408 || (s >= 500 && s <= 599);

/** Replace each secret by "***" (longest first so overlapping secrets are fully hidden). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

/** Seconds or an HTTP date -> milliseconds (undefined when absent or unparsable). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Counting semaphore with FIFO wake-up. */
class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number, private readonly onActive: (n: number) => void) {}
  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      this.onActive(this.active);
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
    this.onActive(this.active);
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.active--;
  }
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const o = { ...HTTP_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<HttpClientOptions>;
  if (!(o.concurrency >= 1)) throw usageError('bad_http_options', `${opts.stage}: concurrency must be >= 1 (got ${o.concurrency}).`);
  if (!(o.timeoutMs > 0)) throw usageError('bad_http_options', `${opts.stage}: timeoutMs must be > 0 (got ${o.timeoutMs}).`);
  const secrets = opts.secrets ?? [];
  const stage = opts.stage;
  const stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, timeouts: 0, failures: 0, maxInFlight: 0 };
  const limiter = new Limiter(Math.floor(o.concurrency), (n) => {
    if (n > stats.maxInFlight) stats.maxInFlight = n;
  });
  const rng = createRng(opts.seed ?? 7).fork('jitter');
  let nextSlot = 0;
  const spacing = o.requestsPerSecond > 0 ? 1000 / o.requestsPerSecond : 0;
  const clean = (s: string) => redact(s, secrets);

  const fail = (code: string, message: string, kind: 'input' | 'usage' = 'input') => {
    stats.failures++;
    const msg = clean(message);
    return kind === 'usage' ? usageError(code, msg, { stage }) : inputError(code, msg, { stage });
  };

  async function rateWait(): Promise<void> {
    if (spacing === 0) return;
    const now = Date.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + spacing;
    if (at > now) await sleep(at - now, opts.signal);
  }

  async function attempt(url: string, payload: string, headers: Record<string, string>): Promise<
    { ok: true; json: unknown } | { ok: false; retry: boolean; why: string; retryAfterMs?: number; status?: number; body?: string }
  > {
    await rateWait();
    stats.requests++;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: 'POST', headers, body: payload, signal });
      text = await res.text();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (timeout.aborted) {
        stats.timeouts++;
        return { ok: false, retry: true, why: `no response within timeoutMs=${o.timeoutMs}` };
      }
      const e = err as Error & { cause?: { code?: string; message?: string } };
      return { ok: false, retry: true, why: `network error: ${e.cause?.code ?? e.cause?.message ?? e.message}` };
    }
    if (res.ok) {
      try {
        return { ok: true, json: JSON.parse(text) };
      } catch {
        return { ok: false, retry: false, status: res.status, why: 'the response body is not JSON', body: text };
      }
    }
    return {
      ok: false,
      retry: RETRY_STATUS(res.status),
      status: res.status,
      why: `HTTP ${res.status}`,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
      body: text,
    };
  }

  async function postJson(url: string, body: unknown, extra: Readonly<Record<string, string>> = {}): Promise<unknown> {
    const payload = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', accept: 'application/json', ...extra };
    await limiter.acquire();
    try {
      for (let k = 0; ; k++) {
        const r = await attempt(url, payload, headers);
        if (r.ok) return r.json;
        const snippet = r.body ? ` Response: ${JSON.stringify(r.body.slice(0, 300))}` : '';
        if (r.status === 401 || r.status === 403) {
          throw fail('http_auth', `POST ${url} was refused (${r.why}): check the API key environment variable and the model name.${snippet}`, 'usage');
        }
        if (!r.retry) throw fail(r.status !== undefined && r.status < 300 ? 'http_malformed' : 'http_error', `POST ${url} failed: ${r.why}.${snippet}`);
        if (k >= o.maxRetries) {
          const code = r.status === 429 ? 'http_rate_limited' : r.status === undefined ? 'http_unreachable' : 'http_error';
          const advice = r.status === 429 ? ' Lower requestsPerSecond or concurrency.' : r.status === undefined ? ' Is the server running at this address? Raise timeoutMs for slow models.' : '';
          throw fail(code, `POST ${url} failed after ${k + 1} attempts: ${r.why}.${advice}${snippet}`);
        }
        if (r.retryAfterMs !== undefined && r.retryAfterMs > o.maxRetryAfterMs) {
          throw fail('http_rate_limited', `POST ${url}: the server asks to retry after ${r.retryAfterMs} ms, more than maxRetryAfterMs=${o.maxRetryAfterMs}. Lower requestsPerSecond or raise maxRetryAfterMs.`);
        }
        stats.retries++;
        if (r.status === 429) stats.rateLimited++;
        const backoff = rng.next() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** k);
        await sleep(Math.max(backoff, r.retryAfterMs ?? 0), opts.signal);
      }
    } catch (err) {
      if (err instanceof ClickforgeError) throw err;
      // An abort reason or an unexpected error: keep it as the cause, scrub the message.
      throw fail('http_aborted', `POST ${url} was cancelled: ${(err as Error)?.message ?? String(err)}`);
    } finally {
      limiter.release();
    }
  }

  return { postJson, stats };
}

/** Join a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/** The options every OpenAI-style HTTP adapter shares (embedders and judges). */
export interface ApiEndpointOptions {
  readonly baseUrl: string;
  readonly path: string;
  /** NAME of the environment variable holding the API key; unset variable = no Authorization header. */
  readonly apiKeyEnv: string;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly requestsPerSecond: number;
}

/**
 * The HTTP client, URL and headers of an API endpoint. The key is read from the environment here
 * and only here, kept out of every message (the client's `secrets`) and never returned.
 */
export function createApiEndpoint(o: ApiEndpointOptions, stage: string, signal?: AbortSignal): { http: HttpClient; url: string; headers: Record<string, string> } {
  const key = process.env[o.apiKeyEnv]?.trim() || undefined;
  const http = createHttpClient({
    stage,
    maxRetries: o.maxRetries,
    timeoutMs: o.timeoutMs,
    concurrency: o.concurrency,
    requestsPerSecond: o.requestsPerSecond,
    secrets: key ? [key] : [],
    ...(signal ? { signal } : {}),
  });
  return { http, url: joinUrl(o.baseUrl, o.path), headers: key ? { authorization: `Bearer ${key}` } : {} };
}
