import { usageError } from '../../errors.js';
import { buildBm25, type Bm25Index } from '../../retrieval/bm25.js';
import { renderDocument } from '../../text/render.js';
import type { Doc, Evidence, MultiPositive, StageStats } from '../../types.js';
import { createFilters } from '../false-negatives/filters.js';
import { findNearDuplicateFilter } from '../false-negatives/near-duplicate.js';
import type { Embedder, Judge } from '../../ports/index.js';
import type { FalseNegativeFilter, FilterCandidate, FilterRecord, RemovedExample } from '../false-negatives/types.js';
import { embedNormalized } from './embedder.js';
import { miners } from './miners.js';
import { negativeOptions, type NegativeOptions, type NegativeOptionsInput } from './options.js';
import { drawDistinct } from './random-miner.js';
import type { MineQuery, MinerSetup, MiningContext, NegativeCandidate, NegativeMiner, NegativeSource, TrainingRecord } from './types.js';
import { queryRng } from './window.js';

export interface MineNegativesInput {
  readonly positives: readonly MultiPositive[];
  readonly evidence: readonly Evidence[];
  readonly docs: readonly Doc[];
  /** query_norm -> family id (from stages/families). Default: each query is its own family. */
  readonly familyOf?: ReadonlyMap<string, string>;
  readonly embedder?: Embedder;
  readonly judge?: Judge;
  /**
   * Expected examinations per `${query_norm}\t${doc_id}` (the graded evidence's `expected_examinations`,
   * see `loadExpectedExaminations`): the exposure of unclicked docs; a pair missing from it counts its impressions.
   */
  readonly expectedExaminations?: ReadonlyMap<string, number>;
  /** Examination-weighted skip-above count per `${query_norm}\t${doc_id}` (see `loadWeightedSkips`); orders and weights skip-above candidates. */
  readonly weightedSkips?: ReadonlyMap<string, number>;
  /** Docs clicked for another query of a shared session, per `${query_norm}\t${doc_id}` (see `loadSessionCoClicks`); the click veto's `sessionScope` reads it. */
  readonly sessionCoClicks?: ReadonlyMap<string, string>;
  /** false when the build has no click log: the miners that learn from clicks are skipped with a note. Default true. */
  readonly clickLog?: boolean;
  /** How a negative reads in the records; the positives' text must come from the same function. Default: `renderDocument(doc, true)`. */
  readonly renderText?: (doc: Doc) => string;
  /** Prefixes the embedder puts before queries and documents (E5 "query: " / "passage: ", a BGE instruction); default none. */
  readonly prompts?: { readonly query: string; readonly document: string };
  /** Epoch ms: random fill negatives come only from documents published before it (the chronological cutoff); null/absent = any. */
  readonly fillPublishedBefore?: number | null;
  /** Pairs (`${query_norm}\t${doc_id}`) a calibration estimates likely relevant (see stages/calibration/apply.ts): never negatives. */
  readonly calibratedVeto?: { readonly pairs: ReadonlySet<string>; readonly vetoAbove: number };
  /** Called for every candidate a false-negative filter removes (the report's example browser keeps a sample). */
  readonly onRemoved?: (rec: FilterRecord, doc_id: string, filter: string, reason: string) => void;
}

/** What the records' `score` fields mean: BM25 of the query, or cosine under one embedder. */
export type RecordScorer = { readonly kind: 'bm25' } | { readonly kind: 'dense'; readonly embedder: string };

export interface MineNegativesResult {
  readonly records: TrainingRecord[];
  /** negatives/mine, one entry per false-negative filter (in order), negatives/select. */
  readonly stats: StageStats[];
  /** Up to 5 removed candidates per filter name, for the report. */
  readonly removedExamples: Record<string, RemovedExample[]>;
  /** Per source: mean of (negative score / lowest positive score) over exported negatives whose lowest positive score is > 0. */
  readonly hardness: Partial<Record<NegativeSource, { readonly mean: number; readonly n: number }>>;
  /** Corpus-wide near-duplicate clusters (when the near-duplicate filter computed them). */
  readonly duplicates?: { readonly clusters: number; readonly largest: number; readonly clustered: number };
  /** The one scorer behind every `score` of the records. */
  readonly scorer: RecordScorer;
}

const STAGE = 'negatives';
const MAX_EXAMPLES = 5;
const QUERY_BATCH = 256;
/** Random fill draws this many candidates per missing negative, so that filter removals rarely leave a record short. */
const FILL_DRAWS = 3;

function parseOptions(o: NegativeOptionsInput | NegativeOptions | undefined): NegativeOptions {
  const r = negativeOptions.safeParse(o ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - negatives.${i.path.join('.')}: ${i.message}`);
    throw usageError('bad_negative_options', `invalid negative-mining options:\n${lines.join('\n')}\nSee docs/stages/negatives.md.`, { stage: STAGE });
  }
  return r.data;
}

/** The shared lazy resources (doc index, BM25, embeddings) that miners and filters use. Exported for tests and custom pipelines. */
export function createMiningContext(input: MineNegativesInput, seed: number, batchSize = 256): MiningContext {
  const docIndex = new Map<string, number>();
  input.docs.forEach((d, i) => {
    const prev = docIndex.get(d.doc_id);
    if (prev !== undefined) {
      throw usageError('duplicate_doc_id', `corpus row ${i + 1} repeats doc_id "${d.doc_id}" (first seen at row ${prev + 1}); doc ids must be unique: de-duplicate the corpus.`, { stage: STAGE });
    }
    docIndex.set(d.doc_id, i);
  });
  const evidenceByQuery = new Map<string, Evidence[]>();
  for (const e of input.evidence) {
    const l = evidenceByQuery.get(e.query_norm);
    if (l) l.push(e); else evidenceByQuery.set(e.query_norm, [e]);
  }
  let bm25: Bm25Index | undefined;
  let vecs: Promise<Float32Array> | undefined;
  const qcache = new Map<string, Float32Array>();
  const emb = input.embedder;
  const queryPrefix = input.prompts?.query ?? '';
  const documentPrefix = input.prompts?.document ?? '';
  const needEmbedder = (): Embedder => {
    if (!emb) throw usageError('no_embedder', 'dense scoring needs an embedder; pass `embedder` or choose scorer "bm25".', { stage: STAGE });
    return emb;
  };
  const queryVectors = async (queries: readonly string[]): Promise<Float32Array> => {
    const e = needEmbedder();
    const missing = [...new Set(queries.filter((q) => !qcache.has(q)))];
    if (missing.length > 0) {
      const v = await embedNormalized(e, missing.map((q) => queryPrefix + q), batchSize);
      missing.forEach((q, i) => qcache.set(q, v.slice(i * e.dim, (i + 1) * e.dim)));
    }
    const out = new Float32Array(queries.length * e.dim);
    queries.forEach((q, i) => out.set(qcache.get(q)!, i * e.dim));
    return out;
  };
  return {
    docs: input.docs,
    docIndex,
    seed,
    evidenceByQuery,
    ...(input.expectedExaminations ? { expectedExaminations: input.expectedExaminations } : {}),
    ...(emb ? { embedder: emb } : {}),
    bm25: () => (bm25 ??= buildBm25(input.docs.map((d) => ({ id: d.doc_id, text: d.text })))),
    docVectors() {
      const e = needEmbedder();
      return (vecs ??= embedNormalized(e, input.docs.map((d) => documentPrefix + d.text), batchSize));
    },
    queryVector: (q: string) => queryVectors([q]),
    queryVectors,
  };
}

interface FilterTally {
  readonly filter: FalseNegativeFilter;
  seen: number;
  removed: Record<string, number>;
  examples: RemovedExample[];
}

/** Run the candidates through every filter in order, counting removals (and up to MAX_EXAMPLES examples) per filter. */
async function applyFilters(rec: FilterRecord, cands: FilterCandidate[], tallies: readonly FilterTally[], onRemoved?: MineNegativesInput['onRemoved']): Promise<FilterCandidate[]> {
  for (const t of tallies) {
    if (cands.length === 0) break;
    t.seen += cands.length;
    const verdicts = await t.filter.apply(rec, cands);
    const keep: FilterCandidate[] = [];
    for (let i = 0; i < cands.length; i++) {
      const v = verdicts[i];
      if (!v) {
        keep.push(cands[i]!);
        continue;
      }
      t.removed[v.code] = (t.removed[v.code] ?? 0) + 1;
      if (t.examples.length < MAX_EXAMPLES) t.examples.push({ query: rec.query, doc_id: cands[i]!.doc_id, reason: `${v.code}: ${v.detail}` });
      onRemoved?.(rec, cands[i]!.doc_id, t.filter.name, `${v.code}: ${v.detail}`);
    }
    cands = keep;
  }
  return cands;
}

/** What one `mineNegatives` call counts, for its stage stats. */
interface Counts {
  readonly generated: Record<string, number>;
  readonly mineDropped: Record<string, number>;
  readonly selOut: Record<string, number>;
  selIn: number;
  surplus: number;
  tooFew: number;
  lostWithRecord: number;
  noPositives: number;
  short: number;
  pairsOut: number;
  readonly hard: Map<NegativeSource, { sum: number; n: number }>;
  readonly fill: { records: number; drawn: number; removed: number; surplus: number; used: number; stillShort: number };
}

/** The resources and tallies of one `mineNegatives` call, shared by its steps. */
interface Run {
  readonly input: MineNegativesInput;
  readonly o: NegativeOptions;
  readonly ctx: MiningContext;
  readonly miners: readonly NegativeMiner[];
  readonly scorer: RecordScorer['kind'];
  readonly tallies: readonly FilterTally[];
  /** The fill's own tallies: its candidates pass the same filters, counted apart from the miners' candidates. */
  readonly fillTallies: readonly FilterTally[];
  /** Corpus indices the random fill may draw from (published before the cutoff). */
  readonly fillable: readonly number[];
  readonly renderText: (doc: Doc) => string;
  readonly bm25: Bm25Index;
  /** BM25 score per corpus index for the record being scored (zero elsewhere). */
  readonly bm25Scratch: Float32Array;
  readonly docVecs: Float32Array | undefined;
  readonly records: TrainingRecord[];
  readonly counts: Counts;
}

/** A record's scores, once per record: BM25 for every matching doc, cosine when an embedder is given. */
interface ScoredRecord {
  readonly rec: FilterRecord;
  readonly positives: readonly { readonly doc: number; readonly doc_id: string; readonly text: string; readonly score: number; readonly grade: number; readonly weight: number }[];
  toCandidate(c: NegativeCandidate): FilterCandidate;
  /** Zero the BM25 scratch entries this record set. */
  clear(): void;
}

type Chosen = FilterCandidate & { readonly filled?: true };

/**
 * Mine negatives for every query with positives, remove likely false negatives, and pick
 * `perRecord` negatives per record. See docs/stages/negatives.md.
 */
export async function mineNegatives(input: MineNegativesInput, options?: NegativeOptionsInput | NegativeOptions): Promise<MineNegativesResult> {
  const t0 = performance.now();
  const o = parseOptions(options);
  const ctx = createMiningContext(input, o.seed, o.embedBatchSize);
  const notes: string[] = [];
  const miners = createMiners(o, input, notes);
  const scorer = chooseScorer(o.filters.positiveAware.scorer, input.embedder, notes);
  const { filters, notes: filterNotes } = createFilters({
    options: o.filters,
    docs: input.docs,
    evidence: input.evidence,
    positives: input.positives,
    semantic: input.embedder !== undefined,
    ...(input.familyOf ? { familyOf: input.familyOf } : {}),
    ...(input.sessionCoClicks ? { sessionCoClicks: input.sessionCoClicks } : {}),
    ...(input.judge ? { judge: input.judge } : {}),
    ...(input.calibratedVeto ? { calibratedVeto: input.calibratedVeto } : {}),
  });
  notes.push(...filterNotes);
  const run = await startRun(input, o, ctx, miners, filters, scorer);
  try {
    for (let b0 = 0; b0 < input.positives.length; b0 += QUERY_BATCH) await mineBatch(run, input.positives.slice(b0, b0 + QUERY_BATCH));
  } finally {
    for (const miner of miners) await miner.close?.();
  }
  for (const miner of miners) notes.push(...(miner.notes?.() ?? []));

  const filtered = filterStats(run.tallies);
  const stats = [mineStats(run, notes, t0), ...filtered.stats, ...(o.fill === 'random' ? [fillStats(run)] : []), selectStats(run)];
  const hardness: MineNegativesResult['hardness'] = {};
  for (const [k, v] of run.counts.hard) hardness[k] = { mean: v.sum / v.n, n: v.n };
  const dup = findNearDuplicateFilter(filters)?.clusters;
  const recordScorer: RecordScorer = scorer === 'dense' ? { kind: 'dense', embedder: input.embedder!.id } : { kind: 'bm25' };
  return { records: run.records, stats, removedExamples: filtered.removedExamples, hardness, scorer: recordScorer, ...(dup ? { duplicates: { clusters: dup.clusters, largest: dup.largest, clustered: dup.clustered } } : {}) };
}

/** The miners of `negatives.miners`, in order, from the registry; a miner that cannot run leaves a note. */
function createMiners(o: NegativeOptions, input: MineNegativesInput, notes: string[]): NegativeMiner[] {
  const setup: MinerSetup = { options: o, ...(input.embedder ? { embedder: input.embedder } : {}), ...(input.weightedSkips ? { weightedSkips: input.weightedSkips } : {}), ...(input.clickLog === false ? { clickLog: false } : {}) };
  const out: NegativeMiner[] = [];
  for (const name of o.miners) {
    const m = miners[name](setup);
    if ('skipped' in m) notes.push(m.skipped);
    else out.push(m);
  }
  return out;
}

/** The one scale of every score in the records: cosine under the embedder, or BM25. */
function chooseScorer(choice: 'auto' | 'bm25' | 'dense', emb: Embedder | undefined, notes: string[]): RecordScorer['kind'] {
  const scorer = choice === 'auto' ? (emb ? 'dense' : 'bm25') : choice;
  if (scorer === 'dense' && !emb) throw usageError('no_embedder', 'filters.positiveAware.scorer is "dense" but no embedder was given; pass one or use "bm25" / "auto".', { stage: STAGE });
  notes.push(`scores (positives, negatives, positive-aware filter, hardness) are ${scorer === 'dense' ? `cosine under ${emb!.id}` : 'BM25'}.`);
  return scorer;
}

async function startRun(input: MineNegativesInput, o: NegativeOptions, ctx: MiningContext, miners: readonly NegativeMiner[], filters: readonly FalseNegativeFilter[], scorer: RecordScorer['kind']): Promise<Run> {
  const tally = (filter: FalseNegativeFilter): FilterTally => ({ filter, seen: 0, removed: {}, examples: [] });
  const cutoff = input.fillPublishedBefore ?? null;
  const fillable: number[] = [];
  if (o.fill === 'random') input.docs.forEach((d, i) => { if (cutoff === null || d.published_at === undefined || d.published_at < cutoff) fillable.push(i); });
  const bm25 = ctx.bm25();
  return {
    input, o, ctx, miners, scorer, fillable, bm25,
    tallies: filters.map(tally),
    fillTallies: filters.map(tally),
    renderText: input.renderText ?? ((d: Doc) => renderDocument(d, true)),
    bm25Scratch: new Float32Array(bm25.size),
    docVecs: input.embedder ? await ctx.docVectors() : undefined,
    records: [],
    counts: {
      generated: {}, mineDropped: {}, selOut: {}, selIn: 0, surplus: 0, tooFew: 0, lostWithRecord: 0, noPositives: 0, short: 0, pairsOut: 0,
      hard: new Map(),
      fill: { records: 0, drawn: 0, removed: 0, surplus: 0, used: 0, stillShort: 0 },
    },
  };
}

/** Run every miner over one batch of queries, then build each query's record. */
async function mineBatch(run: Run, batch: readonly MultiPositive[]): Promise<void> {
  const queries: MineQuery[] = batch.map((m) => {
    const ex = new Set<number>();
    for (const p of m.positives) {
      const d = run.ctx.docIndex.get(p.doc_id);
      if (d !== undefined) ex.add(d);
    }
    return { query: m.query, query_norm: m.query_norm, exclude: ex };
  });
  if (run.input.embedder) await run.ctx.queryVectors(queries.map((q) => q.query)); // one batched call per QUERY_BATCH, cached for the miners and the scores
  const perMiner: NegativeCandidate[][][] = [];
  for (const miner of run.miners) perMiner.push(await miner.mine(queries, run.ctx));
  for (let qi = 0; qi < batch.length; qi++) {
    const m = batch[qi]!;
    if (m.positives.length === 0) {
      run.counts.noPositives++;
      continue;
    }
    await mineRecord(run, m, queries[qi]!.exclude, perMiner.map((c) => c[qi]!));
  }
}

/** One record: merge the miners' proposals, score, filter, pick, top up, and keep it if it has enough negatives. */
async function mineRecord(run: Run, m: MultiPositive, exclude: ReadonlySet<number>, proposals: readonly (readonly NegativeCandidate[])[]): Promise<void> {
  const { o } = run;
  const { merged, taken } = mergeProposals(run.counts, proposals);
  const scored = await scoreRecord(run, m);
  const cands = await applyFilters(scored.rec, merged.map(scored.toCandidate), run.tallies, run.input.onRemoved);
  run.counts.selIn += cands.length;
  const chosen: Chosen[] = selectNegatives(cands, run.miners.map((x) => x.source), o.perRecord);
  run.counts.surplus += cands.length - chosen.length;
  if (chosen.length < o.perRecord && o.fill === 'random') chosen.push(...(await fillRecord(run, scored, exclude, taken, o.perRecord - chosen.length)));
  scored.clear();
  keepRecord(run, m, scored, chosen);
}

/** The miners' candidates in priority order: the first miner wins a doc proposed twice. */
function mergeProposals(counts: Counts, proposals: readonly (readonly NegativeCandidate[])[]): { merged: NegativeCandidate[]; taken: Set<number> } {
  const merged: NegativeCandidate[] = [];
  const taken = new Set<number>();
  for (const list of proposals) {
    for (const c of list) {
      counts.generated[c.source] = (counts.generated[c.source] ?? 0) + 1;
      if (taken.has(c.doc)) {
        counts.mineDropped['candidates.duplicate'] = (counts.mineDropped['candidates.duplicate'] ?? 0) + 1;
        continue;
      }
      taken.add(c.doc);
      merged.push(c);
    }
  }
  return { merged, taken };
}

async function scoreRecord(run: Run, m: MultiPositive): Promise<ScoredRecord> {
  const { input, ctx, bm25, bm25Scratch: scratch, docVecs, scorer } = run;
  const emb = input.embedder;
  const dim = emb?.dim ?? 0;
  // scores looked up by document: no ranking needed (bm25.search over the whole corpus sorted every match)
  const res = bm25.scoreAll(m.query);
  for (let i = 0; i < res.ids.length; i++) scratch[res.ids[i]!] = res.scores[i]!;
  const qv = emb ? await ctx.queryVector(m.query) : undefined;
  const cosineOf = (d: number) => (qv && docVecs ? dotAt(qv, docVecs, d * dim, dim) : undefined);
  const scoreOf = (d: number, bm: number) => (scorer === 'dense' ? cosineOf(d)! : bm);
  const positives = await Promise.all(
    m.positives.map(async (p) => {
      const d = ctx.docIndex.get(p.doc_id) ?? -1;
      let score = NaN;
      if (d >= 0) score = scoreOf(d, scratch[d]!);
      else if (scorer === 'dense' && qv) score = dotAt(qv, await embedNormalized(emb!, [(input.prompts?.document ?? '') + p.text]), 0, dim);
      return { doc: d, doc_id: p.doc_id, text: d >= 0 ? run.renderText(input.docs[d]!) : p.text, score, grade: p.grade, weight: p.weight };
    }),
  );
  const family = input.familyOf?.get(m.query_norm) ?? m.query_norm;
  return {
    rec: { query: m.query, query_norm: m.query_norm, family, positives, bm25Max: res.max, perRecord: run.o.perRecord },
    positives,
    toCandidate(c) {
      const doc = input.docs[c.doc]!;
      const bm = scratch[c.doc]!;
      const cos = cosineOf(c.doc);
      return {
        doc: c.doc, doc_id: doc.doc_id, text: doc.text, source: c.source, rank: c.rank, score: scoreOf(c.doc, bm), bm25: bm,
        ...(cos !== undefined ? { cosine: cos } : {}),
        ...(c.behaviour ? { behaviour: c.behaviour } : {}),
      };
    },
    clear() {
      for (let i = 0; i < res.ids.length; i++) scratch[res.ids[i]!] = 0;
    },
  };
}

/** Top a short record up with random documents that pass the same filters (never one a miner proposed: it was merged, kept or removed already). */
async function fillRecord(run: Run, scored: ScoredRecord, exclude: ReadonlySet<number>, taken: ReadonlySet<number>, need: number): Promise<Chosen[]> {
  const { fillable, counts: { fill } } = run;
  const rng = queryRng(run.o.seed, 'fill', scored.rec.query_norm);
  const drawn = drawDistinct(rng, fillable.length, need * FILL_DRAWS, (i) => taken.has(fillable[i]!) || exclude.has(fillable[i]!))
    .map((i, r): NegativeCandidate => ({ doc: fillable[i]!, source: 'random', rank: r + 1 }));
  fill.drawn += drawn.length;
  const passed = await applyFilters(scored.rec, drawn.map(scored.toCandidate), run.fillTallies, run.input.onRemoved);
  fill.removed += drawn.length - passed.length;
  const used = passed.slice(0, need);
  fill.surplus += passed.length - used.length;
  fill.used += used.length;
  if (used.length > 0) fill.records++;
  if (used.length < need) fill.stillShort++;
  return used.map((c) => ({ ...c, filled: true as const }));
}

/** Count the record's negatives and keep it, unless it has fewer than `minNegatives`. */
function keepRecord(run: Run, m: MultiPositive, scored: ScoredRecord, chosen: readonly Chosen[]): void {
  const { o, counts: c } = run;
  if (chosen.length < o.perRecord) c.short++;
  if (chosen.length < o.minNegatives) {
    c.tooFew++;
    c.lostWithRecord += chosen.length;
    return;
  }
  let minPos = Infinity;
  for (const p of scored.positives) if (!Number.isNaN(p.score) && p.score < minPos) minPos = p.score;
  for (const n of chosen) {
    const key = n.filled ? 'negatives_fill' : `negatives_${n.source}`;
    c.selOut[key] = (c.selOut[key] ?? 0) + 1;
    if (minPos > 0 && Number.isFinite(minPos)) {
      const h = c.hard.get(n.source) ?? { sum: 0, n: 0 };
      h.sum += n.score / minPos;
      h.n++;
      c.hard.set(n.source, h);
    }
  }
  c.pairsOut += chosen.length;
  run.records.push({
    kind: 'TrainingRecord',
    query: m.query,
    query_norm: m.query_norm,
    family: scored.rec.family,
    positives: scored.positives.map((p) => ({ doc_id: p.doc_id, text: p.text, grade: p.grade, weight: p.weight, ...(Number.isNaN(p.score) ? {} : { score: p.score }) })),
    negatives: chosen.map((n) => ({ doc_id: n.doc_id, text: run.renderText(run.input.docs[n.doc]!), source: n.source, score: n.score, rank: n.rank, ...(n.filled ? { filled: true } : {}) })),
  });
}

function mineStats(run: Run, notes: string[], t0: number): StageStats {
  const { input, counts: { generated, mineDropped } } = run;
  const candidatesTotal = Object.values(generated).reduce((a, b) => a + b, 0) - (mineDropped['candidates.duplicate'] ?? 0);
  // a miner listed twice counts its drops once
  for (const miner of run.miners) Object.assign(mineDropped, miner.dropped?.());
  return {
    stage: `${STAGE}/mine`,
    in: { records: input.positives.length, docs: input.docs.length, evidence: input.evidence.length },
    out: { candidates: candidatesTotal, ...Object.fromEntries(Object.entries(generated).map(([k, v]) => [`proposed_${k}`, v])) },
    dropped: mineDropped,
    notes,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** One `false-negatives/<name>` stage per filter, and up to MAX_EXAMPLES removed candidates each. */
function filterStats(tallies: readonly FilterTally[]): { stats: StageStats[]; removedExamples: Record<string, RemovedExample[]> } {
  const stats: StageStats[] = [];
  const removedExamples: Record<string, RemovedExample[]> = {};
  for (const t of tallies) {
    const removed = Object.values(t.removed).reduce((a, b) => a + b, 0);
    const notes = [`removed ${removed} of ${t.seen} candidates (${t.seen > 0 ? ((100 * removed) / t.seen).toFixed(1) : '0.0'}%).`, ...(t.filter.notes?.() ?? [])];
    stats.push({ stage: `false-negatives/${t.filter.name}`, in: { candidates: t.seen }, out: { kept: t.seen - removed }, dropped: t.removed, notes });
    removedExamples[t.filter.name] = t.examples;
  }
  return { stats, removedExamples };
}

function fillStats({ o, fillTallies, counts: { fill } }: Run): StageStats {
  const removedBy = fillTallies.map((t) => `${t.filter.name} ${Object.values(t.removed).reduce((a, b) => a + b, 0)}`).join(', ');
  return {
    stage: `${STAGE}/fill`,
    in: { candidates: fill.drawn },
    out: { candidates: fill.used, records: fill.records },
    dropped: { 'candidates.removed_by_filters': fill.removed, 'candidates.surplus': fill.surplus },
    notes: [
      `${fill.records} records short of ${o.perRecord} negatives after the filters were topped up with ${fill.used} random documents that passed the same filters (removed by filter: ${removedBy || 'none'}).`,
      ...(fill.stillShort > 0 ? [`${fill.stillShort} records stayed short: too few documents passed the filters (a small corpus, or a chronological cutoff before most documents were published).`] : []),
    ],
  };
}

function selectStats({ input, o, records, counts: c }: Run): StageStats {
  const notes: string[] = [];
  if (c.short > 0) {
    notes.push(`${c.short} of ${input.positives.length} records got fewer than ${o.perRecord} negatives: consider a wider bm25/dense window or count, or more miners (e.g. "random").`);
  }
  return {
    stage: `${STAGE}/select`,
    // candidates in: what passed the filters, plus the fill's random documents that passed them too (negatives/fill)
    in: { candidates: c.selIn + c.fill.used, records: input.positives.length },
    out: { records: records.length, negatives: c.pairsOut, ...c.selOut },
    // unit-prefixed reasons (see stages/report): candidates in = negatives out + candidates.*; records in = records out + records.*
    dropped: { 'candidates.surplus': c.surplus, 'candidates.of_dropped_records': c.lostWithRecord, 'records.too_few_negatives': c.tooFew, 'records.without_positives': c.noPositives },
    notes,
  };
}

function dotAt(q: Float32Array, m: Float32Array, off: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += q[j]! * m[off + j]!;
  return s;
}

/**
 * The final pick: "skipped above the click" candidates first, then round-robin over the sources
 * in miner order, each source in its own preference order.
 */
export function selectNegatives<T extends { readonly source: NegativeSource; readonly behaviour?: string }>(cands: readonly T[], order: readonly NegativeSource[], k: number): T[] {
  const out: T[] = [];
  for (const c of cands) if (out.length < k && c.behaviour === 'skip_above') out.push(c);
  const queues = order.map((s) => cands.filter((c) => c.source === s && c.behaviour !== 'skip_above'));
  const pos = queues.map(() => 0);
  let progress = true;
  while (out.length < k && progress) {
    progress = false;
    for (let i = 0; i < queues.length && out.length < k; i++) {
      const q = queues[i]!;
      if (pos[i]! < q.length) {
        out.push(q[pos[i]!]!);
        pos[i]!++;
        progress = true;
      }
    }
  }
  return out;
}
