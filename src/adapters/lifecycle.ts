import { usageError } from '../errors.js';

/** The close() of an adapter: releases once, however often it is called, and makes every later use fail clearly. */
export interface Lifecycle {
  /** Throws `adapter_closed` (naming the adapter) once close() was called. */
  assertOpen(): void;
  close(): Promise<void>;
}

export function lifecycle(what: string, release: () => Promise<void> | void = () => undefined): Lifecycle {
  let closing: Promise<void> | undefined;
  return {
    assertOpen() {
      if (closing) throw usageError('adapter_closed', `${what} was closed; create a new one to use it again.`);
    },
    close: () => (closing ??= (async () => release())()),
  };
}
