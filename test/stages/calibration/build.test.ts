import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';
import type { DoNoHarmSection } from '../../../src/stages/calibration/harm.js';
import { buildHelpdeskWorld, sampleLabels, simulateLog, simulateOptions } from '../../../src/tools/simulate/index.js';
import { openDb, queryRows, sqlString } from '../../../src/db/duckdb.js';
import { cli } from '../../cli/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'cf-calibration-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fit: BuildResult;
let applied: BuildResult;
let input: { serps: string[]; corpus: string; labels: string };
beforeAll(async () => {
  const opts = simulateOptions.parse({ sessions: 1500, seed: 5 });
  const sim = join(tmp, 'sim');
  await simulateLog(buildHelpdeskWorld(opts), opts, sim);
  const labels = join(tmp, 'labels.jsonl');
  writeFileSync(labels, sampleLabels(sim, { pairs: 1500, seed: 5 }).map((l) => JSON.stringify(l)).join('\n') + '\n');
  input = { serps: [join(sim, 'serps.jsonl')], corpus: join(sim, 'corpus.jsonl'), labels };
  fit = await build({ input, output: join(tmp, 'fit'), calibration: { fit: true, bootstrap: 100 } });
  applied = await build({ input, output: join(tmp, 'applied'), calibration: { file: fit.files.calibration! } });
}, 240_000);

describe('calibrate, then build with the calibration', () => {
  it('writes calibration.json with both models and a held-out table, and the report shows it', () => {
    const cal = JSON.parse(readFileSync(fit.files.calibration!, 'utf8')) as { kind: string; models: { clicked: { informative: boolean } }; labels: { pairs: number; clicked: number }; heldOut: { positives: { raw: { n: number }; calibrated: { n: number } } } };
    expect(cal.kind).toBe('clickforge.calibration');
    expect(cal.labels.clicked).toBeGreaterThan(20);
    // dwell, conversions and repeat sessions carry relevance in the simulated help desk
    expect(cal.models.clicked.informative).toBe(true);
    expect(cal.heldOut.positives.calibrated.n).toBeLessThanOrEqual(cal.heldOut.positives.raw.n);
    const md = readFileSync(fit.files.reportMd!, 'utf8');
    expect(md).toContain('## Calibration');
    expect(md).toContain('## Do no harm');
    for (const c of fit.report.accounting) expect(c.ok, c.name).toBe(true);
  });

  it('grades by the calibrated estimate and says so in the evidence, the stats and the report', async () => {
    const st = applied.report.stages.find((s) => s.stage === 'calibration/apply');
    expect(st?.out.evidence_rows).toBe(applied.report.summary.evidencePairs);
    const { conn, close } = await openDb();
    const rows = await queryRows<{ n: number; bad: number }>(conn, `SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE grade > 0 AND clicks = 0)::DOUBLE AS bad FROM read_parquet(${sqlString(applied.files.evidence!)}) WHERE calibrated_relevance IS NOT NULL`);
    close();
    expect(rows[0]!.n).toBe(applied.report.summary.evidencePairs);
    expect(rows[0]!.bad).toBe(0);
    const positives = readFileSync(applied.files.positives!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { evidence: { signals: string[] } });
    expect(positives.length).toBeGreaterThan(0);
    for (const p of positives) expect(p.evidence.signals).toContain('calibrated');
    // the calibrated positives are at least as precise on the labels as the heuristic ones
    const h = (b: BuildResult) => b.report.sections.doNoHarm as DoNoHarmSection;
    expect(h(applied).positives.rate).toBeGreaterThanOrEqual(h(fit).positives.rate - 0.02);
    expect(applied.report.stages.some((s) => s.stage === 'false-negatives/calibrated')).toBe(true);
  });

  it('refuses a file that is not a calibration, naming it', async () => {
    const bad = join(tmp, 'not-a-calibration.json');
    writeFileSync(bad, '{"kind": "something else"}');
    await expect(build({ input, output: join(tmp, 'bad'), calibration: { file: bad } })).rejects.toThrow(/not-a-calibration\.json: not a clickforge calibration/);
    expect(existsSync(join(tmp, 'bad', 'manifest.json'))).toBe(false);
  });

  it('`clickforge calibrate` prints the held-out table; without labels it is a usage error', () => {
    const r = cli(['calibrate', '--serps', input.serps[0]!, '--corpus', input.corpus, '--labels', input.labels, '--out', join(tmp, 'cli'), '-q', '--set', 'calibration.bootstrap=50']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| raw clicks \(every clicked pair\) \| 0\.\d{3} \[/);
    expect(r.stdout).toContain(join(tmp, 'cli', 'calibration.json'));
    const none = cli(['calibrate', '--serps', input.serps[0]!, '--corpus', input.corpus, '--out', join(tmp, 'cli2'), '-q']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/calibration.fit needs labels/);
  });
});
