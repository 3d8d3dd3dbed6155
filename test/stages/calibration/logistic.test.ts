import { describe, expect, it } from 'vitest';
import { auc, fitLogistic, logLoss, predictLogistic } from '../../../src/stages/calibration/logistic.js';
import { createRng } from '../../../src/util/rng.js';

describe('logistic regression', () => {
  it('recovers the weights of a simulated logistic model', () => {
    const rng = createRng(1);
    const X: number[][] = [], y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = [rng.normal(), rng.normal(), rng.normal()];
      const z = -0.5 + 1.5 * x[0]! - 1 * x[1]! + 0 * x[2]!;
      X.push(x);
      y.push(rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const m = fitLogistic(X, y, 0);
    // weights are on the standardised scale: divide by sd to compare with the raw coefficients
    const raw = m.weights.map((w, j) => w / m.sd[j]!);
    expect(raw[0]).toBeCloseTo(1.5, 0);
    expect(raw[1]).toBeCloseTo(-1, 0);
    expect(Math.abs(raw[2]!)).toBeLessThan(0.15);
    expect(m.iterations).toBeLessThan(30);
  });

  it('shrinks weights toward 0 as the penalty grows, and pins a constant signal at 0', () => {
    const X = [[0, 1], [1, 1], [2, 1], [3, 1], [0, 1], [3, 1]];
    const y = [0, 0, 1, 1, 1, 0];
    const light = fitLogistic(X, y, 0.01), heavy = fitLogistic(X, y, 100);
    expect(Math.abs(heavy.weights[0]!)).toBeLessThan(Math.abs(light.weights[0]!));
    expect(light.weights[1]).toBe(0);
    // with a heavy penalty the estimate approaches the base rate
    expect(predictLogistic(heavy, [3, 1])).toBeCloseTo(0.5, 1);
  });

  it('stays finite when a signal separates the labels perfectly', () => {
    const m = fitLogistic([[0], [0], [1], [1]], [0, 0, 1, 1], 1);
    expect(Number.isFinite(m.weights[0]!)).toBe(true);
    expect(predictLogistic(m, [1])).toBeGreaterThan(0.6);
  });

  it('AUC counts ties as half, log-loss rewards confident right answers', () => {
    expect(auc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.4, 0.3, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.1, 0.2], [1, 1])).toBeNull();
    expect(logLoss([0.9, 0.1], [1, 0])).toBeLessThan(logLoss([0.6, 0.4], [1, 0]));
  });
});
