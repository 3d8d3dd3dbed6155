import { describe, expect, it } from 'vitest';
import { buildFamilies, type FamilyQuery } from '../../../src/stages/families/families.js';
import { jaccardSorted, trigramSet } from '../../../src/text/minhash.js';
import { osaDistance } from '../../../src/stages/families/edit-distance.js';
import { createRng } from '../../../src/util/rng.js';

const q = (...qs: string[]): FamilyQuery[] => qs.map((query) => ({ query, count: 1 }));
const together = (r: ReturnType<typeof buildFamilies>, a: string, b: string) => r.familyOf.get(a) === r.familyOf.get(b);
const only = (rule: 'sameKey' | 'reformulation' | 'nearDuplicate' | 'positiveOverlap') => ({
  sameKey: { enabled: rule === 'sameKey' },
  reformulation: { enabled: rule === 'reformulation' },
  nearDuplicate: { enabled: rule === 'nearDuplicate' },
  positiveOverlap: { enabled: rule === 'positiveOverlap' },
});

describe('minhash helpers', () => {
  it('trigram Jaccard and edit distance', () => {
    expect(jaccardSorted(trigramSet('password reset'), trigramSet('password reset'))).toBe(1);
    expect(jaccardSorted(trigramSet('password reset'), trigramSet('banana split'))).toBe(0);
    expect(osaDistance('setup', 'setpu', 1)).toBe(1);
    expect(osaDistance('setup', 'stuff', 1)).toBe(2);
  });
});

describe('buildFamilies rules', () => {
  it('(a) equal family keys merge; different keys do not', () => {
    const r = buildFamilies({ queries: q('How do I reset my Okta token?', 'okta tokens reset', 'reset vpn') }, only('sameKey'));
    expect(together(r, 'How do I reset my Okta token?', 'okta tokens reset')).toBe(true);
    expect(together(r, 'okta tokens reset', 'reset vpn')).toBe(false);
    expect(r.merges.sameKey).toBe(1);
    expect(r.stats.out.merges_sameKey).toBe(1);
  });
  it('(b) reformulations at or above minCount merge; weaker edges are counted drops', () => {
    const r = buildFamilies({
      queries: q('jaguar', 'jaguar car price', 'jaguar habitat'),
      reformulations: [
        { from: 'jaguar', to: 'jaguar car price', count: 1 },
        { from: 'jaguar car price', to: 'jaguar', count: 2 },
        { from: 'jaguar', to: 'jaguar habitat', count: 1 },
        { from: 'jaguar', to: 'not a query', count: 5 },
      ],
    }, only('reformulation'));
    expect(together(r, 'jaguar', 'jaguar car price')).toBe(true);
    expect(together(r, 'jaguar', 'jaguar habitat')).toBe(false);
    expect(r.merges.reformulation).toBe(1);
    expect(r.stats.dropped.reformulation_below_min_count).toBe(1);
    expect(r.stats.dropped.reformulation_unknown_query).toBe(1);
  });
  it('(c) near-duplicates merge (typos, long and short); different numbers and distant strings do not', () => {
    const r = buildFamilies({
      queries: q('password reset for okta', 'pasword reset for okta', 'vpn setup', 'vpn setpu', 'iphone 12 pro max case', 'iphone 13 pro max case', 'printer driver download', 'cat', 'car'),
    }, only('nearDuplicate'));
    expect(together(r, 'password reset for okta', 'pasword reset for okta')).toBe(true);
    expect(together(r, 'vpn setup', 'vpn setpu')).toBe(true);
    expect(together(r, 'iphone 12 pro max case', 'iphone 13 pro max case')).toBe(false);
    expect(r.stats.dropped.near_duplicate_refused_digits).toBe(1);
    expect(together(r, 'password reset for okta', 'printer driver download')).toBe(false);
    expect(together(r, 'cat', 'car')).toBe(false);
    expect(r.merges.nearDuplicate).toBe(2);
  });
  it('(c) refuses a swapped word (another product or platform), keeps typos, abbreviations and extra words', () => {
    const qs = q('aws console install web', 'aws console install win', 'printer permission denied on lnx', 'printer permission denied on linux', 'zoom client crash on startup ios', 'zpom client crash on startup ios', 'okta verify push token expired windows desktop', 'kafka verify push token expired windows desktop');
    const r = buildFamilies({ queries: qs }, { ...only('nearDuplicate'), nearDuplicate: { enabled: true, refuseTokenSwap: true } });
    expect(together(r, 'aws console install web', 'aws console install win')).toBe(false);
    expect(together(r, 'okta verify push token expired windows desktop', 'kafka verify push token expired windows desktop')).toBe(false);
    expect(together(r, 'printer permission denied on lnx', 'printer permission denied on linux')).toBe(true);
    expect(together(r, 'zoom client crash on startup ios', 'zpom client crash on startup ios')).toBe(true);
    expect(r.stats.dropped.near_duplicate_refused_token_swap).toBe(2);
    // a refused pair stays a weak link, so the splits' purge still sees it
    const fa = r.familyOf.get('aws console install web')!, fb = r.familyOf.get('aws console install win')!;
    expect(r.links).toContainEqual({ a: fa < fb ? fa : fb, b: fa < fb ? fb : fa, reason: 'refused' });
    // off (the default): the swapped pairs merge (their trigram Jaccard passes)
    const off = buildFamilies({ queries: qs }, only('nearDuplicate'));
    expect(together(off, 'aws console install web', 'aws console install win')).toBe(true);
    expect(together(off, 'okta verify push token expired windows desktop', 'kafka verify push token expired windows desktop')).toBe(true);
  });
  it('(d) strongly overlapping positive sets merge; one shared doc or small sets do not', () => {
    const positives = new Map<string, string[]>([
      ['sso login', ['d1', 'd2', 'd3']],
      ['single sign on', ['d1', 'd2', 'd3', 'd4']],
      ['expense report', ['d1', 'd7', 'd8']],
      ['a', ['d9']],
      ['b', ['d9']],
    ]);
    const r = buildFamilies({ queries: q('sso login', 'single sign on', 'expense report', 'a', 'b'), positives }, only('positiveOverlap'));
    expect(together(r, 'sso login', 'single sign on')).toBe(true);
    expect(together(r, 'sso login', 'expense report')).toBe(false);
    expect(together(r, 'a', 'b')).toBe(false);
    expect(r.merges.positiveOverlap).toBe(1);
  });
});

describe('buildFamilies guards and determinism', () => {
  it('refuses merges beyond maxFamilySize, counts them and reports the largest family', () => {
    const qs = Array.from({ length: 10 }, (_, i) => `q${i}`);
    const reformulations = qs.slice(1).map((to, i) => ({ from: qs[i]!, to, count: 5 }));
    const r = buildFamilies({ queries: q(...qs), reformulations }, { maxFamilySize: 4 });
    expect(Math.max(...r.families.map((f) => f.members.length))).toBe(4);
    expect(r.refused.reformulation).toBeGreaterThan(0);
    expect(r.stats.dropped.merge_refused_cap_reformulation).toBe(r.refused.reformulation);
    expect(r.largest[0]!.size).toBe(4);
    expect(r.stats.notes!.some((n) => n.includes('maxFamilySize=4'))).toBe(true);
  });
  it('same families and ids whatever the input order; counts add up', () => {
    const rng = createRng(7);
    const base = ['how to reset okta token', 'okta token reset', 'pasword reset for okta', 'password reset for okta', 'vpn setup', 'vpn setpu', 'q1', 'q2', 'q3', 'expense report'];
    const input = base.map((query, i) => ({ query, count: i + 1, firstTs: 1000 - i }));
    const refs = [{ from: 'q1', to: 'q2', count: 3 }, { from: 'q2', to: 'q3', count: 3 }];
    const a = buildFamilies({ queries: input, reformulations: refs }, { maxFamilySize: 2 });
    for (let t = 0; t < 5; t++) {
      const shuffled = [...input];
      for (let i = shuffled.length - 1; i > 0; i--) { const j = rng.int(i + 1); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
      const b = buildFamilies({ queries: shuffled, reformulations: [...refs].reverse() }, { maxFamilySize: 2 });
      expect([...b.familyOf.entries()].sort()).toEqual([...a.familyOf.entries()].sort());
      expect(b.families).toEqual(a.families);
    }
    expect(a.families.reduce((s, f) => s + f.members.length, 0)).toBe(base.length);
    expect(a.families.reduce((s, f) => s + f.count, 0)).toBe(55);
    const okta = a.families.find((f) => f.members.includes('okta token reset'))!;
    expect(okta.firstTs).toBe(999);
    expect(okta.id).toMatch(/^f[0-9a-f]{16}$/);
  });
  it('merges duplicate query rows and rejects bad rows with a clear message', () => {
    const r = buildFamilies({ queries: [{ query: 'x', count: 1 }, { query: 'x', count: 2 }] });
    expect(r.families[0]!.count).toBe(3);
    expect(r.stats.dropped.duplicate_query_row_merged).toBe(1);
    expect(() => buildFamilies({ queries: [{ query: 'x', count: -1 }] })).toThrow(/queries\[0\].*count -1/);
  });
});
