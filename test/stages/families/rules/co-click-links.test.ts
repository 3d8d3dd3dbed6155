import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const clicks = (rows: [string, string, number][]) => rows.map(([query, doc_id, c]) => ({ query, doc_id, clicks: c }));
const input = {
  queries: q('a1', 'a2', 'b1'),
  clicks: clicks([['a1', 'D1', 3], ['a1', 'D3', 1], ['a2', 'D1', 1], ['a2', 'D3', 1], ['b1', 'D9', 5], ['b1', 'D3', 1]]),
};
const options = { links: { cosine: 0.1 } };

familyRuleContract('coClickLinks', { input, options, off: { links: { enabled: false } } });

describe('coClickLinks rule', () => {
  it('links family pairs whose click vectors reach links.cosine', () => {
    const r = runFamilyRule('coClickLinks', input, options);
    expect(r.linkedQueries).toEqual([['a1', 'a2', 'coClick'], ['a2', 'b1', 'coClick']]);
    expect(runFamilyRule('coClickLinks', input, { links: { cosine: 0.8 } }).linkedQueries).toEqual([['a1', 'a2', 'coClick']]);
  });
  it('needs the click vectors, which only coSession or coClick build', () => {
    expect(runFamilyRule('coClickLinks', input, { ...options, coSession: { enabled: false }, coClick: { enabled: false } }).linked).toEqual([]);
  });
});
