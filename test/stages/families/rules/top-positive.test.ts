import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = {
  queries: q('dkr lic mac', 'how do i activate the license for docker on macos', 'printer jam', 'docker licence'),
  positives: new Map([
    ['dkr lic mac', ['D1', 'D7']],
    ['how do i activate the license for docker on macos', ['D1', 'D2', 'D3']],
    ['docker licence', ['D1']],
    ['printer jam', ['D7']],
  ]),
};

familyRuleContract('topPositive', { input, off: { links: { topPositive: false } } });

describe('topPositive rule', () => {
  it('links every pair of families whose best positive is the same document, not those sharing a lower one', () => {
    const r = runFamilyRule('topPositive', input);
    expect(r.linkedQueries).toEqual([
      ['dkr lic mac', 'docker licence', 'topPositive'],
      ['dkr lic mac', 'how do i activate the license for docker on macos', 'topPositive'],
      ['docker licence', 'how do i activate the license for docker on macos', 'topPositive'],
    ]);
  });
  it('a document that is the best positive of more than maxTopPositiveFamilies families links none', () => {
    const r = runFamilyRule('topPositive', input, { links: { maxTopPositiveFamilies: 2 } });
    expect(r.linked).toEqual([]);
    expect(r.dropped).toEqual({ top_positive_doc_too_common: 1 });
  });
});
