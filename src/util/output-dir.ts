import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { usageError } from '../errors.js';

/** The file every complete build writes; a folder without it is not a clickforge output. */
export const COMPLETE_MARKER = 'manifest.json';

/**
 * An output folder that changes all at once. A build writes into a staging folder beside the
 * target (`.<name>.staging-<hex>`, same parent so the rename is atomic) and `commit` swaps it in:
 * the previous output moves aside, the staging folder takes its name, the previous output is
 * removed. A reader sees the old complete output or the new one, never a mix; files the new run
 * does not write do not survive; a killed run leaves its staging folder, which the next run
 * removes. Only a folder that is empty or holds a clickforge output (manifest.json) is replaced,
 * so a mistyped `--out` never deletes someone's files.
 */
export interface OutputDir {
  /** Where the build writes. */
  readonly staging: string;
  /** Where the output ends up. */
  readonly target: string;
  /** Swap the staging folder in. */
  commit(): Promise<void>;
  /** Remove the staging folder (the previous output stays). */
  abort(): Promise<void>;
}

const prefixOf = (target: string) => `.${basename(target)}.`;

export async function openOutputDir(target: string): Promise<OutputDir> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const prefix = prefixOf(target);
  const siblings = (await readdir(parent)).filter((f) => f.startsWith(prefix));
  // A run killed between the two renames of commit() left the previous output under its aside name: restore it.
  const aside = siblings.filter((f) => f.startsWith(`${prefix}previous-`) && existsSync(join(parent, f, COMPLETE_MARKER)));
  if (!existsSync(target) && aside.length > 0) await rename(join(parent, aside[0]!), target);
  for (const f of siblings) if (existsSync(join(parent, f))) await rm(join(parent, f), { recursive: true, force: true });

  if (existsSync(target)) {
    const st = await stat(target);
    if (!st.isDirectory()) throw usageError('output_not_a_folder', `output ${target} is a file: choose a folder (new or a previous clickforge output).`);
    const entries = await readdir(target);
    if (entries.length > 0 && !entries.includes(COMPLETE_MARKER)) {
      throw usageError(
        'output_not_clickforge',
        `output folder ${target} is not empty and holds no clickforge output (no ${COMPLETE_MARKER}); a build replaces its output folder as a whole, so choose a new or empty folder (or a previous clickforge output).`,
      );
    }
  }
  const staging = join(parent, `${prefix}staging-${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  return {
    staging,
    target,
    async commit() {
      const old = join(parent, `${prefix}previous-${randomBytes(6).toString('hex')}`);
      const hadTarget = existsSync(target);
      if (hadTarget) await rename(target, old);
      await rename(staging, target);
      if (hadTarget) await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
