import { LshIndex, createMinHasher, jaccardSorted, trigramSet, type MinHasher } from '../../../text/minhash.js';
import { tokenSwapped } from '../abbrev.js';
import { osaDistance } from '../edit-distance.js';
import type { FamilyRule, FamilyRuleContext } from '../types.js';

const DIGITS = /\d+/g;

function digitsOf(s: string): string {
  const m = s.match(DIGITS);
  return m ? m.join(' ') : '';
}

/**
 * One pass over the family keys in order: a long key (>= minChars) meets earlier long keys through
 * MinHash/LSH and is verified by exact trigram Jaccard, a short one meets earlier short keys
 * through its one-deletion variants and is verified by edit distance. Merges happen as found, so
 * later candidates see them.
 */
class NearDuplicateScan {
  private readonly nd: FamilyRuleContext['options']['nearDuplicate'];
  private readonly keys: readonly string[];
  private readonly keyRep: Int32Array;
  private readonly digits: string[] | undefined;
  private readonly hasher: MinHasher;
  private readonly lsh: LshIndex;
  private readonly bandKeys: Int32Array;
  private readonly sets: (Uint32Array | undefined)[];
  /** Last key each key was a candidate of (visits each pair once). */
  private readonly stamp: Int32Array;
  private readonly deletions = new Map<string, number[]>();
  truncated = 0;
  compared = 0;

  constructor(private readonly ctx: FamilyRuleContext) {
    const nd = (this.nd = ctx.options.nearDuplicate);
    this.keys = ctx.input.keys;
    this.keyRep = ctx.input.keyRep;
    this.digits = nd.digitsMustMatch ? this.keys.map(digitsOf) : undefined;
    this.hasher = createMinHasher({ numPerm: nd.numHashes, bands: nd.bands, seed: nd.seed, permutation: 'affine' });
    this.lsh = new LshIndex(nd.bands, 1024);
    this.bandKeys = new Int32Array(nd.bands);
    this.sets = new Array(this.keys.length);
    this.stamp = new Int32Array(this.keys.length).fill(-1);
  }

  visit(k: number): void {
    const key = this.keys[k]!;
    if (key.length >= this.nd.minChars) this.visitLong(k, key);
    else if (this.nd.shortMaxEdits > 0 && key.length >= this.nd.shortMinChars) this.visitShort(k, key);
  }

  private joined(j: number, k: number): boolean {
    return this.ctx.familyOf(this.keyRep[j]!) === this.ctx.familyOf(this.keyRep[k]!);
  }

  private visitLong(k: number, key: string): void {
    const nd = this.nd, set = trigramSet(key);
    this.sets[k] = set;
    this.hasher.bandKeys(set, this.bandKeys);
    this.truncated += this.lsh.candidates(this.bandKeys, 0, nd.maxBucketCompare, (j) => {
      if (this.stamp[j] === k) return;
      this.stamp[j] = k;
      const other = this.sets[j]!;
      // |A∩B|/|A∪B| <= min/max: skip pairs whose sizes alone rule the threshold out
      if (Math.min(set.length, other.length) < nd.jaccard * Math.max(set.length, other.length)) return;
      if (this.joined(j, k)) return;
      this.compared++;
      if (jaccardSorted(set, other) >= nd.jaccard) this.tryMerge(j, k);
    });
    this.lsh.add(k, this.bandKeys);
  }

  private visitShort(k: number, key: string): void {
    const nd = this.nd;
    const variants = [key];
    for (let i = 0; i < key.length; i++) variants.push(key.slice(0, i) + key.slice(i + 1));
    for (const v of variants) {
      const list = this.deletions.get(v);
      if (!list) { this.deletions.set(v, [k]); continue; }
      for (let x = 0; x < list.length && x < nd.maxBucketCompare; x++) {
        const j = list[x]!;
        if (this.stamp[j] === k) continue;
        this.stamp[j] = k;
        if (this.joined(j, k)) continue;
        this.compared++;
        if (osaDistance(this.keys[j]!, key, nd.shortMaxEdits) <= nd.shortMaxEdits) this.tryMerge(j, k);
      }
      if (list.length < nd.maxBucketCompare) list.push(k);
      else this.truncated++;
    }
  }

  /** The guards: numbers must match, and (refuseTokenSwap) no swapped word; a swap stays a weak link. */
  private tryMerge(ka: number, kb: number): void {
    const { ctx, keys } = this;
    const a = this.keyRep[ka]!, b = this.keyRep[kb]!;
    if (ctx.familyOf(a) === ctx.familyOf(b)) return;
    if (this.digits && this.digits[ka] !== this.digits[kb]) { ctx.drop('near_duplicate_refused_digits'); return; }
    if (this.nd.refuseTokenSwap && tokenSwapped(keys[ka]!.split(' '), keys[kb]!.split(' '), ctx.options.links.abbreviation)) {
      ctx.drop('near_duplicate_refused_token_swap');
      ctx.link(a, b, 'refused');
      return;
    }
    ctx.merge(a, b);
  }
}

/** Rule (c): near-duplicate family keys (typos, plurals the stemmer missed, extra words). */
export const nearDuplicate = {
  kind: 'merge',
  lap: 'rule_nearDuplicate',
  enabled: (o) => o.nearDuplicate.enabled,
  run(ctx) {
    const scan = new NearDuplicateScan(ctx);
    for (let k = 0; k < ctx.input.keys.length; k++) scan.visit(k);
    ctx.drop('near_duplicate_bucket_truncated', scan.truncated);
    ctx.note(`near-duplicate rule: ${scan.compared} candidate pairs verified exactly`);
  },
} satisfies FamilyRule;
