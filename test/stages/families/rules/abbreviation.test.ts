import { describe, expect, it } from 'vitest';
import { familyRules } from '../../../../src/stages/families/families.js';
import { familyOptions } from '../../../../src/stages/families/options.js';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = {
  queries: q('ngx perm ios', 'nginx permission denied ios', 'dkr lic andr', 'docker license android', 'wlan timeout andr', 'wifi timeout android', 'wlan cert web', 'wifi cert web', 'wlan slow mac', 'wifi slow mac', 'wlan down ios', 'wifi down ios'),
  coSessions: [
    { a: 'wlan cert web', b: 'wifi cert web', sessions: 1 },
    { a: 'wlan slow mac', b: 'wifi slow mac', sessions: 1 },
    { a: 'wlan down ios', b: 'wifi down ios', sessions: 1 },
  ],
};

familyRuleContract('abbreviation', { input, off: { links: { abbreviation: { enabled: false } } } });

describe('abbreviation rule', () => {
  const linked = (r: ReturnType<typeof runFamilyRule>, a: string, b: string) => r.linkedQueries.some(([x, y, why]) => why === 'abbreviation' && [x, y].sort().join() === [a, b].sort().join());
  it('links keys that align token by token through abbreviations, one extra token and mined synonyms', () => {
    const r = runFamilyRule('abbreviation', input);
    expect(linked(r, 'ngx perm ios', 'nginx permission denied ios')).toBe(true);
    expect(linked(r, 'dkr lic andr', 'docker license android')).toBe(true);
    expect(linked(r, 'wlan timeout andr', 'wifi timeout android')).toBe(true);
    expect(linked(r, 'ngx perm ios', 'dkr lic andr')).toBe(false);
    expect(r.notes[0]).toBe('abbreviation links: 1 synonym pairs mined from session pairs');
  });
  it('maxExtraTokens 0 and synonymMinSupport 0 link less', () => {
    const r = runFamilyRule('abbreviation', input, { links: { abbreviation: { maxExtraTokens: 0, synonymMinSupport: 0 } } });
    expect(linked(r, 'ngx perm ios', 'nginx permission denied ios')).toBe(false);
    expect(linked(r, 'wlan timeout andr', 'wifi timeout android')).toBe(false);
    expect(linked(r, 'dkr lic andr', 'docker license android')).toBe(true);
  });
  it('is off when links are off, and counts truncated buckets', () => {
    expect(familyRules.abbreviation.enabled(familyOptions.parse({ links: { enabled: false } }))).toBe(false);
    const many = q(...Array.from({ length: 5 }, (_, i) => `alpha${'x'.repeat(i)} beta`));
    expect(runFamilyRule('abbreviation', { queries: many }, { links: { abbreviation: { maxBucketCompare: 2 } } }).dropped).toEqual({ abbreviation_bucket_truncated: 3 });
  });
});
