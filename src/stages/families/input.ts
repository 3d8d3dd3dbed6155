import { inputError } from '../../errors.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createFamilyKeyer } from '../../text/family-normalize.js';
import { buildClickVectors } from './click-vectors.js';
import type { FamilyOptions } from './options.js';
import type { ClickVectors, FamilyInput, FamilyRuleInput } from './types.js';

const STAGE = 'families';

export interface QueryTotals {
  count: number;
  firstTs: number | null;
}

/** Validated queries, repeated rows pooled (summed counts, earliest firstTs), in input order. */
export function poolQueries(input: FamilyInput, drop: (reason: string) => void): Map<string, QueryTotals> {
  if (!Array.isArray(input?.queries)) throw inputError('bad_input', 'buildFamilies: input.queries must be an array of { query, count, firstTs? }', { stage: STAGE });
  const agg = new Map<string, QueryTotals>();
  input.queries.forEach((q, i) => {
    if (!q || typeof q.query !== 'string') throw inputError('bad_input', `buildFamilies: queries[${i}].query must be a string (got ${JSON.stringify(q?.query)}); remove the row or fill the query`, { stage: STAGE });
    if (typeof q.count !== 'number' || !Number.isFinite(q.count) || q.count < 0) throw inputError('bad_input', `buildFamilies: queries[${i}] ("${q.query.slice(0, 80)}") has count ${String(q.count)}; counts must be finite numbers >= 0`, { stage: STAGE });
    if (q.firstTs !== undefined && (typeof q.firstTs !== 'number' || !Number.isFinite(q.firstTs))) throw inputError('bad_input', `buildFamilies: queries[${i}] ("${q.query.slice(0, 80)}") has firstTs ${String(q.firstTs)}; use epoch milliseconds or leave it out`, { stage: STAGE });
    const prev = agg.get(q.query);
    const ts = q.firstTs ?? null;
    if (prev) {
      prev.count += q.count;
      if (ts !== null && (prev.firstTs === null || ts < prev.firstTs)) prev.firstTs = ts;
      drop('duplicate_query_row_merged');
    } else agg.set(q.query, { count: q.count, firstTs: ts });
  });
  return agg;
}

/** Exact match first; else the first query (in sorted order) with the same normalizeQuery form, index built on first need. */
function queryLookup(queries: readonly string[]): (q: string) => number | undefined {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < queries.length; i++) indexOf.set(queries[i]!, i);
  let normIndex: Map<string, number> | undefined;
  return (q) => {
    const i = indexOf.get(q);
    if (i !== undefined) return i;
    if (!normIndex) {
      normIndex = new Map();
      for (let j = 0; j < queries.length; j++) { const k = normalizeQuery(queries[j]!); if (!normIndex.has(k)) normIndex.set(k, j); }
    }
    return normIndex.get(normalizeQuery(q));
  };
}

/** Family keys: distinct keys in the order of their first query, the key of each query and the first query of each key. */
function familyKeys(queries: readonly string[], o: FamilyOptions): Pick<FamilyRuleInput, 'keys' | 'keyIdOf' | 'keyRep'> {
  const keyer = createFamilyKeyer(o.key);
  const keyIdOf = new Int32Array(queries.length);
  const keyIndex = new Map<string, number>();
  const keys: string[] = [];
  const rep: number[] = [];
  for (let i = 0; i < queries.length; i++) {
    const k = keyer(queries[i]!);
    let id = keyIndex.get(k);
    if (id === undefined) { id = keys.length; keyIndex.set(k, id); keys.push(k); rep.push(i); }
    keyIdOf[i] = id;
  }
  return { keys, keyIdOf, keyRep: Int32Array.from(rep) };
}

/** The rules' shared input over `queries` (distinct, sorted). Click vectors are built on the first call of clickVectors(). */
export function createRuleInput(input: FamilyInput, queries: readonly string[], o: FamilyOptions, drop: (reason: string) => void): FamilyRuleInput {
  const lookup = queryLookup(queries);
  let clicks: ClickVectors | undefined;
  return {
    queries,
    lookup,
    ...familyKeys(queries, o),
    ...(input.reformulations ? { reformulations: input.reformulations } : {}),
    ...(input.positives ? { positives: input.positives } : {}),
    ...(input.coSessions ? { coSessions: input.coSessions } : {}),
    clickVectors: () => (clicks ??= buildClickVectors(input.clicks, queries.length, lookup, o, drop)),
  };
}
