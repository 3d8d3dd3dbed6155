import { usageError } from '../errors.js';
import { loadConfigFile, mergeConfig, type ConfigInput } from '../config.js';

/** Parse `--set a.b.c=value` pairs into a nested object; values are parsed as JSON when they can be. */
export function parseSets(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usageError('bad_flag', `--set expects path=value (for example --set evidence.satisfiedDwellMs=20000), got "${s}"`);
    const path = s.slice(0, eq).split('.');
    const raw = s.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    let cur = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    cur[path[path.length - 1]!] = value;
  }
  return out;
}

export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Config file (if any), then flags, then --set: later wins. */
export async function resolveConfig(file: string | undefined, flags: Record<string, unknown>, sets: readonly string[]): Promise<ConfigInput> {
  const base = file ? await loadConfigFile(file) : {};
  return mergeConfig(mergeConfig(base, flags), parseSets(sets)) as ConfigInput;
}
