import { describe, expect, it } from 'vitest';
import { createAmbiguityFilter } from '../../../src/stages/false-negatives/ambiguity.js';
import { createClickVetoFilter } from '../../../src/stages/false-negatives/click-veto.js';
import { createJudgeFilter } from '../../../src/stages/false-negatives/judge.js';
import { createNearDuplicateFilter } from '../../../src/stages/false-negatives/near-duplicate.js';
import { falseNegativeOptions } from '../../../src/stages/false-negatives/options.js';
import { createPositiveAwareFilter, positiveAwareCeiling } from '../../../src/stages/false-negatives/positive-aware.js';
import { createPreferBehaviouralFilter } from '../../../src/stages/false-negatives/prefer-behavioural.js';
import { createSameFieldFilter } from '../../../src/stages/false-negatives/same-field.js';
import type { Judge } from '../../../src/ports/index.js';
import type { FilterCandidate, FilterRecord } from '../../../src/stages/false-negatives/types.js';
import { doc, ev, multi } from '../negatives/fixtures.js';

const F = falseNegativeOptions.parse({});
const docs = [
  doc('p', 'to reset your okta token open the admin console choose security then tokens and press revoke before creating a new token', { entity: 'okta', category: 'it' }),
  doc('faq', 'FAQ: to reset your okta token open the admin console choose security then tokens and press revoke before creating a new token!', { category: 'it' }),
  doc('copy', 'To reset your Okta token, open the admin console; choose security, then tokens, and press revoke before creating a new token.'),
  doc('okta-page', 'okta status page and outage history', { entity: 'okta', category: 'it' }),
  doc('vpn', 'install the vpn client on a new laptop', { category: 'it' }),
];
const cand = (i: number, x: Partial<FilterCandidate> = {}): FilterCandidate => ({ doc: i, doc_id: docs[i]!.doc_id, text: docs[i]!.text, source: 'bm25', rank: 1, score: 0, bm25: 0, ...x });
const rec = (x: Partial<FilterRecord> = {}): FilterRecord => ({
  query: 'reset okta token', query_norm: 'reset okta token', family: 'fam-okta', positives: [{ doc: 0, doc_id: 'p', text: docs[0]!.text, score: 10 }], bm25Max: 10, perRecord: 2, ...x,
});
const codes = (r: readonly ({ code: string } | null)[]) => r.map((x) => x?.code ?? null);

describe('click-evidence veto', () => {
  const familyOf = new Map([['reset okta token', 'fam-okta'], ['okta token reset howto', 'fam-okta'], ['vpn', 'fam-vpn']]);
  const evidence = [
    ev('okta token reset howto', 'okta-page', { satisfied: 1, clicks: 1, grade: 2 }), // reformulation in the family, satisfied
    ev('reset okta token', 'vpn', { clicks: 1, grade: 1 }), // a weak click: not enough to veto
    ev('vpn', 'faq', { converted: 1, grade: 3 }), // another family
    ev('reset okta token', 'copy', { converted: 1, grade: 1 }), // converted, low grade
  ];
  const positives = [multi('okta token reset howto', [{ doc_id: 'faq', text: docs[1]!.text }])];
  it('vetoes docs with satisfied/converted/graded evidence or positives anywhere in the family, keeps the rest', async () => {
    const f = createClickVetoFilter(F.clickVeto, { evidence, positives, familyOf });
    expect(codes(await f.apply(rec(), [cand(3), cand(4), cand(1), cand(2)]))).toEqual(['click_evidence', null, 'click_evidence', 'click_evidence']);
  });
  it('without families only the same query counts', async () => {
    const f = createClickVetoFilter({ ...F.clickVeto, useFamilies: false }, { evidence, positives, familyOf });
    expect(codes(await f.apply(rec(), [cand(3), cand(4), cand(1), cand(2)]))).toEqual([null, null, null, 'click_evidence']);
  });
  describe('session scope', () => {
    // "vpn" was clicked for "okta login broken", a query of the same session as the record's query (another family)
    const sessionCoClicks = new Map([['reset okta token\tvpn', 'okta login broken'], ['vpn\tokta-page', 'reset okta token']]);
    it('vetoes a doc clicked for another query of a shared session, for the record query only', async () => {
      const f = createClickVetoFilter(F.clickVeto, { evidence, positives, familyOf, sessionCoClicks });
      const r = await f.apply(rec(), [cand(3), cand(4), cand(1), cand(2)]);
      expect(codes(r)).toEqual(['click_evidence', 'session_click', 'click_evidence', 'click_evidence']);
      expect(r[1]!.detail).toBe('clicked for "okta login broken" in the same session');
      // the key is the record's query_norm, not its family: another query of the family is not vetoed
      expect(codes(await f.apply(rec({ query: 'okta token reset howto', query_norm: 'okta token reset howto' }), [cand(4)]))).toEqual([null]);
    });
    it('keeps the family reason when both apply, and does nothing when off or without co-clicks', async () => {
      const both = new Map([['reset okta token\tokta-page', 'okta login broken']]);
      const f = createClickVetoFilter(F.clickVeto, { evidence, positives, familyOf, sessionCoClicks: both });
      expect(codes(await f.apply(rec(), [cand(3)]))).toEqual(['click_evidence']);
      const off = createClickVetoFilter({ ...F.clickVeto, sessionScope: false }, { evidence, positives, familyOf, sessionCoClicks });
      expect(codes(await off.apply(rec(), [cand(4)]))).toEqual([null]);
      const none = createClickVetoFilter(F.clickVeto, { evidence, positives, familyOf });
      expect(codes(await none.apply(rec(), [cand(4)]))).toEqual([null]);
    });
    it('is on by default', () => {
      expect(F.clickVeto.sessionScope).toBe(true);
    });
  });
});

describe('same field', () => {
  it('drops the same entity as a positive by default, not the same category', async () => {
    const f = createSameFieldFilter(F.sameField, docs);
    expect(codes(await f.apply(rec(), [cand(3), cand(4)]))).toEqual(['same_entity', null]);
    const g = createSameFieldFilter({ ...F.sameField, fields: ['category'] }, docs);
    expect(codes(await g.apply(rec(), [cand(3), cand(4)]))).toEqual(['same_category', 'same_category']);
  });
});

describe('near-duplicate', () => {
  it('removes a FAQ copy (near) and a reformatted copy (exact), keeps a different doc, and reports clusters', async () => {
    const f = createNearDuplicateFilter(F.nearDuplicate, docs);
    const r = await f.apply(rec(), [cand(1), cand(2), cand(3)]);
    expect(codes(r)).toEqual(['near_duplicate', 'exact_duplicate', null]);
    expect(f.clusters!.clusters).toBe(1);
    expect(f.clusters!.largest).toBe(3);
  });
  it('works for a positive that is not in the corpus, and the threshold is respected', async () => {
    const f = createNearDuplicateFilter({ ...F.nearDuplicate, corpusClusters: false, exact: false }, docs);
    const r0 = rec({ positives: [{ doc: -1, doc_id: 'x', text: docs[0]!.text, score: 1 }] });
    expect(codes(await f.apply(r0, [cand(1), cand(2), cand(4)]))).toEqual(['near_duplicate', 'near_duplicate', null]);
    expect(f.clusters).toBeUndefined();
    const strict = createNearDuplicateFilter({ ...F.nearDuplicate, threshold: 0.99, exact: false }, docs);
    expect(codes(await strict.apply(rec(), [cand(1)]))).toEqual([null]);
  });
});

describe('positive-aware threshold', () => {
  const f = createPositiveAwareFilter(F.positiveAware);
  it('drops a negative at 96% of the lowest positive, keeps one at 90%', async () => {
    const r = rec({ positives: [{ doc: 0, doc_id: 'p', text: '', score: 10 }, { doc: -1, doc_id: 'q', text: '', score: 20 }] });
    expect(codes(await f.apply(r, [cand(3, { score: 9.6 }), cand(4, { score: 9 }), cand(1, { score: 25 })]))).toEqual(['too_close_to_positive', null, 'too_close_to_positive']);
  });
  it('handles negative scores: the ceiling stays below the positive', async () => {
    expect(positiveAwareCeiling(-0.2, 0.95, null)).toBeCloseTo(-0.21, 10);
    expect(positiveAwareCeiling(0.5, 0.95, 0.1)).toBeCloseTo(0.4, 10);
    const r = rec({ positives: [{ doc: 0, doc_id: 'p', text: '', score: -0.2 }] });
    // -0.195 outscores the positive: dropped (a naive 0.95 x -0.2 = -0.19 ceiling would keep it).
    expect(codes(await f.apply(r, [cand(3, { score: -0.195 }), cand(4, { score: -0.25 })]))).toEqual(['too_close_to_positive', null]);
  });
  it('absolute margin alone', async () => {
    const g = createPositiveAwareFilter({ ...F.positiveAware, relative: null, absoluteMargin: 0.5 });
    expect(codes(await g.apply(rec(), [cand(3, { score: 9.6 }), cand(4, { score: 9.4 })]))).toEqual(['too_close_to_positive', null]);
  });
});

describe('ambiguity', () => {
  it('drops only when lexical AND semantic similarity are both high', async () => {
    const f = createAmbiguityFilter(F.ambiguity);
    const r = await f.apply(rec({ bm25Max: 10 }), [cand(1, { bm25: 9, cosine: 0.9 }), cand(2, { bm25: 9, cosine: 0.5 }), cand(3, { bm25: 3, cosine: 0.95 }), cand(4, { bm25: 9 })]);
    expect(codes(r)).toEqual(['ambiguous', null, null, null]);
  });
});

describe('judge', () => {
  const judge: Judge = { id: 'fake', judge: (_q, d) => Promise.resolve(d.map((x) => (x.doc_id === 'faq' ? true : x.doc_id === 'vpn' ? null : false))), close: async () => undefined };
  it('drops judged-relevant, counts unparsable without guessing, respects maxPerRecord', async () => {
    const f = createJudgeFilter({ ...F.judge, maxPerRecord: 3 }, judge);
    expect(codes(await f.apply(rec(), [cand(1), cand(4), cand(3), cand(2)]))).toEqual(['judged_relevant', null, null, null]);
    expect(f.counts).toEqual({ judged: 3, unparsable: 1, unjudged: 1 });
    const g = createJudgeFilter({ ...F.judge, onUnparsable: 'drop' }, judge);
    expect(codes(await g.apply(rec(), [cand(4)]))).toEqual(['judge_unparsable']);
  });
  it('rejects a judge that answers the wrong number of documents', async () => {
    const bad: Judge = { judge: () => Promise.resolve([true]), close: async () => undefined };
    await expect(createJudgeFilter(F.judge, bad).apply(rec(), [cand(1), cand(2)])).rejects.toThrow(/one answer per document/);
  });
});

describe('prefer behavioural', () => {
  const f = createPreferBehaviouralFilter();
  it('drops merely-unclicked candidates only when enough stronger ones remain', async () => {
    const cs = [cand(1, { source: 'behavioural', behaviour: 'skip_above' }), cand(2, { source: 'behavioural', behaviour: 'unclicked' }), cand(3)];
    expect(codes(await f.apply(rec({ perRecord: 2 }), cs))).toEqual([null, 'unclicked_not_needed', null]);
    expect(codes(await f.apply(rec({ perRecord: 3 }), cs))).toEqual([null, null, null]);
  });
});
