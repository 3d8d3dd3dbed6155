/**
 * Head/tail: bucket queries by traffic and cap the records of head queries, so a dataset built from
 * a Zipf-shaped log is not mostly the same few queries.
 *
 * ## Input
 * Query traffic (query_norm -> impressions or page views; e.g. Evidence.serps summed per query) and
 * records with `query_norm`, `doc_id`, `weight`.
 * ## Output
 * `queryBuckets`: head / torso / tail per query and counts. `capHeadQueries`: kept records (input
 * order) with head records at most `maxHeadShare` of the output, StageStats with the shares.
 * ## Drops
 * `head_cap`: records of head queries beyond the per-query cap (lowest weight first).
 * ## Example
 * ```ts
 * const b = queryBuckets(traffic, o.headTail);
 * const { kept } = capHeadQueries(positives, b, o.headTail, o.seed);
 * ```
 */
import type { StageStats } from '../../types.js';
import { hash32 } from '../../util/rng.js';
import type { BalanceOptions, Weighted } from './options.js';

export type QueryBucket = 'head' | 'torso' | 'tail';

export interface QueryBuckets {
  readonly bucketOf: ReadonlyMap<string, QueryBucket>;
  readonly queries: Readonly<Record<QueryBucket, number>>;
  readonly traffic: Readonly<Record<QueryBucket, number>>;
}

/**
 * Sort queries by traffic (ties by query text) and cut the cumulative share: a query is head while
 * the traffic before it is below headShare, tail once the traffic before it reaches tailShare.
 */
export function queryBuckets(traffic: ReadonlyMap<string, number>, o: Pick<BalanceOptions['headTail'], 'headShare' | 'tailShare'>): QueryBuckets {
  const list = [...traffic].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = list.reduce((s, [, n]) => s + n, 0);
  const bucketOf = new Map<string, QueryBucket>();
  const queries = { head: 0, torso: 0, tail: 0 };
  const vol = { head: 0, torso: 0, tail: 0 };
  let cum = 0;
  for (const [q, n] of list) {
    const share = total > 0 ? cum / total : 1;
    const b: QueryBucket = share < o.headShare ? 'head' : share < o.tailShare ? 'torso' : 'tail';
    bucketOf.set(q, b);
    queries[b]++;
    vol[b] += n;
    cum += n;
  }
  return { bucketOf, queries, traffic: vol };
}

export interface HeadCapResult<T> {
  readonly kept: T[];
  /** Records per head query after the cap (Infinity when nothing was capped). */
  readonly perQueryCap: number;
  readonly stats: StageStats;
}

/**
 * Keep every torso/tail record and at most `k` records per head query, with the largest k such that
 * head records are at most maxHeadShare of the output. Within a query the highest-weight records
 * stay (ties: seeded hash). Queries missing from `buckets` count as tail.
 */
export function capHeadQueries<T extends Weighted>(records: readonly T[], buckets: QueryBuckets, o: Pick<BalanceOptions['headTail'], 'maxHeadShare'>, seed: number): HeadCapResult<T> {
  const t0 = performance.now();
  const headIdx = new Map<string, number[]>();
  let rest = 0;
  records.forEach((r, i) => {
    if (buckets.bucketOf.get(r.query_norm) !== 'head') { rest++; return; }
    const l = headIdx.get(r.query_norm);
    if (l) l.push(i);
    else headIdx.set(r.query_norm, [i]);
  });
  const sizes = [...headIdx.values()].map((l) => l.length);
  const headTotal = sizes.reduce((s, n) => s + n, 0);
  const headKeptWith = (k: number) => sizes.reduce((s, n) => s + Math.min(n, k), 0);
  const allowed = o.maxHeadShare >= 1 ? Number.POSITIVE_INFINITY : (o.maxHeadShare / (1 - o.maxHeadShare)) * rest;
  let k = Number.POSITIVE_INFINITY;
  if (headTotal > allowed) {
    // largest k with headKeptWith(k) <= allowed (at least 1 per head query: a head query is never erased)
    let lo = 1;
    let hi = Math.max(1, ...sizes);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (headKeptWith(mid) <= allowed) lo = mid;
      else hi = mid - 1;
    }
    k = lo;
  }
  const drop = new Uint8Array(records.length);
  let dropped = 0;
  if (Number.isFinite(k)) {
    for (const [q, idx] of headIdx) {
      if (idx.length <= k) continue;
      const key = (i: number) => hash32(`${seed}:${q}\u0000${records[i]!.doc_id}`);
      idx.sort((a, b) => records[b]!.weight - records[a]!.weight || key(a) - key(b) || a - b);
      for (let j = k; j < idx.length; j++) { drop[idx[j] as number] = 1; dropped++; }
    }
  }
  const kept = records.filter((_, i) => !drop[i]);
  const headKept = headTotal - dropped;
  const share = (n: number, d: number) => (d > 0 ? (100 * n) / d : 0).toFixed(1);
  return {
    kept,
    perQueryCap: k,
    stats: {
      stage: 'balance/head-tail',
      in: { records: records.length, head_records: headTotal, head_queries: buckets.queries.head, torso_queries: buckets.queries.torso, tail_queries: buckets.queries.tail },
      out: { records: kept.length, head_records_kept: headKept },
      dropped: dropped > 0 ? { head_cap: dropped } : {},
      notes: [
        `head queries (${buckets.queries.head} of ${buckets.queries.head + buckets.queries.torso + buckets.queries.tail}) held ${share(headTotal, records.length)}% of the records, ${share(headKept, kept.length)}% after the cap${Number.isFinite(k) ? ` of ${k} records per head query` : ' (no cap needed)'}; maxHeadShare ${o.maxHeadShare}.`,
        ...(Number.isFinite(k) && headKept > allowed ? [`the head share stays above maxHeadShare: every head query keeps at least one record.`] : []),
      ],
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
