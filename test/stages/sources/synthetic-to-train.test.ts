import { describe, expect, it } from 'vitest';
import { syntheticToTrain } from '../../../src/stages/sources/synthetic-to-train.js';
import type { Split } from '../../../src/stages/splits/splits.js';

// families: F1 synthetic only (dev), F2 synthetic only (test, linked to the real test family F3),
// F3 real + synthetic (test), F4 synthetic only (train), F5 synthetic only (dev, linked to F1 only)
const familyOf = new Map([['s1', 'F1'], ['s2', 'F2'], ['s3', 'F3'], ['r3', 'F3'], ['s4', 'F4'], ['s5', 'F5']]);
const splitOf = new Map<string, Split>([['F1', 'dev'], ['F2', 'test'], ['F3', 'test'], ['F4', 'train'], ['F5', 'dev']]);
const input = { splitOf, familyOf, synthetic: ['s1', 's2', 's3', 's4', 's5'], others: ['r3'], links: [{ a: 'F2', b: 'F3' }, { a: 'F1', b: 'F5' }] };

describe('syntheticToTrain', () => {
  it('moves synthetic-only families to train, keeps a family linked to a held-out real family, leaves shared families alone', () => {
    const r = syntheticToTrain(input);
    expect(Object.fromEntries(r.splitOf)).toEqual({ F1: 'train', F2: 'test', F3: 'test', F4: 'train', F5: 'train' });
    expect(r.stats.in).toEqual({ synthetic_only_families: 4 });
    expect(r.stats.out).toEqual({ already_train: 1, moved_from_dev: 2, moved_from_test: 0, kept_held_out_linked: 1, without_record: 0 });
    const o = r.stats.out;
    expect(o.already_train! + o.moved_from_dev! + o.moved_from_test! + o.kept_held_out_linked! + o.without_record!).toBe(r.stats.in.synthetic_only_families);
  });

  it('counts a synthetic family the split never placed (no training record) and does not touch the input map', () => {
    const r = syntheticToTrain({ ...input, synthetic: [...input.synthetic, 's9'] });
    expect(r.stats.out.without_record).toBe(1);
    expect(splitOf.get('F1')).toBe('dev');
  });
});
