import { describe, expect, it } from 'vitest';
import { BigNumberMap } from '../../src/util/big-map.js';

describe('BigNumberMap', () => {
  it('gets what was set, across shards, and counts distinct keys', () => {
    const m = new BigNumberMap(3);
    const keys = [0, 1, 2, 3, 5, 2 ** 26 * 7 + 11, 2 ** 52 + 3];
    keys.forEach((k, i) => m.set(k, i));
    keys.forEach((k, i) => expect(m.get(k)).toBe(i));
    expect(m.get(4)).toBeUndefined();
    m.set(3, 99); // overwrite: same size
    expect(m.get(3)).toBe(99);
    expect(m.size).toBe(keys.length);
  });

  it('agrees with a Map on a seeded stream of sets and gets', () => {
    const m = new BigNumberMap(7);
    const ref = new Map<number, number>();
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const key = x % 5000;
      if (i % 3 === 0) { m.set(key, i); ref.set(key, i); } else expect(m.get(key)).toBe(ref.get(key));
    }
    expect(m.size).toBe(ref.size);
  });
});
