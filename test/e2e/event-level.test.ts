import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { shuffledCopy, snapshot } from '../stages/event-level/helpers.js';

/**
 * `build` over a simulated log against `events` + `build --evidence` (same config and seed), into
 * the same output folder: every file but run.json byte for byte, also from a folder whose rows come
 * in another order.
 */
function compare(name: string, simulate: string[], logFlags: (data: string) => string[], extra: string[], check: (report: { sections: { splits: { mode: string } } }) => void) {
  it(name, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-evl-e2e-'));
    const data = join(dir, 'data');
    const sim = cli(['simulate', '--out', data, ...simulate]);
    expect(sim.code, sim.stderr).toBe(0);
    const out = join(dir, 'out');
    const corpus = ['--corpus', join(data, 'corpus.jsonl')];
    const direct = cli(['build', ...logFlags(data), ...corpus, ...extra, '--out', out, '-q']);
    expect(direct.code, direct.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { sections: { splits: { mode: string } }; accounting: { ok: boolean; name: string }[] };
    check(report);
    const want = snapshot(out);
    rmSync(out, { recursive: true });
    const ev = cli(['events', ...logFlags(data), ...extra, '--out', join(dir, 'events'), '-q']);
    expect(ev.code, ev.stderr).toBe(0);
    const text = cli(['build', '--evidence', join(dir, 'events'), ...corpus, ...extra, '--out', out, '-q']);
    expect(text.code, text.stderr).toBe(0);
    expect(Object.keys(want)).toEqual(expect.arrayContaining(['dataset/sentence-transformers/train.jsonl', 'positives.jsonl', 'report.json']));
    expect(snapshot(out)).toEqual(want);
    rmSync(out, { recursive: true });
    await shuffledCopy(join(dir, 'events'), join(dir, 'shuffled'));
    const shuffled = cli(['build', '--evidence', join(dir, 'shuffled'), ...corpus, ...extra, '--out', out, '-q']);
    expect(shuffled.code, shuffled.stderr).toBe(0);
    expect(snapshot(out)).toEqual(want);
    rmSync(dir, { recursive: true });
  }, 600_000);
}

describe('events + build --evidence equal build', () => {
  compare('a simulated help desk (SERP records, presentation features, chronological split with its pre-cutoff rebuild)', ['--sessions', '3000', '--seed', '5'], (d) => ['--serps', join(d, 'serps.jsonl')], [], (r) => expect(r.sections.splits.mode).toBe('chronological'));
  compare('a flat-event log graded by the click funnel (the derived evidence weight), hashed split', ['--sessions', '2000', '--seed', '9', '--format', 'events', '--dwell', 'timestamps'], (d) => ['--events', join(d, 'events.jsonl')], ['--set', 'grading.rule=funnel', '--set', 'splits.mode=hashed'], (r) => expect(r.sections.splits.mode).toBe('hashed'));
});
