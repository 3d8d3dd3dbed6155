import { osaDistance } from './edit-distance.js';

/**
 * Abbreviation-aware token alignment (the `links.abbreviation` weak link of the families stage):
 * "ngx perm ios" ~ "nginx permission denied ios", "dkr lic andr" ~ "docker license android",
 * "ecxel oom mac" ~ "excel oom mac". Rephrasings in the abbreviation and misspelling styles share
 * few character trigrams with the keyword form, so rule (c) misses them.
 */

export interface AbbreviationOptions {
  /** An abbreviated token must have at least this many characters ("vm" yes, "v" no). */
  readonly minChars: number;
  /** Two tokens of at least this many characters, same first letter, one edit (OSA) apart also match ("ecxel" ~ "excel"). 0 = off. */
  readonly typoMinChars: number;
  /** The longer query may have at most this many tokens that no token of the shorter one matches. */
  readonly maxExtraTokens: number;
}

const HAS_DIGIT = /\d/;

/**
 * Whether token `a` and token `b` can name the same thing: equal; or the shorter one (>= minChars,
 * no digit) is a subsequence of the longer one starting with the same letter ("dkr" ~ "docker",
 * "lic" ~ "license", "andr" ~ "android"); or both are long enough and one edit apart with the same
 * first letter ("ecxel" ~ "excel"). Tokens with digits must be equal ("v2" is not "v3").
 */
export function tokensAlign(a: string, b: string, o: AbbreviationOptions): boolean {
  if (a === b) return true;
  if (a.length === 0 || b.length === 0 || a[0] !== b[0]) return false;
  if (HAS_DIGIT.test(a) || HAS_DIGIT.test(b)) return false;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  if (s.length >= o.minChars && s.length < l.length) {
    let j = 0;
    for (let i = 0; i < l.length && j < s.length; i++) if (l[i] === s[j]) j++;
    if (j === s.length) return true;
  }
  return o.typoMinChars > 0 && s.length >= o.typoMinChars && osaDistance(s, l, 1) <= 1;
}

/**
 * Whether two token lists align: every token of the shorter list matches a distinct token of the
 * longer one (tokensAlign), and at most maxExtraTokens tokens of the longer one stay unmatched.
 * Equal lists are not reported (rule (a) already joined them). Exact bipartite matching by
 * augmenting paths (lists are a few tokens long).
 */
export function abbreviationAligned(x: readonly string[], y: readonly string[], o: AbbreviationOptions): boolean {
  const [s, l] = x.length <= y.length ? [x, y] : [y, x];
  if (s.length === 0 || l.length - s.length > o.maxExtraTokens) return false;
  // fast reject, allocation-free (most candidate pairs): a token with no partner at all
  for (const t of s) {
    let any = false;
    for (let j = 0; j < l.length && !any; j++) any = tokensAlign(t, l[j]!, o);
    if (!any) return false;
  }
  const ok: number[][] = [];
  for (const t of s) {
    const r: number[] = [];
    for (let j = 0; j < l.length; j++) if (tokensAlign(t, l[j]!, o)) r.push(j);
    ok.push(r);
  }
  const owner = new Int32Array(l.length).fill(-1);
  const tryAssign = (i: number, seen: Uint8Array): boolean => {
    for (const j of ok[i]!) {
      if (seen[j]) continue;
      seen[j] = 1;
      if (owner[j] === -1 || tryAssign(owner[j]!, seen)) { owner[j] = i; return true; }
    }
    return false;
  };
  for (let i = 0; i < s.length; i++) if (!tryAssign(i, new Uint8Array(l.length))) return false;
  return true;
}

/** Blocking signature: the sorted first letters of the tokens (aligned tokens share their first letter). */
export function initialsSignature(tokens: readonly string[]): string {
  return tokens.map((t) => t[0] ?? '').sort().join('');
}

/**
 * Token synonyms from pairs of consecutive queries of a session (co-session pairs and
 * reformulations, as token lists; undefined = unknown query, skipped): after the aligned tokens are
 * removed, the one or two tokens left on each side are candidate substitutes ("wlan" ~ "wifi",
 * "darwin" ~ "mac"). Only mutual best partners seen in at least `synonymMinSupport` pairs are kept,
 * a matching, so no chain (web ~ browser ~ fix ~ ...) forms. Returns token -> the smaller token of
 * its pair, to write both the same before alignment.
 */
export function mineSynonyms(
  pairs: readonly (readonly [readonly string[] | undefined, readonly string[] | undefined])[],
  o: AbbreviationOptions & { readonly synonymMinSupport: number },
): Map<string, string> {
  const cnt = new Map<string, number>();
  for (const [A, B] of pairs) {
    if (!A || !B) continue;
    const usedB = new Uint8Array(B.length);
    const LA: string[] = [];
    for (const t of A) {
      const j = B.findIndex((u, i) => !usedB[i] && tokensAlign(t, u, o));
      if (j >= 0) usedB[j] = 1; else LA.push(t);
    }
    const LB = B.filter((_, i) => !usedB[i]);
    if (LA.length < 1 || LB.length < 1 || LA.length > 2 || LB.length > 2) continue;
    for (const t of LA) for (const u of LB) if (t !== u) { const k = t < u ? `${t} ${u}` : `${u} ${t}`; cnt.set(k, (cnt.get(k) ?? 0) + 1); }
  }
  const best = new Map<string, { t: string; c: number }>();
  for (const [k, c] of [...cnt].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const [t, u] = k.split(' ') as [string, string];
    for (const [x, y] of [[t, u], [u, t]] as const) { const cur = best.get(x); if (!cur || c > cur.c) best.set(x, { t: y, c }); }
  }
  const canon = new Map<string, string>();
  for (const [x, { t: y, c }] of best) if (c >= o.synonymMinSupport && best.get(y)?.t === x && x > y) canon.set(x, y);
  return canon;
}

/**
 * Whether two family keys (token lists) differ by a swapped word: after the tokens they share are
 * set aside (as multisets), both keep some, and the remainder of the shorter side does not align
 * token by token (tokensAlign: typo or abbreviation) with the other's, nor spell the same letters
 * ("wi fi" ~ "wifi"). Extra words on one side only are not a swap.
 */
export function tokenSwapped(x: readonly string[], y: readonly string[], o: AbbreviationOptions): boolean {
  const rest = new Map<string, number>();
  for (const t of y) rest.set(t, (rest.get(t) ?? 0) + 1);
  const lx: string[] = [];
  for (const t of x) {
    const c = rest.get(t) ?? 0;
    if (c > 0) rest.set(t, c - 1);
    else lx.push(t);
  }
  const ly: string[] = [];
  for (const [t, c] of rest) for (let i = 0; i < c; i++) ly.push(t);
  if (lx.length === 0 || ly.length === 0) return false;
  if ([...lx].sort().join('') === [...ly].sort().join('')) return false;
  return !abbreviationAligned(lx, ly, { ...o, maxExtraTokens: Number.MAX_SAFE_INTEGER });
}
