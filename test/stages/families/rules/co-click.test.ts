import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const clicks = (rows: [string, string, number][]) => rows.map(([query, doc_id, c]) => ({ query, doc_id, clicks: c }));
const input = {
  queries: q('a1', 'a2', 'a3', 'b1'),
  clicks: clicks([['a1', 'D1', 3], ['a1', 'D3', 1], ['a2', 'D1', 1], ['a2', 'D3', 1], ['a3', 'D3', 3], ['b1', 'D9', 5], ['b1', 'D3', 1], ['nobody', 'D1', 1]]),
};
const options = { coClick: { cosine: 0.5 } };

familyRuleContract('coClick', { input, options, off: { coClick: { enabled: false } } });

describe('coClick rule', () => {
  it('merges similar click distributions round after round on the summed family vectors', () => {
    const r = runFamilyRule('coClick', input, options);
    expect(r.mergedQueries).toEqual([['a1', 'a2'], ['a1', 'a3']]);
    expect(r.together('a1', 'b1')).toBe(false);
    expect(r.notes).toEqual(['co-click rule: 3 rounds']);
    expect(r.dropped).toEqual({ click_unknown_query: 1 });
  });
  it('maxRounds bounds the rounds; documents clicked by too many families are left out', () => {
    expect(runFamilyRule('coClick', input, { coClick: { cosine: 0.5, maxRounds: 1 } }).merged).toHaveLength(1);
    const r = runFamilyRule('coClick', input, { coClick: { cosine: 0.5, maxDocFamilies: 2 } });
    expect(r.dropped.co_click_doc_too_common).toBe(1);
  });
  it('proposes nothing without click vectors (coSession and coClick both off build none)', () => {
    expect(runFamilyRule('coClick', { queries: input.queries }, options).merged).toEqual([]);
  });
});
