/**
 * Do no harm on the real TREC Session 2014 log with its human labels (../shared/data or
 * $CLICKFORGE_DATA; skipped with a message when absent): with default options the positives are
 * not less precise than raw clicks and every negative source is below the base rate, or the
 * build warns with the numbers; a calibration that does not rank unseen families changes nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../../src/pipeline.js';
import type { DoNoHarmSection } from '../../../src/stages/calibration/harm.js';
import { buildWarnings } from '../../../src/cli/warnings.js';
import { readTrecSession, trecSessionDir, trecSessionPresent, writeTrecSession } from '../../../src/tools/real-logs/trec-session.js';

const DIR = trecSessionDir();
const present = trecSessionPresent(DIR);
if (!present) console.log(`skipped: TREC Session 2014 not found at ${DIR} (set CLICKFORGE_DATA to the folder holding trec-session-2014-clicks/)`);

describe.skipIf(!present)('TREC Session 2014: defaults do no harm (real log, human labels)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cf-trec-harm-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let r: BuildResult;
  beforeAll(async () => {
    const files = await writeTrecSession(readTrecSession(DIR), join(tmp, 'in'), { clickTimes: 'spaced' });
    r = await build({ input: { serps: [files.serps], corpus: files.corpus, labels: files.labels }, output: join(tmp, 'out'), negatives: { miners: ['behavioural'] }, calibration: { fit: true, bootstrap: 200 } });
  }, 120_000);

  it('positives are at least as precise as raw clicks, or the build says so with the numbers', () => {
    const h = r.report.sections.doNoHarm as DoNoHarmSection;
    expect(h.labelledPairs).toBeGreaterThan(4000);
    const warned = r.report.warnings.some((w) => /less precise than raw clicks \(0\.\d{3}/.test(w));
    expect(h.positives.rate >= h.rawClicks.rate || warned).toBe(true);
  });

  it('every negative source above the base rate is named in a warning', () => {
    const h = r.report.sections.doNoHarm as DoNoHarmSection;
    for (const [source, rate] of Object.entries(h.negatives)) {
      if (rate.n >= 20 && rate.rate > h.baseRate.rate) expect(r.report.warnings.some((w) => w.includes(`negatives from ${source}`)), source).toBe(true);
    }
  });

  it('the curve is not identified, so grading falls back to the click funnel, and the build says so', () => {
    expect((r.report.sections.bias as { identified?: boolean }).identified).toBe(false);
    expect(buildWarnings(r.report).some((w) => /not identified/i.test(w))).toBe(true);
  });

  it('a calibration whose held-out ranking reaches chance keeps every clicked pair and vetoes nothing', () => {
    const cal = JSON.parse(readFileSync(r.files.calibration!, 'utf8')) as { models: { clicked: { informative: boolean; heldOutAucCi: [number, number] | null } }; grades: { thresholds: number[] }; negatives: { vetoAbove: number | null } };
    if (!cal.models.clicked.informative) {
      expect(cal.models.clicked.heldOutAucCi![0]).toBeLessThanOrEqual(0.5);
      expect(cal.grades.thresholds[0]).toBe(0);
    } else {
      expect(cal.models.clicked.heldOutAucCi![0]).toBeGreaterThan(0.5);
    }
  });
});
