import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const input = { queries: q('How do I reset my Okta token?', 'okta tokens reset', 'reset vpn', 'Reset VPN!') };

familyRuleContract('sameKey', { input, off: { sameKey: { enabled: false } } });

describe('sameKey rule', () => {
  it('joins queries with equal family keys, each to the first query of its key', () => {
    const r = runFamilyRule('sameKey', input);
    expect(r.together('How do I reset my Okta token?', 'okta tokens reset')).toBe(true);
    expect(r.together('reset vpn', 'Reset VPN!')).toBe(true);
    expect(r.together('okta tokens reset', 'reset vpn')).toBe(false);
    expect(r.merged).toHaveLength(2);
  });
  it('is never refused by maxFamilySize', () => {
    const r = runFamilyRule('sameKey', { queries: q('vpn reset', 'reset vpn', 'Reset VPN', 'VPN reset!') }, { maxFamilySize: 1 });
    expect(r.together('vpn reset', 'VPN reset!')).toBe(true);
    expect(r.linked).toEqual([]);
  });
});
