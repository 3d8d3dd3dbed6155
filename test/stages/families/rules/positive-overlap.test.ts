import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = {
  queries: q('sso login', 'single sign on', 'expense report', 'a', 'b'),
  positives: new Map<string, string[]>([
    ['sso login', ['d1', 'd2', 'd3']],
    ['single sign on', ['d1', 'd2', 'd3', 'd4']],
    ['expense report', ['d1', 'd7', 'd8']],
    ['a', ['d9']],
    ['b', ['d9']],
    ['unknown query', ['d1', 'd2']],
  ]),
};

familyRuleContract('positiveOverlap', { input, off: { positiveOverlap: { enabled: false } } });

describe('positiveOverlap rule', () => {
  it('merges strongly overlapping positive sets; one shared document or small sets do not', () => {
    const r = runFamilyRule('positiveOverlap', input);
    expect(r.mergedQueries).toEqual([['single sign on', 'sso login']]);
    expect(r.dropped).toEqual({ positives_unknown_query: 1, positives_below_min_size: 2 });
  });
  it('documents positive for more than maxDocQueries queries find no candidates', () => {
    const r = runFamilyRule('positiveOverlap', input, { positiveOverlap: { maxDocQueries: 2, jaccard: 0.5 } });
    expect(r.dropped.positive_doc_too_common).toBe(1);
    expect(r.together('sso login', 'single sign on')).toBe(true);
  });
  it('minPositives 1 and a low threshold join single-document queries', () => {
    expect(runFamilyRule('positiveOverlap', input, { positiveOverlap: { minPositives: 1 } }).together('a', 'b')).toBe(true);
  });
});
