import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = { queries: q('password reset for okta', 'pasword reset for okta', 'vpn setup', 'vpn setpu', 'iphone 12 pro max case', 'iphone 13 pro max case', 'cat', 'car') };

familyRuleContract('nearDuplicate', { input, off: { nearDuplicate: { enabled: false } } });

describe('nearDuplicate rule', () => {
  it('merges a typo of a long key (trigrams) and of a short key (edit distance), not different numbers or very short keys', () => {
    const r = runFamilyRule('nearDuplicate', input);
    expect(r.together('password reset for okta', 'pasword reset for okta')).toBe(true);
    expect(r.together('vpn setup', 'vpn setpu')).toBe(true);
    expect(r.together('iphone 12 pro max case', 'iphone 13 pro max case')).toBe(false);
    expect(r.together('cat', 'car')).toBe(false);
    expect(r.dropped).toEqual({ near_duplicate_refused_digits: 1 });
    expect(r.notes).toEqual([expect.stringMatching(/^near-duplicate rule: \d+ candidate pairs verified exactly$/)]);
  });
  it('digitsMustMatch false lets numbers differ; shortMaxEdits 0 turns edit distance off', () => {
    const r = runFamilyRule('nearDuplicate', input, { nearDuplicate: { digitsMustMatch: false, shortMaxEdits: 0 } });
    expect(r.together('iphone 12 pro max case', 'iphone 13 pro max case')).toBe(true);
    expect(r.together('vpn setup', 'vpn setpu')).toBe(false);
  });
  it('refuseTokenSwap keeps a swapped word apart as a weak link', () => {
    const r = runFamilyRule('nearDuplicate', { queries: q('aws console install web', 'aws console install win') }, { nearDuplicate: { refuseTokenSwap: true } });
    expect(r.merged).toEqual([]);
    expect(r.linked.map((l) => l[2])).toEqual(['refused']);
    expect(r.dropped).toEqual({ near_duplicate_refused_token_swap: 1 });
  });
  it('counts truncated LSH buckets', () => {
    const many = q(...Array.from({ length: 6 }, (_, i) => `printer driver download ${'x'.repeat(i + 1)}`));
    const r = runFamilyRule('nearDuplicate', { queries: many }, { nearDuplicate: { maxBucketCompare: 1, jaccard: 0.99 } });
    expect(r.dropped.near_duplicate_bucket_truncated).toBeGreaterThan(0);
  });
});
