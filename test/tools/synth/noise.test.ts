import { describe, expect, it } from 'vitest';
import { ADJACENT, applyNoise, dropWord, recase, typo } from '../../../src/tools/synth/noise.js';
import { createRng } from '../../../src/util/rng.js';

describe('noise', () => {
  it('keyboard adjacency is symmetric and local', () => {
    expect(ADJACENT.s).toContain('a');
    expect(ADJACENT.s).toContain('d');
    expect(ADJACENT.s).not.toContain('p');
    for (const [k, v] of Object.entries(ADJACENT)) for (const c of v) expect(ADJACENT[c]).toContain(k);
  });
  it('a typo changes one word of four letters or more, by at most two characters', () => {
    for (let s = 0; s < 50; s++) {
      const out = typo('vpn password reset', createRng(s));
      expect(out).toBeDefined();
      const a = 'vpn password reset'.split(' '), b = out!.split(' ');
      expect(b[0]).toBe('vpn');
      expect(a.filter((w, i) => w !== b[i]).length).toBe(1);
    }
    expect(typo('vpn ssh', createRng(1))).toBeUndefined();
  });
  it('drop keeps the first word and needs three words; recase changes only casing', () => {
    expect(dropWord('a b', createRng(1))).toBeUndefined();
    const d = dropWord('reset okta password', createRng(3))!;
    expect(d.split(' ')).toHaveLength(2);
    expect(d.startsWith('reset')).toBe(true);
    const c = recase('reset okta password', createRng(5));
    expect(c?.toLowerCase()).toBe('reset okta password');
  });
  it('the rate is the share of queries noised, and the same seed gives the same noise', () => {
    const kinds = { typo: 1, drop: 1, case: 1 };
    let noised = 0;
    for (let i = 0; i < 2000; i++) if (applyNoise('reset okta password now', 0.2, kinds, createRng(`q${i}`)).noise.length > 0) noised++;
    expect(noised / 2000).toBeGreaterThan(0.17);
    expect(noised / 2000).toBeLessThan(0.23);
    expect(applyNoise('reset okta password', 1, kinds, createRng(9))).toEqual(applyNoise('reset okta password', 1, kinds, createRng(9)));
    expect(applyNoise('reset okta password', 0, kinds, createRng(9))).toEqual({ query: 'reset okta password', noise: [] });
  });
});
