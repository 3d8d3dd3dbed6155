import { buildBm25 } from '../../../retrieval/bm25.js';
import type { FilterFactory } from './factory.js';

/**
 * Round-trip consistency (Promptagator, Dai et al. 2022; InPars, Bonifacio et al. 2022): retrieve
 * the top k passages for the query with BM25 over all passages (title + text); a query whose
 * source passage is not among them is `round_trip_miss` — it does not point at its passage, so it
 * would teach the model a wrong positive. Passages of the same document count as the source when
 * `sameDoc` is on (an overlapping neighbour holds the same answer).
 */
export const roundTripFilter: FilterFactory = (o) => ({
  name: 'roundTrip',
  apply(items, ctx) {
    if (items.length === 0) return { keep: [], reasons: [] };
    const idx = buildBm25(ctx.passages.map((p) => ({ id: p.passage_id, text: p.title ? `${p.title}\n${p.text}` : p.text })));
    const k = o.roundTrip.k;
    const reasons = items.map((it) => {
      const r = idx.search(it.query, k);
      for (let i = 0; i < r.ids.length; i++) {
        const d = r.ids[i]!;
        if (d === it.passageIndex) return undefined;
        if (o.roundTrip.sameDoc && ctx.passages[d]!.doc_id === it.passage.doc_id) return undefined;
      }
      return 'round_trip_miss';
    });
    return { keep: reasons.map((r) => r === undefined), reasons };
  },
});
