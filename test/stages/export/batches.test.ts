import { describe, expect, it } from 'vitest';
import { composeBatches, type BatchItem } from '../../../src/stages/export/batches.js';

const text = (i: number) => `document number ${i} explains topic ${i} with words alpha${i} beta${i} gamma${i} delta${i}`;

function check(items: readonly BatchItem[], order: readonly number[], size: number) {
  for (let b = 0; b < order.length / size; b++) {
    const rows = order.slice(b * size, (b + 1) * size).map((i) => items[i]!);
    expect(new Set(rows.map((r) => r.family)).size, `batch ${b} families`).toBe(size);
    expect(new Set(rows.map((r) => r.positiveId)).size, `batch ${b} positives`).toBe(size);
  }
}

describe('composeBatches', () => {
  it('never puts two rows of one family or one positive in a batch, and accounts for every row', () => {
    const items: BatchItem[] = [];
    for (let f = 0; f < 40; f++) for (let r = 0; r < 1 + (f % 4); r++) items.push({ family: `f${f}`, positiveId: `d${f}_${r % 2}`, positiveText: text(f * 10 + (r % 2)) });
    const plan = composeBatches(items, { batchSize: 8, seed: 1, nearDuplicateJaccard: 0.8 });
    check(items, plan.order, 8);
    expect(plan.order.length % 8).toBe(0);
    expect(plan.order.length + plan.unplacedRows.length).toBe(items.length);
    expect(new Set([...plan.order, ...plan.unplacedRows]).size).toBe(items.length);
    expect(Object.values(plan.unplaced).reduce((a, b) => a + b, 0)).toBe(plan.unplacedRows.length);
  });

  it('keeps near-duplicate positives (an FAQ copy) out of the same batch', () => {
    const items: BatchItem[] = [
      { family: 'a', positiveId: 'faq1', positiveText: 'how to reset your okta token step one open settings step two click reset' },
      { family: 'b', positiveId: 'faq1-copy', positiveText: 'how to reset your okta token step one open settings step two click reset now' },
      { family: 'c', positiveId: 'x', positiveText: text(1) },
      { family: 'd', positiveId: 'y', positiveText: text(2) },
    ];
    const plan = composeBatches(items, { batchSize: 2, seed: 3, nearDuplicateJaccard: 0.7 });
    expect(plan.positiveDuplicateClusters).toBe(1);
    for (let b = 0; b < plan.batches; b++) {
      const ids = plan.order.slice(b * 2, b * 2 + 2).map((i) => items[i]!.positiveId);
      expect(ids.includes('faq1') && ids.includes('faq1-copy')).toBe(false);
    }
  });

  it('reports rows that cannot be placed: one family with more rows than there are batches', () => {
    const items: BatchItem[] = [];
    for (let r = 0; r < 6; r++) items.push({ family: 'big', positiveId: `b${r}`, positiveText: text(100 + r) });
    items.push({ family: 'small', positiveId: 's', positiveText: text(200) });
    const plan = composeBatches(items, { batchSize: 2, seed: 1, nearDuplicateJaccard: 0.8 });
    expect(plan.batches).toBe(1);
    expect(plan.unplaced.same_family).toBeGreaterThan(0);
    expect(plan.order.length + plan.unplacedRows.length).toBe(7);
  });

  it('is deterministic for a seed', () => {
    const items: BatchItem[] = Array.from({ length: 50 }, (_, i) => ({ family: `f${i % 13}`, positiveId: `d${i}`, positiveText: text(i) }));
    const a = composeBatches(items, { batchSize: 4, seed: 9, nearDuplicateJaccard: 0.8 });
    const b = composeBatches(items, { batchSize: 4, seed: 9, nearDuplicateJaccard: 0.8 });
    expect(a).toEqual(b);
    check(items, a.order, 4);
  });
});
