import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../cli/helpers.js';

/** Every file under dir with the sha256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = join(dir, f);
    try {
      out[f] = createHash('sha256').update(readFileSync(p)).digest('hex');
    } catch {
      // a folder
    }
  }
  return out;
}

/** Start a build and kill -9 it as soon as its progress on stderr reaches step `step` of 10. */
function buildKilledAt(args: string[], step: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}/src/cli/main.ts`, 'build', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`[${step}/10]`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => resolve(err));
  });
}

describe('a build killed at any step', () => {
  it('leaves the previous complete output exactly as it was, and the next build leaves nothing of either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-kill-'));
    const sim = cli(['simulate', '--out', join(dir, 'data'), '--sessions', '1500', '--seed', '3']);
    expect(sim.code, sim.stderr).toBe(0);
    const out = join(dir, 'out');
    const base = ['--serps', join(dir, 'data', 'serps.jsonl'), '--corpus', join(dir, 'data', 'corpus.jsonl'), '--out', out];
    const first = cli(['build', ...base]);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(out);
    expect(Object.keys(before)).toContain('dataset/sentence-transformers/train.jsonl');

    const other = [...base, '--set', 'export.formats=["beir"]'];
    for (let step = 1; step <= 10; step++) {
      const stderr = await buildKilledAt(other, step);
      expect(stderr, `step ${step}`).toContain(`[${step}/10]`);
      expect(snapshot(out), `killed at step ${step}`).toEqual(before);
    }
    const second = cli(['build', ...other]);
    expect(second.code, second.stderr).toBe(0);
    const after = snapshot(out);
    expect(Object.keys(after).some((f) => f.startsWith('dataset/sentence-transformers'))).toBe(false); // nothing of the first run survives
    expect(Object.keys(after).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['data', 'out']); // no staging folder of a killed run is left
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  }, 300_000);
});
