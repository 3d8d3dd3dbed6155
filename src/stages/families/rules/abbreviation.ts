import { abbreviationAligned, initialsSignature, mineSynonyms } from '../abbrev.js';
import type { FamilyRule, FamilyRuleContext } from '../types.js';

/** Token synonyms mined from consecutive queries (co-session pairs, then reformulations): token -> its canonical partner. */
function minedSynonyms({ input, options, note }: FamilyRuleContext): Map<string, string> {
  const ab = options.links.abbreviation;
  if (ab.synonymMinSupport <= 0) return new Map();
  const tokensOfQuery = (q: string): string[] | undefined => {
    const i = input.lookup(q);
    return i === undefined ? undefined : input.keys[input.keyIdOf[i]!]!.split(' ').filter(Boolean);
  };
  const pairs: [string, string][] = [];
  for (const e of input.coSessions ?? []) pairs.push([e.a, e.b]);
  for (const e of input.reformulations ?? []) pairs.push([e.from, e.to]);
  const canon = mineSynonyms(pairs.map(([x, y]) => [tokensOfQuery(x), tokensOfQuery(y)]), ab);
  note(`abbreviation links: ${canon.size} synonym pairs mined from session pairs`);
  return canon;
}

/**
 * Blocking: aligned tokens share their first letter, so an aligned pair has equal initials (same
 * token count) or the longer one's initials minus one letter (maxExtraTokens = 1). Keys outside
 * minTokens..maxTokens take no part; a full bucket counts the key as truncated.
 */
function blockByInitials(keys: readonly string[], canon: ReadonlyMap<string, string>, ab: FamilyRuleContext['options']['links']['abbreviation']) {
  const bySig = new Map<string, number[]>();
  const toks: (string[] | undefined)[] = new Array(keys.length);
  const sigs: string[] = new Array(keys.length);
  let truncated = 0;
  for (let k = 0; k < keys.length; k++) {
    const t = keys[k]!.split(' ').filter(Boolean).map((x) => canon.get(x) ?? x);
    if (t.length < ab.minTokens || t.length > ab.maxTokens) continue;
    toks[k] = t;
    const sig = (sigs[k] = initialsSignature(t));
    const list = bySig.get(sig);
    if (!list) bySig.set(sig, [k]);
    else if (list.length < ab.maxBucketCompare) list.push(k);
    else truncated++;
  }
  return { bySig, toks, sigs, truncated };
}

/** The buckets one initial away from a signature, gathered once per distinct signature (many keys share one). */
function nearBucketsOf(bySig: ReadonlyMap<string, readonly number[]>): (sig: string) => Int32Array {
  const cache = new Map<string, Int32Array>();
  return (sig) => {
    let near = cache.get(sig);
    if (near) return near;
    const ids: number[] = [];
    for (let i = 0; i < sig.length; i++) {
      if (i > 0 && sig[i] === sig[i - 1]) continue;
      for (const j of bySig.get(sig.slice(0, i) + sig.slice(i + 1)) ?? []) ids.push(j);
    }
    cache.set(sig, (near = Int32Array.from(ids)));
    return near;
  };
}

/** Weak link: family keys that align token by token, allowing abbreviations and typos (src/stages/families/abbrev.ts). */
export const abbreviation = {
  kind: 'link',
  lap: 'links_abbreviation',
  enabled: (o) => o.links.enabled && o.links.abbreviation.enabled,
  run(ctx) {
    const { input, familyOf, link } = ctx;
    const ab = ctx.options.links.abbreviation;
    const { bySig, toks, sigs, truncated } = blockByInitials(input.keys, minedSynonyms(ctx), ab);
    const nearOf = nearBucketsOf(bySig);
    let compared = 0, linked = 0;
    const visit = (j: number, k: number, t: readonly string[]): void => {
      const a = input.keyRep[j]!, b = input.keyRep[k]!;
      if (familyOf(a) === familyOf(b)) return;
      compared++;
      if (abbreviationAligned(toks[j]!, t, ab)) { link(a, b, 'abbreviation'); linked++; }
    };
    for (let k = 0; k < input.keys.length; k++) {
      const t = toks[k];
      if (!t) continue;
      const sig = sigs[k]!;
      for (const j of bySig.get(sig)!) if (j < k) visit(j, k, t);
      if (ab.maxExtraTokens > 0) for (const j of nearOf(sig)) visit(j, k, t);
    }
    ctx.drop('abbreviation_bucket_truncated', truncated);
    ctx.note(`abbreviation links: ${compared} candidate pairs compared, ${linked} linked`);
  },
} satisfies FamilyRule;
