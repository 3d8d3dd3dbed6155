import { describe, expect, it } from 'vitest';
import { LshIndex, createMinHasher, defaultBands, duplicateClusters, estimateJaccard, exactJaccard, jaccardSorted, trigramSet } from '../../src/text/minhash.js';

const base = 'to reset your okta token open the admin console choose security then tokens and press revoke before creating a new token for the service account';
const faqCopy = 'to reset your okta token open the admin console choose security then tokens and press revoke before creating a new token for the integration account';
const other = 'the cafeteria opens at eight and serves breakfast until ten every weekday except public holidays when it stays closed';

describe('minhash', () => {
  const mh = createMinHasher();

  it('shingles are sorted, unique word 3-grams; short and empty texts are handled', () => {
    const s = mh.shingles('a b c a b c');
    expect(s.length).toBe(3); // "a b c", "b c a", "c a b"
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(mh.shingles('two words').length).toBe(1);
    expect(mh.shingles('  ...  ').length).toBe(0);
    expect(exactJaccard(mh.shingles(''), mh.shingles(''))).toBe(0);
  });

  it('estimates Jaccard close to the exact value', () => {
    const a = mh.shingles(base), b = mh.shingles(faqCopy), c = mh.shingles(other);
    const jab = exactJaccard(a, b);
    expect(jab).toBeGreaterThan(0.8);
    expect(jab).toBeLessThan(1);
    expect(Math.abs(estimateJaccard(mh.signature(a), mh.signature(b)) - jab)).toBeLessThan(0.15);
    expect(exactJaccard(a, c)).toBe(0);
    expect(estimateJaccard(mh.signature(a), mh.signature(c))).toBeLessThan(0.1);
    expect(estimateJaccard(mh.signature(a), mh.signature(mh.shingles(base)))).toBe(1);
  });

  it('is seeded: same seed same signature, another seed another one', () => {
    const a = mh.shingles(base);
    expect(Array.from(createMinHasher({ seed: 1 }).signature(a))).toEqual(Array.from(mh.signature(a)));
    expect(Array.from(createMinHasher({ seed: 2 }).signature(a))).not.toEqual(Array.from(mh.signature(a)));
  });

  it('LSH clusters verified near-duplicates and exact copies, and nothing else', () => {
    const texts = [base, other, faqCopy, 'something else entirely about parking permits and visitor badges at the north gate', other.toUpperCase() + '!'];
    const sh = texts.map((t) => mh.shingles(t));
    const sigs = new Uint32Array(texts.length * mh.numPerm);
    sh.forEach((s, i) => mh.signature(s, sigs.subarray(i * mh.numPerm, (i + 1) * mh.numPerm)));
    const r = duplicateClusters(sigs, sh, { numPerm: mh.numPerm, threshold: 0.8 });
    expect(Array.from(r.clusterOf)).toEqual([0, 1, 0, 3, 1]);
    expect(r.clusters).toBe(2);
    expect(r.largest).toBe(2);
    expect(r.clustered).toBe(4);
    // A higher threshold than the pair's Jaccard keeps them apart (the exact check decides).
    const strict = duplicateClusters(sigs, sh, { numPerm: mh.numPerm, threshold: 0.99 });
    expect(strict.clusterOf[2]).toBe(2);
  });

  it('default banding has 128 = 16 x 8', () => {
    expect(defaultBands(128)).toEqual({ bands: 16, rows: 8 });
  });

  // pinned values: stored outputs (families, splits, the audit) depend on these exact hashes
  it('keeps the hashes of both permutation families', () => {
    const words = createMinHasher({ numPerm: 8 });
    expect(Array.from(words.signature(words.shingles('reset the okta token now')))).toEqual([1966029019, 51567699, 1766413951, 1908928023, 1288426192, 472027667, 898671699, 3511098090]);
    const trigrams = createMinHasher({ numPerm: 100, bands: 20, seed: 42, permutation: 'affine' });
    const keys = new Int32Array(20);
    trigrams.bandKeys(trigramSet('password reset'), keys);
    expect(Array.from(keys.slice(0, 4))).toEqual([1517392469, -1123698896, -1994372526, -1901254097]);
    expect(Array.from(trigramSet('vpn'))).toEqual([861105255, 1417687794, 2230676793]);
  });

  it('bands must divide the permutations', () => {
    expect(() => createMinHasher({ numPerm: 100, bands: 7 })).toThrow(/multiple of bands/);
  });

  it('trigram sets, their Jaccard and the LSH index find a typo of a query', () => {
    expect(jaccardSorted(new Uint32Array(0), new Uint32Array(0))).toBe(1);
    const mh = createMinHasher({ numPerm: 100, bands: 20, seed: 42, permutation: 'affine' });
    const texts = ['password reset for okta', 'banana split recipe', 'pasword reset for okta'];
    const index = new LshIndex(20, 1);
    const keys = new Int32Array(20);
    for (let i = 0; i < 2; i++) { mh.bandKeys(trigramSet(texts[i]!), keys); index.add(i, keys); }
    mh.bandKeys(trigramSet(texts[2]!), keys);
    const seen = new Set<number>();
    index.candidates(keys, 0, 10, (id) => seen.add(id));
    expect([...seen]).toEqual([0]);
    expect(jaccardSorted(trigramSet(texts[0]!), trigramSet(texts[2]!))).toBeGreaterThan(0.7);
  });
});
