import type { NegativeOptions } from './options.js';
import type { Behaviour, MiningContext, NegativeCandidate, NegativeMiner } from './types.js';

/**
 * Negatives from behaviour, for the same query_norm:
 * - "skip_above": shown above a clicked result and not clicked at least minSkipAbove times
 *   (the strongest click-based negative, Joachims et al. 2005), ordered by skip count;
 * - "unclicked": exposure >= minExposure and no click, ordered by exposure. Exposure is the
 *   impression count, or with a propensity per rank and per-rank impressions the expected number
 *   of times the doc was examined (sum of impressions x propensity(rank)).
 * Docs with more than maxClicks clicks are never proposed; docs missing from the corpus are
 * counted by the caller (they have no text).
 */
export function createBehaviouralMiner(opts: NegativeOptions['behavioural']): NegativeMiner & { readonly missingDocs: () => number } {
  let missing = 0;
  const exposure = (ctx: MiningContext, qn: string, doc: string, impressions: number): number => {
    const prop = ctx.propensity;
    const byRank = ctx.impressionsByRank?.get(`${qn}\t${doc}`);
    if (!prop || !byRank) return impressions;
    let s = 0;
    for (const r of byRank) s += r.impressions * (prop[r.rank] ?? prop[prop.length - 1] ?? 1);
    return s;
  };
  return {
    source: 'behavioural',
    missingDocs: () => missing,
    mine(queries, ctx) {
      return Promise.resolve(
        queries.map((q) => {
          const rows: { doc: number; behaviour: Behaviour; s: number; id: string }[] = [];
          for (const e of ctx.evidenceByQuery.get(q.query_norm) ?? []) {
            if (e.clicks > opts.maxClicks) continue;
            const d = ctx.docIndex.get(e.doc_id);
            if (d === undefined) {
              missing++;
              continue;
            }
            if (q.exclude.has(d)) continue;
            if (e.skip_above >= opts.minSkipAbove) rows.push({ doc: d, behaviour: 'skip_above', s: e.skip_above, id: e.doc_id });
            else if (e.clicks === 0) {
              const x = exposure(ctx, q.query_norm, e.doc_id, e.impressions);
              if (x >= opts.minExposure) rows.push({ doc: d, behaviour: 'unclicked', s: x, id: e.doc_id });
            }
          }
          rows.sort((a, b) => (a.behaviour === b.behaviour ? b.s - a.s || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.behaviour === 'skip_above' ? -1 : 1));
          return rows.slice(0, opts.count).map(
            (r, i): NegativeCandidate => ({ doc: r.doc, source: 'behavioural', rank: i + 1, minerScore: r.s, behaviour: r.behaviour }),
          );
        }),
      );
    },
  };
}
