import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ClickforgeError } from '../../src/errors.js';
import { checkBuildPaths } from '../../src/util/paths.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cf-paths-'));
const cfg = (input: Record<string, unknown>, output: string) => parseConfig({ input, output });

async function refusal(p: Promise<void>): Promise<{ kind: string; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ClickforgeError);
    const err = e as ClickforgeError;
    return { kind: err.kind, code: err.code, message: err.message };
  }
  throw new Error('no error');
}

/** A folder this process cannot write in: chmod 555 for a normal user; root ignores modes, so /sys (sysfs refuses new files). */
function unwritableFolder(base: string): string {
  const probe = (d: string) => {
    try {
      writeFileSync(join(d, '.cf-probe'), '');
      return false;
    } catch {
      return true;
    }
  };
  const ro = join(base, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  if (probe(ro)) return ro;
  if (existsSync('/sys') && probe('/sys')) return '/sys';
  throw new Error('no unwritable folder on this machine to test with');
}

describe('checkBuildPaths', () => {
  it('passes good paths and leaves nothing behind', async () => {
    const d = dir();
    writeFileSync(join(d, 'serps.jsonl'), '');
    await checkBuildPaths(cfg({ serps: [join(d, 'serps.jsonl')] }, join(d, 'new', 'deeper', 'out')));
    expect(readdirSync(join(d, 'new', 'deeper'))).toEqual([]); // no probe file; the output itself is created by the build
  });

  it('refuses an input that is missing, a folder or not a regular file: input errors naming the option', async () => {
    const d = dir();
    mkdirSync(join(d, 'logs.jsonl'));
    const missing = await refusal(checkBuildPaths(cfg({ serps: [join(d, 'nope.jsonl')] }, join(d, 'out'))));
    expect(missing).toMatchObject({ kind: 'input', code: 'input_missing' });
    expect(missing.message).toContain(`${join(d, 'nope.jsonl')} (input.serps) does not exist`);
    const folder = await refusal(checkBuildPaths(cfg({ events: [join(d, 'logs.jsonl')] }, join(d, 'out'))));
    expect(folder).toMatchObject({ kind: 'input', code: 'input_is_folder' });
    expect(folder.message).toContain(`${join(d, 'logs.jsonl')} (input.events) is a folder, not a file: give the files in it one by one (repeat --events`);
    writeFileSync(join(d, 's.jsonl'), '');
    const corpus = await refusal(checkBuildPaths(cfg({ serps: [join(d, 's.jsonl')], corpus: join(d, 'logs.jsonl') }, join(d, 'out'))));
    expect(corpus.message).toContain('(input.corpus) is a folder, not a file: give the corpus file itself');
    if (existsSync('/dev/null')) {
      const dev = await refusal(checkBuildPaths(cfg({ serps: ['/dev/null'] }, join(d, 'out'))));
      expect(dev.code).toBe('input_not_a_file');
    }
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('refuses an output that is a file or lies under a file: usage errors naming both', async () => {
    const d = dir();
    writeFileSync(join(d, 'serps.jsonl'), '');
    writeFileSync(join(d, 'afile'), 'x');
    const input = { serps: [join(d, 'serps.jsonl')] };
    const isFile = await refusal(checkBuildPaths(cfg(input, join(d, 'afile'))));
    expect(isFile).toMatchObject({ kind: 'usage', code: 'output_is_file' });
    expect(isFile.message).toContain(`output ${join(d, 'afile')} is a file: choose a folder`);
    const under = await refusal(checkBuildPaths(cfg(input, join(d, 'afile', 'x', 'out'))));
    expect(under).toMatchObject({ kind: 'usage', code: 'output_under_file' });
    expect(under.message).toContain(`lies under ${join(d, 'afile')}, which is a file`);
  });

  it('refuses an output folder it cannot create or write, and removes what it created', async () => {
    const d = dir();
    writeFileSync(join(d, 'serps.jsonl'), '');
    const ro = unwritableFolder(d);
    const r = await refusal(checkBuildPaths(cfg({ serps: [join(d, 'serps.jsonl')] }, join(ro, 'cf-out'))));
    expect(r.kind).toBe('usage');
    expect(r.message).toContain(join(ro, 'cf-out'));
    expect(r.message).toMatch(/permission denied|not permitted|read-only/);
    const deep = await refusal(checkBuildPaths(cfg({ serps: [join(d, 'serps.jsonl')] }, join(ro, 'a', 'b', 'cf-out'))));
    expect(deep).toMatchObject({ kind: 'usage', code: 'output_not_creatable' });
    expect(existsSync(join(ro, 'a'))).toBe(false);
  });

  it('refuses an input inside the output folder (under an output name or not, through a symlink too)', async () => {
    const d = dir();
    const out = join(d, 'out');
    mkdirSync(join(out, 'dataset'), { recursive: true });
    writeFileSync(join(out, 'manifest.json'), '{}');
    writeFileSync(join(out, 'quarantine.jsonl'), '');
    writeFileSync(join(out, 'dataset', 'corpus.jsonl'), '');
    writeFileSync(join(out, 'mine.jsonl'), '');
    const named = await refusal(checkBuildPaths(cfg({ serps: [join(out, 'quarantine.jsonl')] }, out)));
    expect(named).toMatchObject({ kind: 'usage', code: 'input_in_output' });
    expect(named.message).toContain(`input ${join(out, 'quarantine.jsonl')} (input.serps) lies in the output folder ${out} under the output name quarantine.jsonl, which the build overwrites`);
    writeFileSync(join(d, 'x'), '');
    const corpus = await refusal(checkBuildPaths(cfg({ serps: [join(d, 'x')], corpus: join(out, 'dataset', 'corpus.jsonl') }, out)));
    expect(corpus.message).toContain('(input.corpus) lies in the output folder');
    expect(corpus.message).toContain('under the output name dataset');
    const other = await refusal(checkBuildPaths(cfg({ serps: [join(out, 'mine.jsonl')] }, out)));
    expect(other.message).toContain('lies in the output folder');
    expect(other.message).toContain('replaces that folder as a whole');
    symlinkSync(out, join(d, 'link'));
    const viaLink = await refusal(checkBuildPaths(cfg({ serps: [join(out, 'mine.jsonl')] }, join(d, 'link'))));
    expect(viaLink.code).toBe('input_in_output');
    writeFileSync(join(d, '.out.keep.jsonl'), '');
    const aside = await refusal(checkBuildPaths(cfg({ serps: [join(d, '.out.keep.jsonl')] }, out)));
    expect(aside.message).toContain('named like the staging folder of output');
  });
});
