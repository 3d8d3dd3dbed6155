import { describe, expect, it } from 'vitest';
import { abbreviationAligned, initialsSignature, tokenSwapped, tokensAlign } from '../../../src/stages/families/abbrev.js';
import { buildFamilies, type FamilyQuery } from '../../../src/stages/families/families.js';

const o = { minChars: 2, typoMinChars: 4, maxExtraTokens: 1 };
const q = (...qs: string[]): FamilyQuery[] => qs.map((query) => ({ query, count: 1 }));
const onlyAbbrev = (abbreviation: Record<string, unknown> = {}) => ({
  reformulation: { enabled: false }, nearDuplicate: { enabled: false }, positiveOverlap: { enabled: false },
  coSession: { enabled: false }, coClick: { enabled: false }, links: { topPositive: false, abbreviation },
});

describe('tokensAlign', () => {
  it('equal, subsequence abbreviations with the same first letter, one-edit typos', () => {
    expect(tokensAlign('docker', 'docker', o)).toBe(true);
    expect(tokensAlign('dkr', 'docker', o)).toBe(true);
    expect(tokensAlign('lic', 'license', o)).toBe(true);
    expect(tokensAlign('andr', 'android', o)).toBe(true);
    expect(tokensAlign('android', 'andr', o)).toBe(true);
    expect(tokensAlign('ecxel', 'excel', o)).toBe(true);
  });
  it('refuses other first letters, non-subsequences, too-short abbreviations, short typos and digits', () => {
    expect(tokensAlign('xls', 'excel', o)).toBe(false);
    expect(tokensAlign('slow', 'sync', o)).toBe(false);
    expect(tokensAlign('web', 'windows', o)).toBe(false);
    expect(tokensAlign('d', 'docker', o)).toBe(false);
    expect(tokensAlign('mac', 'max', o)).toBe(false); // 3 chars: below typoMinChars
    expect(tokensAlign('v2', 'v23', o)).toBe(false);
    expect(tokensAlign('dkr', 'docker', { ...o, minChars: 4 })).toBe(false);
    expect(tokensAlign('ecxel', 'excel', { ...o, typoMinChars: 0 })).toBe(false);
  });
});

describe('abbreviationAligned', () => {
  it('every token of the shorter list matches a distinct token; at most maxExtraTokens left over', () => {
    expect(abbreviationAligned(['ngx', 'perm', 'io'], ['nginx', 'permiss', 'deni', 'io'], o)).toBe(true);
    expect(abbreviationAligned(['ngx', 'perm', 'io'], ['nginx', 'permiss', 'deni', 'mac'], o)).toBe(false);
    expect(abbreviationAligned(['ngx', 'perm', 'io'], ['nginx', 'permiss', 'deni', 'io'], { ...o, maxExtraTokens: 0 })).toBe(false);
    expect(abbreviationAligned(['ngx', 'io'], ['nginx', 'permiss', 'deni', 'io'], o)).toBe(false);
    // distinct tokens: "sl" and "slo" cannot both take "slow"
    expect(abbreviationAligned(['sl', 'slo'], ['slow', 'mac'], o)).toBe(false);
    expect(abbreviationAligned(['sl', 'slo'], ['slack', 'slow'], o)).toBe(true);
  });
  it('initials signature is order independent', () => {
    expect(initialsSignature(['perm', 'ngx', 'io'])).toBe('inp');
    expect(initialsSignature(['io', 'nginx', 'permiss'])).toBe('inp');
  });
});

describe('buildFamilies: abbreviation links', () => {
  it('links (never merges) abbreviated and full forms of one need, not other platforms', () => {
    const r = buildFamilies({ queries: q('ngx perm ios', 'nginx permission denied ios', 'nginx permission denied mac', 'dkr lic andr', 'docker license android') }, onlyAbbrev());
    const fam = (s: string) => r.familyOf.get(s)!;
    expect(r.families).toHaveLength(5);
    const pairs = r.links.map((l) => [l.a, l.b].sort().join(' ') + ' ' + l.reason).sort();
    const want = [
      [fam('ngx perm ios'), fam('nginx permission denied ios')].sort().join(' ') + ' abbreviation',
      [fam('dkr lic andr'), fam('docker license android')].sort().join(' ') + ' abbreviation',
    ].sort();
    expect(pairs).toEqual(want);
    expect(buildFamilies({ queries: q('ngx perm ios', 'nginx permission denied ios') }, onlyAbbrev({ enabled: false })).links).toEqual([]);
  });
  it('counts truncated buckets', () => {
    const many = Array.from({ length: 5 }, (_, i) => `alpha${'x'.repeat(i)} beta`);
    const r = buildFamilies({ queries: q(...many) }, onlyAbbrev({ maxBucketCompare: 2 }));
    expect(r.stats.dropped.abbreviation_bucket_truncated).toBe(3);
  });
});

describe('buildFamilies: synonyms mined from session pairs', () => {
  // three different query pairs where "wlan" stands in for "wifi"; coSession rule off so they stay apart
  const coSessions = [
    { a: 'wlan cert web', b: 'wifi cert web', sessions: 1 },
    { a: 'wlan slow mac', b: 'wifi slow mac', sessions: 1 },
    { a: 'wlan down ios', b: 'wifi down ios', sessions: 1 },
  ];
  const queries = q('wlan timeout andr', 'wifi timeout android', ...coSessions.flatMap((e) => [e.a, e.b]));
  const linked = (r: ReturnType<typeof buildFamilies>, x: string, y: string) =>
    r.links.some((l) => l.reason === 'abbreviation' && [l.a, l.b].sort().join() === [r.familyOf.get(x)!, r.familyOf.get(y)!].sort().join());
  it('mutual best partners seen in >= synonymMinSupport pairs align ("wlan timeout andr" ~ "wifi timeout android")', () => {
    const r = buildFamilies({ queries, coSessions }, onlyAbbrev());
    expect(linked(r, 'wlan timeout andr', 'wifi timeout android')).toBe(true);
    expect((r.stats.notes ?? []).some((n) => n.includes('1 synonym pairs'))).toBe(true);
    expect(linked(buildFamilies({ queries, coSessions }, onlyAbbrev({ synonymMinSupport: 4 })), 'wlan timeout andr', 'wifi timeout android')).toBe(false);
    expect(linked(buildFamilies({ queries, coSessions }, onlyAbbrev({ synonymMinSupport: 0 })), 'wlan timeout andr', 'wifi timeout android')).toBe(false);
  });
  it('a token whose best partner prefers another token is not a synonym (no chains)', () => {
    // "wlan" pairs with "wifi" 3 times and with "web" once; "web" pairs with "browser" 3 times
    const more = [...coSessions, { a: 'wlan x1', b: 'web x1', sessions: 1 },
      { a: 'browser a b', b: 'web a b', sessions: 1 }, { a: 'browser c d', b: 'web c d', sessions: 1 }, { a: 'browser e f', b: 'web e f', sessions: 1 }];
    const qs = q('wlan timeout andr', 'wifi timeout android', 'wlan crash', 'web crash', 'browser notif', 'web notif', ...more.flatMap((e) => [e.a, e.b]));
    const r = buildFamilies({ queries: qs, coSessions: more }, onlyAbbrev());
    expect(linked(r, 'wlan timeout andr', 'wifi timeout android')).toBe(true);
    expect(linked(r, 'browser notif', 'web notif')).toBe(true);
    expect(linked(r, 'wlan crash', 'web crash')).toBe(false);
  });
});

describe('tokenSwapped', () => {
  const t = (s: string) => s.split(' ');
  it('a word replaced by an unrelated one is a swap; typos, abbreviations, extra words and split words are not', () => {
    expect(tokenSwapped(t('aws consol instal web'), t('aws consol instal win'), o)).toBe(true);
    expect(tokenSwapped(t('expir okta token win'), t('expir kafka token win'), o)).toBe(true);
    expect(tokenSwapped(t('crash io zoom'), t('crash io zpom'), o)).toBe(false);
    expect(tokenSwapped(t('deni lnx permiss printer'), t('deni linux permiss printer'), o)).toBe(false);
    expect(tokenSwapped(t('okta reset token'), t('error okta reset token'), o)).toBe(false);
    expect(tokenSwapped(t('fi mac slow wi'), t('mac slow wifi'), o)).toBe(false);
    expect(tokenSwapped(t('okta reset token'), t('okta reset token'), o)).toBe(false);
    // repeated tokens count as a multiset
    expect(tokenSwapped(t('a a b'), t('a b c'), o)).toBe(true);
  });
});
