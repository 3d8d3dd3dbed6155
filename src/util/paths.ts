import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Config } from '../config.js';
import { inputError, usageError } from '../errors.js';

/** What a build writes in its output folder (files, then folders with everything under them). */
export const OUTPUT_NAMES = ['positives.jsonl', 'positives.multi.jsonl', 'evidence.parquet', 'quarantine.jsonl', 'report.json', 'report.md', 'manifest.json', 'run.json', 'calibration.json', 'dataset/', '.duckdb-tmp/'] as const;

type PathConfig = Pick<Config, 'input' | 'output'> & { readonly calibration?: { readonly file: string | null } };

const reason = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  return (e as Error).message;
};

/** The inputs of a build with the option that names each. */
function inputsOf(config: PathConfig): { option: string; path: string }[] {
  const i = config.input;
  return [
    ...i.serps.map((path, k) => ({ option: i.serps.length > 1 ? `input.serps[${k}]` : 'input.serps', path })),
    ...i.events.map((path, k) => ({ option: i.events.length > 1 ? `input.events[${k}]` : 'input.events', path })),
    ...(i.corpus ? [{ option: 'input.corpus', path: i.corpus }] : []),
    ...(i.labels ? [{ option: 'input.labels', path: i.labels }] : []),
    ...(config.calibration?.file ? [{ option: 'calibration.file', path: config.calibration.file }] : []),
  ].map((x) => ({ ...x, path: resolve(x.path) }));
}

/** The real path of `p`, through its nearest existing ancestor when it does not exist yet. */
async function realPathOf(p: string): Promise<string> {
  let head = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...rest.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return p;
      rest.push(basename(head));
      head = up;
    }
  }
}

const inside = (folder: string, p: string): string | null => {
  const rel = relative(folder, p);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) ? rel : null;
};

/**
 * Checks a build's paths before any work starts, so that an everyday path mistake is a usage
 * error (exit 2) or an input error (exit 3) naming the path, not an internal error minutes in:
 * - every input exists, is a file (not a folder) and is readable;
 * - the output is a folder or does not exist yet, and no file stands where one of its parent
 *   folders should be;
 * - no input lies in the output folder (a build replaces the folder as a whole, so the input
 *   would be deleted; one stored under an output name such as quarantine.jsonl would first be
 *   overwritten) or in the staging and backup folders beside it (`.<name>.*`);
 * - the folder the output goes in can be created and written: the staging folder is created
 *   there and renamed over the output (a probe file is created and removed).
 * When a check fails, folders created for the probe are removed again.
 */
export async function checkBuildPaths(config: PathConfig): Promise<void> {
  const inputs = inputsOf(config);
  for (const { option, path } of inputs) {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'does not exist (a file stands where one of its folders should be)' : `cannot be read (${reason(e)})`;
      throw inputError('input_missing', `input file ${path} (${option}) ${what}: check the path; relative paths in a config file are read from the config file's folder.`, { cause: e });
    }
    if (st.isDirectory()) {
      const key = option.replace(/^input\.|\[\d+\]$/g, '');
      const how = key === 'serps' || key === 'events' ? `give the files in it one by one (repeat --${key}, or list them in input.${key})` : `give the ${key} file itself (--${key} <file>)`;
      throw inputError('input_is_folder', `input ${path} (${option}) is a folder, not a file: ${how}.`);
    }
    if (!st.isFile()) throw inputError('input_not_a_file', `input ${path} (${option}) is not a regular file (a device, socket or pipe): copy the data to a file and give that.`);
    try {
      await access(path, constants.R_OK);
    } catch (e) {
      throw inputError('input_unreadable', `input file ${path} (${option}) cannot be read (${reason(e)}): fix its permissions or copy it somewhere readable.`, { cause: e });
    }
  }

  const output = resolve(config.output);
  const parent = dirname(output);
  // the nearest existing ancestor must be a folder, and so must the output itself if it exists
  for (let p = output; ; p = dirname(p)) {
    const st = await stat(p).catch(() => null);
    if (st) {
      if (!st.isDirectory()) {
        throw p === output
          ? usageError('output_is_file', `output ${output} is a file: choose a folder (new, empty or a previous clickforge output), e.g. --out ${output}.out`)
          : usageError('output_under_file', `output ${output} lies under ${p}, which is a file: choose an output folder outside it.`);
      }
      break;
    }
    if (dirname(p) === p) break;
  }

  const realOut = await realPathOf(output);
  const realParent = dirname(realOut);
  const aside = `.${basename(realOut)}.`;
  for (const { option, path } of inputs) {
    const real = await realpath(path);
    const rel = inside(realOut, real);
    if (rel !== null) {
      const name = OUTPUT_NAMES.find((n) => (n.endsWith('/') ? rel.startsWith(n) : rel === n));
      throw usageError(
        'input_in_output',
        `input ${path} (${option}) lies in the output folder ${output}${name ? ` under the output name ${name.replace(/\/$/, '')}, which the build overwrites` : ''}; a build replaces that folder as a whole: move the input out of it, or choose another output folder.`,
      );
    }
    if (dirname(real) === realParent && basename(real).startsWith(aside)) {
      throw usageError('input_in_output', `input ${path} (${option}) is named like the staging folder of output ${output} (${aside}*), which a build removes: rename the input or choose another output folder.`);
    }
  }

  let created: string | undefined;
  try {
    created = await mkdir(parent, { recursive: true });
  } catch (e) {
    throw usageError('output_not_creatable', `cannot create output folder ${output}: creating ${parent} failed (${reason(e)}); choose another output folder or fix the permissions.`, { cause: e });
  }
  // named like openOutputDir's staging folders, so a probe left by a killed run is cleaned up by the next build
  const probe = join(parent, `${aside}probe-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(probe, 'wx');
    await fh.close();
    await rm(probe, { force: true });
  } catch (e) {
    if (created) await rm(created, { recursive: true, force: true });
    throw usageError('output_not_writable', `cannot write output folder ${output}: the build writes it beside itself in ${parent}, which is not writable (${reason(e)}); choose another output folder or fix the permissions.`, { cause: e });
  }
}
