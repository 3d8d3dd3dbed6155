/**
 * One error type for the whole tool. `code` tells the CLI which exit code to use:
 * usage errors (bad flags or config) exit 2, input errors (a file that cannot be read at all)
 * exit 3, anything else is a bug and exits 1 with a stack trace.
 */
export type ErrorKind = 'usage' | 'input' | 'internal';

export class ClickforgeError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly stage: string | undefined;

  constructor(kind: ErrorKind, code: string, message: string, opts: { stage?: string; cause?: unknown } = {}) {
    super(opts.stage ? `[clickforge:${opts.stage}] ${message}` : `[clickforge] ${message}`, { cause: opts.cause });
    this.name = 'ClickforgeError';
    this.kind = kind;
    this.code = code;
    this.stage = opts.stage;
  }
}

export const usageError = (code: string, message: string, opts?: { stage?: string; cause?: unknown }) =>
  new ClickforgeError('usage', code, message, opts);

export const inputError = (code: string, message: string, opts?: { stage?: string; cause?: unknown }) =>
  new ClickforgeError('input', code, message, opts);

export const internalError = (code: string, message: string, opts?: { stage?: string; cause?: unknown }) =>
  new ClickforgeError('internal', code, message, opts);

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3 } as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof ClickforgeError) return err.kind === 'usage' ? EXIT.usage : err.kind === 'input' ? EXIT.input : EXIT.internal;
  return EXIT.internal;
}
