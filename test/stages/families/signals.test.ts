import { describe, expect, it } from 'vitest';
import { buildFamilies, type FamilyQuery } from '../../../src/stages/families/families.js';

const q = (...qs: string[]): FamilyQuery[] => qs.map((query) => ({ query, count: 1 }));
const together = (r: ReturnType<typeof buildFamilies>, a: string, b: string) => r.familyOf.get(a) === r.familyOf.get(b);
const onlyNew = (extra: Record<string, unknown> = {}) => ({
  sameKey: { enabled: false }, reformulation: { enabled: false }, nearDuplicate: { enabled: false }, positiveOverlap: { enabled: false },
  ...extra,
});
const clicks = (rows: [string, string, number][]) => rows.map(([query, doc_id, c]) => ({ query, doc_id, clicks: c }));

describe('rule (e) co-session after an unsatisfied page', () => {
  const queries = q('vpn keeps dropping', 'why does the internet thing kick me off', 'excel crash', 'printer jam');
  it('merges a pair seen in minSessions sessions even with no word in common', () => {
    const r = buildFamilies({ queries, coSessions: [{ a: 'vpn keeps dropping', b: 'why does the internet thing kick me off', sessions: 2 }] }, onlyNew({ coClick: { enabled: false } }));
    expect(together(r, 'vpn keeps dropping', 'why does the internet thing kick me off')).toBe(true);
    expect(r.merges.coSession).toBe(1);
  });
  it('a single session needs click confirmation; an unconfirmed pair becomes a weak link', () => {
    const input = {
      queries,
      coSessions: [
        { a: 'vpn keeps dropping', b: 'why does the internet thing kick me off', sessions: 1 },
        { a: 'excel crash', b: 'printer jam', sessions: 1 },
      ],
      clicks: clicks([['vpn keeps dropping', 'KB1', 3], ['why does the internet thing kick me off', 'KB1', 1], ['why does the internet thing kick me off', 'KB2', 1], ['excel crash', 'KB3', 1], ['printer jam', 'KB4', 1]]),
    };
    const r = buildFamilies(input, onlyNew({ coClick: { enabled: false } }));
    expect(together(r, 'vpn keeps dropping', 'why does the internet thing kick me off')).toBe(true);
    expect(together(r, 'excel crash', 'printer jam')).toBe(false);
    expect(r.stats.dropped.co_session_unconfirmed).toBe(1);
    expect(r.links).toEqual([{ a: [r.familyOf.get('excel crash')!, r.familyOf.get('printer jam')!].sort()[0], b: [r.familyOf.get('excel crash')!, r.familyOf.get('printer jam')!].sort()[1], reason: 'coSession' }]);
    const strict = buildFamilies(input, onlyNew({ coClick: { enabled: false }, coSession: { confirmCosine: 1.01 } }));
    expect(together(strict, 'vpn keeps dropping', 'why does the internet thing kick me off')).toBe(false);
  });
});

describe('rule (f) agglomerative co-click', () => {
  const queries = q('a1', 'a2', 'a3', 'b1');
  const rows = clicks([
    ['a1', 'D1', 3], ['a1', 'D3', 1],
    ['a2', 'D1', 1], ['a2', 'D3', 1],
    ['a3', 'D3', 3],
    ['b1', 'D9', 5], ['b1', 'D3', 1],
  ]);
  it('merges similar click distributions round after round on family vectors, not dissimilar ones', () => {
    const r = buildFamilies({ queries, clicks: rows }, onlyNew({ coSession: { enabled: false }, coClick: { cosine: 0.5 } }));
    expect(together(r, 'a1', 'a2')).toBe(true);
    expect(together(r, 'a2', 'a3')).toBe(true);
    expect(together(r, 'a1', 'b1')).toBe(false);
    expect(r.merges.coClick).toBe(2);
    // b1 shares D3 with the a-family: too weak to merge, strong enough for a weak link at 0.1
    const linked = buildFamilies({ queries, clicks: rows }, onlyNew({ coSession: { enabled: false }, coClick: { cosine: 0.5 }, links: { cosine: 0.1 } }));
    expect(linked.links.map((l) => l.reason)).toEqual(['coClick']);
  });
  it('is independent of input order and respects the size cap', () => {
    const a = buildFamilies({ queries, clicks: rows }, onlyNew());
    const b = buildFamilies({ queries: [...queries].reverse(), clicks: [...rows].reverse() }, onlyNew());
    expect([...b.familyOf.entries()].sort()).toEqual([...a.familyOf.entries()].sort());
    const capped = buildFamilies({ queries, clicks: rows }, onlyNew({ coSession: { enabled: false }, maxFamilySize: 2 }));
    expect(Math.max(...capped.families.map((f) => f.members.length))).toBe(2);
    expect(capped.refused.coClick).toBeGreaterThan(0);
  });
  it('rejects a bad click row with its index', () => {
    expect(() => buildFamilies({ queries, clicks: [{ query: 'a1', doc_id: 'D1', clicks: -1 }] })).toThrow(/clicks\[0\]/);
  });
});

describe('weak link: the same best positive document', () => {
  const queries = q('dkr lic mac', 'how do i activate the license for docker on macos', 'printer jam');
  const positives = new Map([
    ['dkr lic mac', ['D1', 'D7']],
    ['how do i activate the license for docker on macos', ['D1', 'D2', 'D3']],
    ['printer jam', ['D7']],
  ]);
  // abbreviation links off: 'dkr lic mac' and the question align token by token (tested in abbrev.test.ts)
  const opts = (links: Record<string, unknown> = {}) => onlyNew({ coSession: { enabled: false }, coClick: { enabled: false }, links: { abbreviation: { enabled: false }, ...links } });
  it('links (never merges) families whose best positive is the same document, not those sharing a lower one', () => {
    const r = buildFamilies({ queries, positives }, opts());
    expect(together(r, 'dkr lic mac', 'how do i activate the license for docker on macos')).toBe(false);
    const pair = [r.familyOf.get('dkr lic mac')!, r.familyOf.get('how do i activate the license for docker on macos')!].sort();
    // 'printer jam' shares D7 with the first query, but D7 is not the first query's best positive
    expect(r.links).toEqual([{ a: pair[0], b: pair[1], reason: 'topPositive' }]);
  });
  it('is switchable and capped per document', () => {
    expect(buildFamilies({ queries, positives }, opts({ topPositive: false })).links).toEqual([]);
    const capped = buildFamilies({ queries, positives }, opts({ maxTopPositiveFamilies: 1 }));
    expect(capped.links).toEqual([]);
    expect(capped.stats.dropped.top_positive_doc_too_common).toBe(1);
  });
});
