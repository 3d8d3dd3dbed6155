import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

/** Every file of a build but run.json (the run's environment and timings), with its sha256. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (f === 'run.json' || statSync(join(dir, f)).isDirectory()) continue;
    out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  }
  return out;
}

describe('determinism matrix', () => {
  it('threads 1 / 2 and a memory limit give byte-identical files, the manifest and the card included; the counts add up in each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-det-'));
    const sim = cli(['simulate', '--out', join(dir, 'data'), '--sessions', '3000', '--seed', '11']);
    expect(sim.code, sim.stderr).toBe(0);
    const base = ['--serps', join(dir, 'data', 'serps.jsonl'), '--corpus', join(dir, 'data', 'corpus.jsonl'), '--out', join(dir, 'out'), '--curriculum'];
    const variants = [['--threads', '1'], ['--threads', '2'], ['--threads', '2', '--memory-limit', '200MB']];
    const snaps = variants.map((v) => {
      const r = cli(['build', ...base, ...v, '-q']);
      expect(r.code, `${v.join(' ')}: ${r.stderr}`).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { accounting: { ok: boolean; name: string }[] };
      for (const a of report.accounting) expect(a.ok, `${v.join(' ')}: ${a.name}`).toBe(true);
      const run = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8')) as { environment: { threads: number } };
      expect(run.environment.threads).toBe(Number(v[1]));
      return snapshot(join(dir, 'out'));
    });
    expect(Object.keys(snaps[0]!)).toEqual(expect.arrayContaining(['manifest.json', 'dataset/README.md', 'evidence.parquet', 'dataset/sentence-transformers/train.jsonl']));
    expect(snaps[1]).toEqual(snaps[0]);
    expect(snaps[2]).toEqual(snaps[0]);
  }, 300_000);
});
