import type { Doc } from '../../types.js';
import { createMinHasher, duplicateClusters, estimateJaccard, exactJaccard, type DuplicateClusters } from '../../text/minhash.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { FalseNegativeOptions } from './options.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/** The signature estimate only pre-screens: pairs within this of the threshold get the exact check. */
const SCREEN_SLACK = 0.2;

export interface NearDuplicateFilter extends FalseNegativeFilter {
  /** Corpus-wide clusters (when `corpusClusters` is on). Exact duplicates are joined too when `exact` is on. */
  readonly clusters: DuplicateClusters | undefined;
}

/**
 * (3) Near-duplicates of a positive: word-shingle MinHash screens, the exact Jaccard decides
 * (>= threshold), plus exact duplicates of the normalised text. Shingles and signatures of corpus
 * docs are computed once and cached.
 */
export function createNearDuplicateFilter(opts: FalseNegativeOptions['nearDuplicate'], docs: readonly Doc[]): NearDuplicateFilter {
  const mh = createMinHasher({ numPerm: opts.numPerm, shingleSize: opts.shingleSize });
  const P = mh.numPerm;
  const n = docs.length;
  const sh: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(n);
  const sigs = new Uint32Array(n * P);
  const have = new Uint8Array(n);
  const keys: (string | undefined)[] = new Array<string | undefined>(n);
  const ensure = (i: number): void => {
    if (have[i]) return;
    const s = mh.shingles(docs[i]!.text);
    sh[i] = s;
    mh.signature(s, sigs.subarray(i * P, (i + 1) * P));
    keys[i] = normalizeQuery(docs[i]!.text);
    have[i] = 1;
  };
  let clusters: DuplicateClusters | undefined;
  if (opts.corpusClusters) {
    for (let i = 0; i < n; i++) ensure(i);
    clusters = duplicateClusters(sigs, sh as Uint32Array[], {
      numPerm: P,
      threshold: opts.threshold,
      ...(opts.bands !== undefined ? { bands: opts.bands, rows: Math.max(1, Math.floor(P / opts.bands)) } : {}),
      ...(opts.exact ? { sameKey: keys } : {}),
    });
  }
  return {
    name: 'near-duplicate',
    clusters,
    notes: () => (clusters ? [`corpus: ${clusters.clusters} near-duplicate clusters, largest ${clusters.largest} docs, ${clusters.clustered} docs in clusters.`] : []),
    apply(rec, cands) {
      const pos = rec.positives.map((p) => {
        if (p.doc >= 0) {
          ensure(p.doc);
          return { sh: sh[p.doc]!, sig: sigs.subarray(p.doc * P, (p.doc + 1) * P), key: keys[p.doc]!, id: p.doc_id };
        }
        const s = mh.shingles(p.text);
        return { sh: s, sig: mh.signature(s), key: normalizeQuery(p.text), id: p.doc_id };
      });
      return cands.map((c): Removal | null => {
        ensure(c.doc);
        const csh = sh[c.doc]!;
        const csig = sigs.subarray(c.doc * P, (c.doc + 1) * P);
        for (const p of pos) {
          if (opts.exact && p.key !== '' && p.key === keys[c.doc]) return { code: 'exact_duplicate', detail: `same normalised text as positive ${p.id}` };
          if (estimateJaccard(p.sig, csig) < opts.threshold - SCREEN_SLACK) continue;
          const j = exactJaccard(p.sh, csh);
          if (j >= opts.threshold) return { code: 'near_duplicate', detail: `Jaccard ${j.toFixed(2)} with positive ${p.id}` };
        }
        return null;
      });
    },
  };
}

export const nearDuplicate: FilterEntry = {
  name: 'near-duplicate',
  option: 'nearDuplicate',
  setup: ({ options: { nearDuplicate: o }, docs }) => (o.enabled ? { filter: createNearDuplicateFilter(o, docs) } : {}),
};

/** The near-duplicate filter among `filters`, for its corpus-wide clusters. */
export const findNearDuplicateFilter = (filters: readonly FalseNegativeFilter[]): NearDuplicateFilter | undefined =>
  filters.find((f): f is NearDuplicateFilter => 'clusters' in f);
