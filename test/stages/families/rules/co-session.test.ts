import { describe, expect, it } from 'vitest';
import { familyRuleContract, runFamilyRule } from '../family-rule-contract.js';

const q = (...qs: string[]) => qs.map((query) => ({ query, count: 1 }));
const clicks = (rows: [string, string, number][]) => rows.map(([query, doc_id, c]) => ({ query, doc_id, clicks: c }));
const input = {
  queries: q('vpn keeps dropping', 'why does the internet thing kick me off', 'excel crash', 'printer jam', 'wifi slow', 'network is slow'),
  coSessions: [
    { a: 'vpn keeps dropping', b: 'why does the internet thing kick me off', sessions: 1 },
    { a: 'excel crash', b: 'printer jam', sessions: 1 },
    { a: 'wifi slow', b: 'network is slow', sessions: 1 },
    { a: 'network is slow', b: 'wifi slow', sessions: 1 },
    { a: 'wifi slow', b: 'no such query', sessions: 4 },
  ],
  clicks: clicks([['vpn keeps dropping', 'KB1', 3], ['why does the internet thing kick me off', 'KB1', 1], ['why does the internet thing kick me off', 'KB2', 1], ['excel crash', 'KB3', 1], ['printer jam', 'KB4', 1]]),
};

familyRuleContract('coSession', { input, off: { coSession: { enabled: false } } });

describe('coSession rule', () => {
  it('merges pairs in minSessions sessions (summed), or in one when click vectors confirm; the rest are weak links', () => {
    const r = runFamilyRule('coSession', input);
    expect(r.mergedQueries).toEqual([['network is slow', 'wifi slow'], ['vpn keeps dropping', 'why does the internet thing kick me off']]);
    expect(r.linkedQueries).toEqual([['excel crash', 'printer jam', 'coSession']]);
    expect(r.dropped).toEqual({ co_session_unknown_query: 1, co_session_unconfirmed: 1 });
  });
  it('confirmCosine above 1 turns the confirmation off', () => {
    const r = runFamilyRule('coSession', input, { coSession: { confirmCosine: 1.01 } });
    expect(r.together('vpn keeps dropping', 'why does the internet thing kick me off')).toBe(false);
    expect(r.dropped.co_session_unconfirmed).toBe(2);
  });
  it('rejects a bad pair with its index', () => {
    expect(() => runFamilyRule('coSession', { queries: input.queries, coSessions: [{ a: 'x', b: 'y', sessions: Number.NaN }] })).toThrow(/coSessions\[0\]/);
  });
});
