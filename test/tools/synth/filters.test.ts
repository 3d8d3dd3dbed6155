import { describe, expect, it } from 'vitest';
import { filters } from '../../../src/tools/synth/filters/index.js';
import { parseSynthOptions } from '../../../src/tools/synth/synth.js';
import { chunkDocument } from '../../../src/tools/synth/passages.js';
import type { FilterItem, Passage } from '../../../src/tools/synth/types.js';

const o = parseSynthOptions({}).filters;
const passages: Passage[] = [
  { doc_id: 'okta', text: 'To reset an Okta password open the admin console and choose reset password for the user account.' },
  { doc_id: 'vpn', text: 'The VPN client connects laptops to the office network; restart the adapter when it times out.' },
  { doc_id: 'printer', text: 'Printers on the third floor need the new driver; install it from the software centre.' },
].flatMap((d) => chunkDocument(d, { size: 200, overlap: 40 }));
const item = (query: string, pi: number, clean = query): FilterItem => ({ query, clean, style: 'keyword', noise: [], passage: passages[pi]!, passageIndex: pi });
const run = (name: keyof typeof filters, items: FilterItem[], opts = o) => filters[name](opts).apply(items, { passages });

describe('synth filters', () => {
  it('length: too short and too long are removed, normal queries kept', () => {
    const r = run('length', [item('okta', 0), item('reset okta password', 0), item(Array(20).fill('word').join(' '), 0), item('x'.repeat(200) + ' y', 0)]);
    expect(r.reasons).toEqual(['too_short', undefined, 'too_long', 'too_long']);
    expect(r.keep).toEqual([false, true, false, false]);
  });
  it('verbatim: a 5-word span of the passage is a copy; shorter overlaps and reordered words are not', () => {
    const r = run('verbatim', [item('open the admin console and choose', 0), item('okta admin console reset', 0), item('console admin the open and', 0), item('open the admin console and', 1)]);
    expect(r.reasons).toEqual(['verbatim_copy', undefined, undefined, undefined]);
  });
  it('duplicates: the first is kept; case/punctuation copies are duplicates, reordered or inflected ones near-duplicates', () => {
    const r = run('duplicates', [item('reset okta password', 0), item('Reset Okta password!', 1), item('okta passwords reset', 0), item('okta password', 0), item('vpn timeout', 1)]);
    expect(r.reasons).toEqual([undefined, 'duplicate', 'near_duplicate', undefined, undefined]);
    const off = run('duplicates', [item('reset okta password', 0), item('okta passwords reset', 0)], { ...o, duplicates: { near: false } });
    expect(off.keep).toEqual([true, true]);
  });
  it('duplicates ignore noise: a misspelt copy of a kept query is a duplicate', () => {
    const r = run('duplicates', [item('reset okta password', 0), item('reset okat password', 0, 'reset okta password')]);
    expect(r.reasons).toEqual([undefined, 'duplicate']);
  });
  it('round trip: the source passage must be in the BM25 top k', () => {
    const r = run('roundTrip', [item('okta reset password', 0), item('vpn client timeout', 1), item('printer driver install', 1), item('zebra unicorn', 2)], { ...o, roundTrip: { k: 1, sameDoc: false } });
    expect(r.reasons).toEqual([undefined, undefined, 'round_trip_miss', 'round_trip_miss']);
  });
  it('round trip with sameDoc: a neighbouring passage of the same document counts', () => {
    const long = chunkDocument({ doc_id: 'long', text: 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu' }, { size: 6, overlap: 0 });
    const ps = [...long, ...passages];
    const it0: FilterItem = { query: 'kappa lambda', clean: 'kappa lambda', style: 'keyword', noise: [], passage: long[0]!, passageIndex: 0 };
    expect(filters.roundTrip({ ...o, roundTrip: { k: 1, sameDoc: true } }).apply([it0], { passages: ps }).keep).toEqual([true]);
    expect(filters.roundTrip({ ...o, roundTrip: { k: 1, sameDoc: false } }).apply([it0], { passages: ps }).keep).toEqual([false]);
  });
});
