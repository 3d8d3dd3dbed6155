import { BigNumberMap } from '../../util/big-map.js';
import { usageError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import { intern } from '../../util/intern.js';
import type { ResultPages } from '../../ports/index.js';

/** Aggregated (query-document pair, rank) cells: the only thing the estimators iterate over. */
export interface CellCounts {
  readonly length: number;
  readonly pair: Int32Array;
  /** 0-based rank. */
  readonly rank: Int32Array;
  readonly impressions: Float64Array;
  readonly clicks: Float64Array;
  /** Number of result pages aggregated into these cells. */
  readonly pages: number;
}

/**
 * Input of `estimatePropensities`. Pairs are (query, document) index pairs; the train cells fit the
 * model, the holdout cells measure it (perplexity, log-likelihood), the randomized cells come from
 * pages whose order was randomised (they are not in train or holdout).
 */
export interface ClickCounts {
  readonly kind: 'ClickCounts';
  readonly nRanks: number;
  readonly queries: readonly string[];
  readonly docIds: readonly string[];
  readonly pairQuery: Int32Array;
  readonly pairDoc: Int32Array;
  readonly train: CellCounts;
  readonly holdout: CellCounts;
  readonly randomized: CellCounts;
}

export const emptyCells = (): CellCounts => ({
  length: 0,
  pair: new Int32Array(0),
  rank: new Int32Array(0),
  impressions: new Float64Array(0),
  clicks: new Float64Array(0),
  pages: 0,
});

/** A growable Int32Array/Float64Array pair store used by the builders. */
class CellBuilder {
  private map = new BigNumberMap();
  pair = new Int32Array(1024);
  rank = new Int32Array(1024);
  imp = new Float64Array(1024);
  clk = new Float64Array(1024);
  length = 0;
  pages = 0;
  constructor(private readonly nRanks: number) {}

  add(pair: number, rank: number, n: number, c: number): void {
    const key = pair * this.nRanks + rank;
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.length++;
      if (i >= this.pair.length) this.grow();
      this.map.set(key, i);
      this.pair[i] = pair;
      this.rank[i] = rank;
    }
    this.imp[i] = (this.imp[i] ?? 0) + n;
    this.clk[i] = (this.clk[i] ?? 0) + c;
  }

  private grow(): void {
    const cap = this.pair.length * 2;
    const p = new Int32Array(cap); p.set(this.pair); this.pair = p;
    const r = new Int32Array(cap); r.set(this.rank); this.rank = r;
    const n = new Float64Array(cap); n.set(this.imp); this.imp = n;
    const c = new Float64Array(cap); c.set(this.clk); this.clk = c;
  }

  build(): CellCounts {
    return {
      length: this.length,
      pair: this.pair.slice(0, this.length),
      rank: this.rank.slice(0, this.length),
      impressions: this.imp.slice(0, this.length),
      clicks: this.clk.slice(0, this.length),
      pages: this.pages,
    };
  }
}

/** Pair keys are q * 2^26 + d: exact in a double for up to 2^26 documents and 2^27 queries. */
const PAIR_KEY_SPAN = 2 ** 26;

/** Interns (query, doc) string pairs to dense pair indices and collects cells per fold. */
export class ClickCountsBuilder {
  readonly queries: string[] = [];
  readonly docIds: string[] = [];
  private readonly queryIndex = new Map<string, number>();
  private readonly docIndex = new Map<string, number>();
  private readonly pairIndex = new BigNumberMap();
  private pairQ: number[] = [];
  private pairD: number[] = [];
  readonly folds: { train: CellBuilder; holdout: CellBuilder; randomized: CellBuilder };

  constructor(readonly nRanks: number) {
    this.folds = { train: new CellBuilder(nRanks), holdout: new CellBuilder(nRanks), randomized: new CellBuilder(nRanks) };
  }


  pairOf(query: string, doc: string): number {
    return this.pairOfIndices(this.queryOf(query), this.docOf(doc));
  }

  /** The query's index, appended the first time it is seen. */
  queryOf(query: string): number {
    return intern(this.queryIndex, this.queries, query);
  }

  /** The document's index, appended the first time it is seen. */
  docOf(doc: string): number {
    return intern(this.docIndex, this.docIds, doc);
  }

  /** The pair of a query index and a document index (from `queryOf` / `docOf`), appended the first time it is seen. */
  pairOfIndices(q: number, d: number): number {
    if (d >= PAIR_KEY_SPAN) throw usageError('too_many_documents', `bias counts: more than ${PAIR_KEY_SPAN} distinct documents; the pair index supports at most that many.`, { stage: 'bias' });
    const key = q * PAIR_KEY_SPAN + d;
    let p = this.pairIndex.get(key);
    if (p === undefined) {
      p = this.pairQ.length;
      this.pairQ.push(q);
      this.pairD.push(d);
      this.pairIndex.set(key, p);
    }
    return p;
  }

  build(): ClickCounts {
    return {
      kind: 'ClickCounts',
      nRanks: this.nRanks,
      queries: this.queries,
      docIds: this.docIds,
      pairQuery: Int32Array.from(this.pairQ),
      pairDoc: Int32Array.from(this.pairD),
      train: this.folds.train.build(),
      holdout: this.folds.holdout.build(),
      randomized: this.folds.randomized.build(),
    };
  }
}

export type Fold = 'train' | 'holdout' | 'randomized';

/** Seeded, stable page-to-holdout assignment: the same page key and seed always land in the same fold. */
export function isHoldout(pageKey: string | number, seed: number, share: number): boolean {
  if (share <= 0) return false;
  return hash32(`${seed}:${pageKey}`) / 4294967296 < share;
}

/**
 * Aggregate page sets into click counts. Either give explicit `train` and `holdout` page sets
 * (the PyClick protocol: train file, test file), or one `pages` set split by a seeded hash of the
 * page number with `holdoutShare`. Pairs are matched across page sets by their query key and doc id.
 */
export function clickCountsFromPages(
  input:
    | { readonly train: ResultPages; readonly holdout?: ResultPages; readonly randomized?: ResultPages }
    | { readonly pages: ResultPages; readonly holdoutShare: number; readonly seed: number; readonly randomized?: ResultPages },
): ClickCounts {
  const first = 'pages' in input ? input.pages : input.train;
  const nRanks = first.nRanks;
  const b = new ClickCountsBuilder(nRanks);
  let pairCache = new Map<number, number>();
  let nDocs = 1;
  const pairFor = (pg: ResultPages, q: number, d: number): number => {
    const key = q * nDocs + d;
    let p = pairCache.get(key);
    if (p === undefined) {
      p = b.pairOf(pg.queries[q] as string, pg.docIds[d] as string);
      pairCache.set(key, p);
    }
    return p;
  };
  const add = (pg: ResultPages, fold: (i: number) => Fold): void => {
    if (pg.nRanks !== nRanks) throw usageError('bad_input', `page sets disagree on the number of ranks (${pg.nRanks} vs ${nRanks}); parse them with the same ranks option`, { stage: 'bias' });
    // Page sets may carry different dictionaries: cache their (query, doc) -> pair per set.
    pairCache = new Map();
    nDocs = pg.docIds.length + 1;
    for (let i = 0; i < pg.nPages; i++) {
      const cells = b.folds[fold(i)];
      cells.pages++;
      const q = pg.query[i] as number;
      const mask = pg.clicks[i] as number;
      const base = i * nRanks;
      for (let r = 0; r < nRanks; r++) {
        const d = pg.docs[base + r] as number;
        if (d < 0) continue;
        cells.add(pairFor(pg, q, d), r, 1, (mask >>> r) & 1);
      }
    }
  };
  if ('pages' in input) {
    const { seed, holdoutShare } = input;
    add(input.pages, (i) => (isHoldout(i, seed, holdoutShare) ? 'holdout' : 'train'));
  } else {
    add(input.train, () => 'train');
    if (input.holdout) add(input.holdout, () => 'holdout');
  }
  if (input.randomized) add(input.randomized, () => 'randomized');
  return b.build();
}

/** Cells of `cells` whose pair belongs to a query, grouped: query index -> cell indices. */
export function cellsByQuery(cells: CellCounts, pairQuery: Int32Array, nQueries: number): Int32Array[] {
  const counts = new Int32Array(nQueries);
  for (let i = 0; i < cells.length; i++) counts[pairQuery[cells.pair[i] as number] as number]! += 1;
  const out = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(nQueries);
  for (let i = 0; i < cells.length; i++) {
    const q = pairQuery[cells.pair[i] as number] as number;
    (out[q] as Int32Array)[fill[q]!++] = i;
  }
  return out;
}
