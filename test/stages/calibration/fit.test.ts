import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/stages/calibration/features.js';
import { fitCalibration, modelsOf } from '../../../src/stages/calibration/fit.js';
import { calibrationOptions } from '../../../src/stages/calibration/options.js';
import { doNoHarm } from '../../../src/stages/calibration/harm.js';
import type { LabelledClickPair } from '../../../src/stages/calibration/labelled.js';
import { predictLogistic } from '../../../src/stages/calibration/logistic.js';
import { createRng } from '../../../src/util/rng.js';

const ix = (name: string) => FEATURES.findIndex((f) => f.name === name);
const o = calibrationOptions.parse({ bootstrap: 200 });

/**
 * Labelled pairs of 60 families. Clicked pairs are relevant with probability 0.8 when clicked in
 * several sessions, else 0.35 (`signal` true), or 0.5 whatever they show (`signal` false).
 * Unclicked pairs are relevant with 0.6 when clicked for another query of their sessions, else 0.15.
 */
function world(signal: boolean, seed = 3): LabelledClickPair[] {
  const rng = createRng(seed);
  const out: LabelledClickPair[] = [];
  for (let f = 0; f < 60; f++) {
    for (let d = 0; d < 12; d++) {
      const x = new Array<number>(FEATURES.length).fill(0);
      const clicked = d < 4;
      let p: number;
      if (clicked) {
        const several = rng.next() < 0.4;
        x[ix('clicked')] = 1;
        x[ix('several_sessions')] = several ? 1 : 0;
        x[ix('log_click_sessions')] = Math.log(1 + (several ? 2 + rng.int(3) : 1));
        x[ix('log_clicks')] = x[ix('log_click_sessions')]!;
        x[ix('last_click_share')] = rng.next(); // noise
        p = signal ? (several ? 0.8 : 0.35) : 0.5;
      } else {
        const inSession = rng.next() < 0.25;
        x[ix('log_clicked_in_session')] = inSession ? Math.log(2) : 0;
        x[ix('log_skip_above')] = rng.next() < 0.3 ? Math.log(2) : 0; // noise
        x[ix('log_impressions')] = Math.log(1 + 1 + rng.int(5));
        p = signal ? (inSession ? 0.6 : 0.15) : 0.25;
      }
      const relevant = rng.next() < p;
      out.push({
        query_norm: `q${f}`, doc_id: `d${f}-${d}`, family: `fam${f}`, relevant, features: x,
        positiveGrade: clicked && d < 2 ? 1 : 0,
        negativeSources: !clicked && d < 8 ? ['behavioural'] : !clicked && d < 10 ? ['bm25'] : [],
        keptClicks: clicked ? 1 : 0, discarded: {},
      } satisfies LabelledClickPair);
    }
  }
  return out;
}

describe('fitCalibration', () => {
  it('finds the signals that carry relevance, ranks held-out families by them, and grades and vetoes with them', () => {
    const cal = fitCalibration(world(true), o, 42);
    expect(cal.models.clicked.informative).toBe(true);
    expect(cal.models.unclicked.informative).toBe(true);
    const w = (m: 'clicked' | 'unclicked', n: string) => cal.models[m].features.find((f) => f.name === n)!.weight;
    expect(Math.abs(w('clicked', 'several_sessions')) + Math.abs(w('clicked', 'log_click_sessions'))).toBeGreaterThan(0.3);
    expect(w('unclicked', 'log_clicked_in_session')).toBeGreaterThan(0.3);
    const h = cal.heldOut as { positives: { raw: { rate: number }; calibrated: { rate: number } }; negatives: { shownNeverClicked: { rate: number }; calibratedShownNeverClicked: { rate: number } } };
    expect(h.positives.calibrated.rate).toBeGreaterThan(h.positives.raw.rate + 0.1);
    expect(h.negatives.calibratedShownNeverClicked.rate).toBeLessThan(h.negatives.shownNeverClicked.rate - 0.05);
    expect(cal.grades.thresholds[0]).toBe(0.5);
    expect(cal.negatives.vetoAbove).toBeCloseTo(cal.negatives.baseRate.rate!, 6);
    // the file's models predict what the fit saw
    const m = modelsOf(cal, 'calibration.json');
    const x = new Array<number>(FEATURES.length).fill(0);
    x[ix('clicked')] = 1;
    x[ix('log_click_sessions')] = x[ix('log_clicks')] = Math.log(2);
    const one = predictLogistic(m.clicked, x);
    x[ix('several_sessions')] = 1;
    x[ix('log_click_sessions')] = x[ix('log_clicks')] = Math.log(4);
    expect(predictLogistic(m.clicked, x)).toBeGreaterThan(one + 0.2);
  });

  it('changes nothing when the signals carry no relevance: every clicked pair stays, nothing is vetoed', () => {
    const cal = fitCalibration(world(false), o, 42);
    expect(cal.models.clicked.informative).toBe(false);
    expect(cal.models.unclicked.informative).toBe(false);
    expect(cal.grades.thresholds[0]).toBe(0);
    expect(cal.negatives.vetoAbove).toBeNull();
    expect(cal.grades.note).toMatch(/do not rank clicked pairs/);
  });

  it('drops a miner whose negatives are relevant more often than a random shown result', () => {
    const pairs = world(true).map((p) => (p.relevant && p.features![ix('clicked')] === 0 ? { ...p, negativeSources: ['bm25'] } : p));
    const cal = fitCalibration(pairs, o, 42);
    expect(cal.negatives.drop).toEqual(['bm25']);
    expect(cal.negatives.miners.behavioural!.drop).toBe(false);
  });

  it('refuses too few labels, naming the option', () => {
    expect(() => fitCalibration(world(true).slice(0, 50), o, 42)).toThrow(/calibration.minLabels/);
  });
});

describe('doNoHarm', () => {
  it('warns when a discard rule drops clicks as relevant as those it keeps, and when a source is worse than the base rate', () => {
    const pairs = world(false).map((p, i) => (p.features![ix('clicked')] === 1 && i % 3 === 0 ? { ...p, keptClicks: 0, discarded: { pogo: 1 }, positiveGrade: 0 } : p));
    const h = doNoHarm(pairs, { minJudged: 20, gradingRule: 'relevance', unjudgedNegatives: { fill: 10 } });
    const pogo = h.discards.find((d) => d.rule.includes('pogo'))!;
    expect(pogo.discarded.n).toBeGreaterThan(20);
    // the pogo flag is independent of relevance here, so it is harmful exactly when the discarded share is at least the kept one
    expect(pogo.harmful).toBe(pogo.discarded.rate >= pogo.kept.rate);
    expect(h.warnings.some((w) => w.includes('pogo'))).toBe(pogo.harmful);
    expect(h.baseRate.n).toBe(720);
    expect(h.unjudgedNegatives.fill).toBe(10);
  });

  it('says nothing about a source that is better than the base rate', () => {
    const h = doNoHarm(world(true), { minJudged: 20, gradingRule: 'relevance', unjudgedNegatives: {} });
    expect(h.negatives.behavioural!.harmful).toBe(false);
    expect(h.warnings.filter((w) => w.includes('negatives from'))).toEqual([]);
  });
});
