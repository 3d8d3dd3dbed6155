import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFamilies, familyMergeRules, familyRules } from '../../../../src/stages/families/families.js';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('family rule registry', () => {
  it('merge rules, in run order, are the keys of merges, refused and the merges_ stats', () => {
    expect(familyMergeRules).toEqual(['sameKey', 'reformulation', 'nearDuplicate', 'positiveOverlap', 'coSession', 'coClick']);
    const r = buildFamilies({ queries: [{ query: 'x', count: 1 }] });
    expect(Object.keys(r.merges)).toEqual(familyMergeRules);
    expect(Object.keys(r.refused)).toEqual(familyMergeRules);
    expect(Object.keys(r.stats.out).filter((k) => k.startsWith('merges_'))).toEqual(familyMergeRules.map((m) => `merges_${m}`));
  });
  it('every rule has its own source file and test file (with the contract suite)', () => {
    for (const name of Object.keys(familyRules)) {
      expect(existsSync(join(import.meta.dirname, '../../../../src/stages/families/rules', `${kebab(name)}.ts`)), name).toBe(true);
      expect(existsSync(join(import.meta.dirname, `${kebab(name)}.test.ts`)), name).toBe(true);
    }
  });
  it('times every rule under its lap, enabled or not', () => {
    const r = buildFamilies({ queries: [{ query: 'x', count: 1 }] }, { links: { enabled: false }, sameKey: { enabled: false } });
    expect(Object.keys(r.seconds)).toEqual(['load', 'normalise', ...new Set(Object.values(familyRules).map((x) => x.lap)), 'collect']);
  });
});
