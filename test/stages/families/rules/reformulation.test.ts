import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = {
  queries: q('jaguar', 'jaguar car price', 'jaguar habitat'),
  reformulations: [
    { from: 'jaguar', to: 'jaguar car price', count: 1 },
    { from: 'jaguar car price', to: 'jaguar', count: 2 },
    { from: 'jaguar', to: 'jaguar habitat', count: 1 },
    { from: 'jaguar', to: 'not a query', count: 5 },
    { from: 'Jaguar', to: 'jaguar', count: 5 },
  ],
};

familyRuleContract('reformulation', { input, off: { reformulation: { enabled: false } } });

describe('reformulation rule', () => {
  it('merges edges seen minCount times (both directions summed); weaker ones are weak links', () => {
    const r = runFamilyRule('reformulation', input);
    expect(r.mergedQueries).toEqual([['jaguar', 'jaguar car price']]);
    expect(r.linkedQueries).toEqual([['jaguar', 'jaguar habitat', 'reformulation']]);
    expect(r.dropped).toEqual({ reformulation_unknown_query: 1, reformulation_same_query: 1, reformulation_below_min_count: 1 });
  });
  it('minCount 1 merges every known edge', () => {
    const r = runFamilyRule('reformulation', input, { reformulation: { minCount: 1 } });
    expect(r.together('jaguar car price', 'jaguar habitat')).toBe(true);
    expect(r.linked).toEqual([]);
  });
  it('a merge past maxFamilySize is refused and kept as a weak link', () => {
    const r = runFamilyRule('reformulation', input, { reformulation: { minCount: 1 }, maxFamilySize: 2 });
    expect(r.together('jaguar', 'jaguar habitat')).toBe(false);
    expect(r.linkedQueries).toEqual([['jaguar', 'jaguar habitat', 'refused']]);
  });
});
