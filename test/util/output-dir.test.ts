import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutputDir } from '../../src/util/output-dir.js';

const fresh = () => mkdtemp(join(tmpdir(), 'cf-outdir-'));

async function completeRun(target: string, files: Record<string, string>): Promise<void> {
  const o = await openOutputDir(target);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(o.staging, f, '..'), { recursive: true });
    writeFileSync(join(o.staging, f), text);
  }
  writeFileSync(join(o.staging, 'manifest.json'), '{}');
  await o.commit();
}

describe('openOutputDir', () => {
  it('a new run replaces the whole folder: files it does not write do not survive', async () => {
    const target = join(await fresh(), 'out');
    await completeRun(target, { 'a.txt': '1', 'dataset/st/train.jsonl': 'x' });
    await completeRun(target, { 'b.txt': '2' });
    expect(readdirSync(target, { recursive: true }).map(String).sort()).toEqual(['b.txt', 'manifest.json']);
    expect(readdirSync(join(target, '..'))).toEqual(['out']); // no staging or previous folder left
  });

  it('an aborted or killed run leaves the previous output intact, and the next run removes its leftovers', async () => {
    const target = join(await fresh(), 'out');
    await completeRun(target, { 'a.txt': 'first' });
    const o = await openOutputDir(target);
    writeFileSync(join(o.staging, 'a.txt'), 'half-written');
    // killed here: no commit, no abort
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('first');
    expect(readdirSync(join(target, '..')).length).toBe(2);
    await completeRun(target, { 'a.txt': 'second' });
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('second');
    expect(readdirSync(join(target, '..'))).toEqual(['out']);
    const p = await openOutputDir(target);
    await p.abort();
    expect(readdirSync(join(target, '..'))).toEqual(['out']);
  });

  it('a run killed between the two renames of commit gets the previous output back', async () => {
    const parent = await fresh();
    const target = join(parent, 'out');
    await completeRun(target, { 'a.txt': 'first' });
    // what commit leaves after its first rename: the previous output aside, no target
    const { renameSync } = await import('node:fs');
    renameSync(target, join(parent, '.out.previous-abc123'));
    const o = await openOutputDir(target);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('first');
    await o.abort();
  });

  it('refuses to replace a folder that is not a clickforge output, or a file', async () => {
    const parent = await fresh();
    mkdirSync(join(parent, 'mine'));
    writeFileSync(join(parent, 'mine', 'thesis.tex'), 'years of work');
    await expect(openOutputDir(join(parent, 'mine'))).rejects.toThrow(/not empty and holds no clickforge output/);
    expect(existsSync(join(parent, 'mine', 'thesis.tex'))).toBe(true);
    writeFileSync(join(parent, 'file'), 'x');
    await expect(openOutputDir(join(parent, 'file'))).rejects.toThrow(/is a file/);
    mkdirSync(join(parent, 'empty'));
    await (await openOutputDir(join(parent, 'empty'))).abort();
  });
});
