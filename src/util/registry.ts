import { z } from 'zod';

/** The keys of a registry object as a non-empty tuple, for `z.enum`. */
export function registryKeys<R extends Record<string, unknown>>(registry: R): [keyof R & string, ...(keyof R & string)[]] {
  const keys = Object.keys(registry) as (keyof R & string)[];
  if (keys.length === 0) throw new Error('registryKeys: an empty registry has no kinds');
  return keys as [keyof R & string, ...(keyof R & string)[]];
}

/** The zod enum of a registry's kinds: adding an entry adds the kind. */
export const kindEnum = <R extends Record<string, unknown>>(registry: R) => z.enum(registryKeys(registry));
