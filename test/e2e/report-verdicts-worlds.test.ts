import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import type { Checklist, QuestionId, VerdictLevel } from '../../src/stages/report/checklist.js';
import { launch, openFile, RUN_BROWSER } from './browser.js';

const FILTERS = ['clickVeto', 'sameField', 'nearDuplicate', 'positiveAware', 'ambiguity', 'judge', 'preferBehavioural'];
const FAMILY_RULES = ['sameKey', 'reformulation', 'nearDuplicate', 'positiveOverlap', 'coSession', 'coClick', 'links'];
const set = (kv: string[]) => kv.flatMap((s) => ['--set', s]);

/**
 * The checklist on two simulated worlds of 3,000 sessions. "good": the default world with a
 * family-level hashed split and the same-field filter off (so most records keep a hard negative).
 * "bad": a six-year log with a steep head (Zipf 3) built as a deliberately bad dataset: raw clicks
 * (no dwell rule: every click is evidence), a split by query (every family rule off), random
 * negatives with no false-negative filter, balance caps off.
 */
describe('the checklist on a good and a deliberately bad dataset', () => {
  const verdicts = new Map<string, Record<QuestionId, VerdictLevel>>();
  const outs = new Map<string, string>();
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-verdicts-'));
    const worlds = { good: [], bad: ['start=2019-01-01', 'world.publishYears=6', 'behaviour.intentZipf=3'] };
    const builds = {
      good: ['splits.mode="hashed"', 'negatives.filters.sameField.enabled=false'],
      bad: ['splits.mode="hashed"', 'evidence.shortDwellMs=0', 'evidence.satisfiedDwellMs=100000000', 'grading.rule="funnel"', 'negatives.miners=["random"]', 'balance.headTail.maxHeadShare=1', 'balance.popularity.maxDocShare=1',
        ...FILTERS.map((f) => `negatives.filters.${f}.enabled=false`), ...FAMILY_RULES.map((f) => `families.${f}.enabled=false`)],
    };
    for (const name of ['good', 'bad'] as const) {
      const sim = cli(['simulate', '--out', join(dir, name), '--sessions', '3000', '--seed', '7', ...set(worlds[name])]);
      expect(sim.code, sim.stderr).toBe(0);
      const out = join(dir, `${name}-out`);
      const b = cli(['build', '-q', '--serps', join(dir, name, 'serps.jsonl'), '--corpus', join(dir, name, 'corpus.jsonl'), '--out', out, ...set(builds[name])]);
      expect(b.code, b.stderr).toBe(0);
      const c = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { sections: { checklist: Checklist } }).sections.checklist;
      verdicts.set(name, Object.fromEntries(c.verdicts.map((v) => [v.id, v.verdict])) as Record<QuestionId, VerdictLevel>);
      outs.set(name, out);
    }
  }, 600_000);

  it('the good dataset passes questions 2-6; question 1 only warns that 3,000 sessions leave most positives on one click', () => {
    expect(verdicts.get('good')).toEqual({ positives: 'warn', negatives: 'pass', falseNegatives: 'pass', balance: 'pass', leakage: 'pass', freshness: 'pass' });
    const r = cli(['report', outs.get('good')!, '--set', 'report.positives.maxSingleClickShare=0.8']);
    expect(r.stdout).toMatch(/^pass +1\. Are positives useful/);
  });

  it('the bad dataset fails raw clicks, random negatives, no filter, the split by query and the stale log, and warns on the head', () => {
    expect(verdicts.get('bad')).toEqual({ positives: 'fail', negatives: 'fail', falseNegatives: 'fail', balance: 'warn', leakage: 'fail', freshness: 'fail' });
  });

  it.skipIf(!RUN_BROWSER)('the bad dataset\'s report.html shows the fails, each with what to change', async () => {
    const browser = await launch();
    try {
      const o = await openFile(browser, join(outs.get('bad')!, 'report.html'));
      expect(await o.page.locator('article.q[data-verdict="fail"]').count()).toBe(5);
      expect(await o.page.locator('article.q[data-verdict="fail"] .change li').count()).toBeGreaterThanOrEqual(5);
      expect(o.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
