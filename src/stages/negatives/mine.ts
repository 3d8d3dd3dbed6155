import { usageError } from '../../errors.js';
import { buildBm25, type Bm25Index } from '../../retrieval/bm25.js';
import type { Doc, Evidence, MultiPositive, StageStats } from '../../types.js';
import { createAmbiguityFilter } from '../false-negatives/ambiguity.js';
import { createCalibratedFilter } from '../false-negatives/calibrated.js';
import { createClickVetoFilter } from '../false-negatives/click-veto.js';
import { createJudgeFilter, type JudgeFilter } from '../false-negatives/judge.js';
import { createNearDuplicateFilter, type NearDuplicateFilter } from '../false-negatives/near-duplicate.js';
import { createPositiveAwareFilter } from '../false-negatives/positive-aware.js';
import { createPreferBehaviouralFilter } from '../false-negatives/prefer-behavioural.js';
import { createSameFieldFilter } from '../false-negatives/same-field.js';
import type { FalseNegativeFilter, FilterCandidate, FilterRecord, Judge, RemovedExample } from '../false-negatives/types.js';
import { createBehaviouralMiner } from './behavioural-miner.js';
import { createBm25Miner } from './bm25-miner.js';
import { createDenseMiner } from './dense-miner.js';
import { embedNormalized, type Embedder } from './embedder.js';
import { negativeOptions, type NegativeOptions, type NegativeOptionsInput } from './options.js';
import { createRandomMiner, drawDistinct } from './random-miner.js';
import { queryRng } from './window.js';
import { renderDocument } from '../../text/render.js';
import type { MineQuery, MiningContext, NegativeCandidate, NegativeMiner, NegativeSource, TrainingRecord } from './types.js';

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

/**
 * Mine negatives for every query with positives, remove likely false negatives, and pick
 * `perRecord` negatives per record. See docs/stages/negatives.md.
 */
export async function mineNegatives(input: MineNegativesInput, options?: NegativeOptionsInput | NegativeOptions): Promise<MineNegativesResult> {
  const t0 = performance.now();
  const o = parseOptions(options);
  const f = o.filters;
  const ctx = createMiningContext(input, o.seed, o.embedBatchSize);
  const notes: string[] = [];
  const emb = input.embedder;

  const miners: NegativeMiner[] = [];
  let behavioural: ReturnType<typeof createBehaviouralMiner> | undefined;
  for (const m of o.miners) {
    if (m === 'random') miners.push(createRandomMiner(o.random, o.seed));
    else if (m === 'bm25') miners.push(createBm25Miner(o.bm25, o.seed));
    else if (m === 'behavioural') miners.push((behavioural = createBehaviouralMiner(o.behavioural, input.weightedSkips ? { weightedSkips: input.weightedSkips } : {})));
    else if (!emb) notes.push('dense miner skipped: no embedder given.');
    else miners.push(createDenseMiner(o.dense, o.seed));
  }

  const scorer = f.positiveAware.scorer === 'auto' ? (emb ? 'dense' : 'bm25') : f.positiveAware.scorer;
  if (scorer === 'dense' && !emb) throw usageError('no_embedder', 'filters.positiveAware.scorer is "dense" but no embedder was given; pass one or use "bm25" / "auto".', { stage: STAGE });
  notes.push(`scores (positives, negatives, positive-aware filter, hardness) are ${scorer === 'dense' ? `cosine under ${emb!.id}` : 'BM25'}.`);

  const filters: FalseNegativeFilter[] = [];
  if (f.clickVeto.enabled) {
    filters.push(createClickVetoFilter(f.clickVeto, { evidence: input.evidence, positives: input.positives, ...(input.familyOf ? { familyOf: input.familyOf } : {}), ...(input.sessionCoClicks ? { sessionCoClicks: input.sessionCoClicks } : {}) }));
    if (f.clickVeto.sessionScope && !input.sessionCoClicks) notes.push('click veto: sessionScope is on but no sessionCoClicks were given (loadSessionCoClicks reads them from the log); only the family veto applies.');
  }
  if (f.sameField.enabled) {
    const present = f.sameField.fields.filter((k) => input.docs.some((d) => d[k] !== undefined && d[k] !== ''));
    if (present.length > 0) filters.push(createSameFieldFilter({ ...f.sameField, fields: present }, input.docs));
    else notes.push(`same-field filter skipped: the corpus has no ${f.sameField.fields.join('/')} field.`);
  }
  let nearDup: NearDuplicateFilter | undefined;
  if (f.nearDuplicate.enabled) filters.push((nearDup = createNearDuplicateFilter(f.nearDuplicate, input.docs)));
  // With only BM25 to score, a positive that shares no word with its query (a synonym, a novice
  // phrasing) scores near zero and the rule would throw away every lexical hard negative: under
  // "auto" it runs only when an embedder gives semantic scores.
  if (f.positiveAware.enabled && (emb || f.positiveAware.scorer === 'bm25')) filters.push(createPositiveAwareFilter(f.positiveAware));
  else if (f.positiveAware.enabled) notes.push('positive-aware filter skipped: it needs semantic scores (an embedder) under scorer "auto"; BM25 scores would remove the lexical hard negatives of every query whose positive uses other words. Set filters.positiveAware.scorer: bm25 to force it.');
  if (f.ambiguity.enabled) {
    if (emb) filters.push(createAmbiguityFilter(f.ambiguity));
    else notes.push('ambiguity filter skipped: it needs an embedder for the semantic similarity.');
  }
  let judgeFilter: JudgeFilter | undefined;
  if (f.judge.enabled && input.judge) filters.push((judgeFilter = createJudgeFilter(f.judge, input.judge)));
  else if (f.judge.enabled) notes.push('judge filter skipped: no judge given.');
  if (input.calibratedVeto) filters.push(createCalibratedFilter(input.calibratedVeto.pairs, input.calibratedVeto.vetoAbove));
  if (f.preferBehavioural.enabled) filters.push(createPreferBehaviouralFilter());
  const tallies: FilterTally[] = filters.map((filter) => ({ filter, seen: 0, removed: {}, examples: [] }));
  // the fill's own tallies: its candidates pass the same filters, counted apart from the miners' candidates
  const fillTallies: FilterTally[] = filters.map((filter) => ({ filter, seen: 0, removed: {}, examples: [] }));
  const fill = { records: 0, drawn: 0, removed: 0, surplus: 0, used: 0, stillShort: 0 };
  const renderText = input.renderText ?? ((d: Doc) => renderDocument(d, true));
  const cutoff = input.fillPublishedBefore ?? null;
  const fillable: number[] = [];
  if (o.fill === 'random') input.docs.forEach((d, i) => { if (cutoff === null || d.published_at === undefined || d.published_at < cutoff) fillable.push(i); });

  const generated: Record<string, number> = {};
  const mineDropped: Record<string, number> = {};
  const selOut: Record<string, number> = {};
  let selIn = 0, surplus = 0, tooFew = 0, lostWithRecord = 0, noPositives = 0, short = 0, pairsOut = 0;
  const hard = new Map<NegativeSource, { sum: number; n: number }>();
  const records: TrainingRecord[] = [];
  const bm25 = ctx.bm25();
  const bm25Scratch = new Float32Array(bm25.size);
  const docVecs = emb ? await ctx.docVectors() : undefined;
  const dim = emb?.dim ?? 0;

  try {
    for (let b0 = 0; b0 < input.positives.length; b0 += QUERY_BATCH) {
      const batch = input.positives.slice(b0, b0 + QUERY_BATCH);
      const queries: MineQuery[] = batch.map((m) => {
        const ex = new Set<number>();
        for (const p of m.positives) {
          const d = ctx.docIndex.get(p.doc_id);
          if (d !== undefined) ex.add(d);
        }
        return { query: m.query, query_norm: m.query_norm, exclude: ex };
      });
      if (emb) await ctx.queryVectors(queries.map((q) => q.query)); // one batched call per QUERY_BATCH, cached for the miners and the scores
      const perMiner = [];
      for (const miner of miners) perMiner.push(await miner.mine(queries, ctx));

      for (let qi = 0; qi < batch.length; qi++) {
        const m = batch[qi]!;
        if (m.positives.length === 0) {
          noPositives++;
          continue;
        }
        // Merge: first miner (priority order) wins a doc proposed twice.
        const merged: NegativeCandidate[] = [];
        const taken = new Set<number>();
        for (let mi = 0; mi < miners.length; mi++) {
          for (const c of perMiner[mi]![qi]!) {
            generated[c.source] = (generated[c.source] ?? 0) + 1;
            if (taken.has(c.doc)) {
              mineDropped['candidates.duplicate'] = (mineDropped['candidates.duplicate'] ?? 0) + 1;
              continue;
            }
            taken.add(c.doc);
            merged.push(c);
          }
        }

        // Scores, once per record: BM25 for every matching doc, cosine when an embedder is given.
        const res = bm25.search(m.query, bm25.size);
        for (let i = 0; i < res.ids.length; i++) bm25Scratch[res.ids[i]!] = res.scores[i]!;
        const qv = emb ? await ctx.queryVector(m.query) : undefined;
        const cosineOf = (d: number) => (qv && docVecs ? dotAt(qv, docVecs, d * dim, dim) : undefined);
        const scoreOf = (d: number, bm: number) => (scorer === 'dense' ? cosineOf(d)! : bm);
        const positives = await Promise.all(
          m.positives.map(async (p) => {
            const d = ctx.docIndex.get(p.doc_id) ?? -1;
            let score = NaN;
            if (d >= 0) score = scoreOf(d, bm25Scratch[d]!);
            else if (scorer === 'dense' && qv) score = dotAt(qv, await embedNormalized(emb!, [(input.prompts?.document ?? '') + p.text]), 0, dim);
            return { doc: d, doc_id: p.doc_id, text: d >= 0 ? renderText(input.docs[d]!) : p.text, score, grade: p.grade, weight: p.weight };
          }),
        );
        const family = input.familyOf?.get(m.query_norm) ?? m.query_norm;
        const rec: FilterRecord = { query: m.query, query_norm: m.query_norm, family, positives, bm25Max: res.scores.length > 0 ? res.scores[0]! : 0, perRecord: o.perRecord };
        const toCandidate = (c: NegativeCandidate): FilterCandidate => {
          const doc = input.docs[c.doc]!;
          const bm = bm25Scratch[c.doc]!;
          const cos = cosineOf(c.doc);
          return {
            doc: c.doc, doc_id: doc.doc_id, text: doc.text, source: c.source, rank: c.rank, score: scoreOf(c.doc, bm), bm25: bm,
            ...(cos !== undefined ? { cosine: cos } : {}),
            ...(c.behaviour ? { behaviour: c.behaviour } : {}),
          };
        };
        const cands = await applyFilters(rec, merged.map(toCandidate), tallies, input.onRemoved);

        selIn += cands.length;
        const chosen: (FilterCandidate & { filled?: true })[] = selectNegatives(cands, miners.map((x) => x.source), o.perRecord);
        surplus += cands.length - chosen.length;
        if (chosen.length < o.perRecord && o.fill === 'random') {
          // Top up with random documents that pass the same filters (never one a miner proposed: it was merged, kept or removed already).
          const rng = queryRng(o.seed, 'fill', m.query_norm);
          const need = o.perRecord - chosen.length;
          const exclude = queries[qi]!.exclude;
          const drawn = drawDistinct(rng, fillable.length, need * FILL_DRAWS, (i) => taken.has(fillable[i]!) || exclude.has(fillable[i]!))
            .map((i, r): NegativeCandidate => ({ doc: fillable[i]!, source: 'random', rank: r + 1 }));
          for (const c of drawn) taken.add(c.doc);
          fill.drawn += drawn.length;
          const passed = await applyFilters(rec, drawn.map(toCandidate), fillTallies, input.onRemoved);
          fill.removed += drawn.length - passed.length;
          const used = passed.slice(0, need);
          fill.surplus += passed.length - used.length;
          fill.used += used.length;
          if (used.length > 0) fill.records++;
          if (used.length < need) fill.stillShort++;
          for (const c of used) chosen.push({ ...c, filled: true });
        }
        for (let i = 0; i < res.ids.length; i++) bm25Scratch[res.ids[i]!] = 0;
        if (chosen.length < o.perRecord) short++;
        if (chosen.length < o.minNegatives) {
          tooFew++;
          lostWithRecord += chosen.length;
          continue;
        }
        let minPos = Infinity;
        for (const p of positives) if (!Number.isNaN(p.score) && p.score < minPos) minPos = p.score;
        for (const c of chosen) {
          const key = c.filled ? 'negatives_fill' : `negatives_${c.source}`;
          selOut[key] = (selOut[key] ?? 0) + 1;
          if (minPos > 0 && Number.isFinite(minPos)) {
            const h = hard.get(c.source) ?? { sum: 0, n: 0 };
            h.sum += c.score / minPos;
            h.n++;
            hard.set(c.source, h);
          }
        }
        pairsOut += chosen.length;
        records.push({
          kind: 'TrainingRecord',
          query: m.query,
          query_norm: m.query_norm,
          family,
          positives: positives.map((p) => ({ doc_id: p.doc_id, text: p.text, grade: p.grade, weight: p.weight, ...(Number.isNaN(p.score) ? {} : { score: p.score }) })),
          negatives: chosen.map((c) => ({ doc_id: c.doc_id, text: renderText(input.docs[c.doc]!), source: c.source, score: c.score, rank: c.rank, ...(c.filled ? { filled: true } : {}) })),
        });
      }
    }
  } finally {
    for (const miner of miners) await miner.close?.();
  }
  for (const miner of miners) notes.push(...(miner.notes?.() ?? []));

  const candidatesTotal = Object.values(generated).reduce((a, b) => a + b, 0) - (mineDropped['candidates.duplicate'] ?? 0);
  const missing = behavioural?.missingDocs() ?? 0;
  if (missing > 0) mineDropped['candidates.behavioural_doc_not_in_corpus'] = missing;
  const stats: StageStats[] = [
    {
      stage: `${STAGE}/mine`,
      in: { records: input.positives.length, docs: input.docs.length, evidence: input.evidence.length },
      out: { candidates: candidatesTotal, ...Object.fromEntries(Object.entries(generated).map(([k, v]) => [`proposed_${k}`, v])) },
      dropped: mineDropped,
      notes,
      seconds: (performance.now() - t0) / 1000,
    },
  ];
  const removedExamples: Record<string, RemovedExample[]> = {};
  for (const t of tallies) {
    const removed = Object.values(t.removed).reduce((a, b) => a + b, 0);
    const n: string[] = [];
    n.push(`removed ${removed} of ${t.seen} candidates (${t.seen > 0 ? ((100 * removed) / t.seen).toFixed(1) : '0.0'}%).`);
    if (t.filter === judgeFilter) n.push(`judged ${judgeFilter.counts.judged}, unparsable ${judgeFilter.counts.unparsable}, left unjudged ${judgeFilter.counts.unjudged} (maxPerRecord).`);
    if (t.filter === nearDup && nearDup.clusters) {
      n.push(`corpus: ${nearDup.clusters.clusters} near-duplicate clusters, largest ${nearDup.clusters.largest} docs, ${nearDup.clusters.clustered} docs in clusters.`);
    }
    stats.push({ stage: `false-negatives/${t.filter.name}`, in: { candidates: t.seen }, out: { kept: t.seen - removed }, dropped: t.removed, notes: n });
    removedExamples[t.filter.name] = t.examples;
  }
  if (o.fill === 'random') {
    const removedBy = fillTallies.map((t) => `${t.filter.name} ${Object.values(t.removed).reduce((a, b) => a + b, 0)}`).join(', ');
    stats.push({
      stage: `${STAGE}/fill`,
      in: { candidates: fill.drawn },
      out: { candidates: fill.used, records: fill.records },
      dropped: { 'candidates.removed_by_filters': fill.removed, 'candidates.surplus': fill.surplus },
      notes: [
        `${fill.records} records short of ${o.perRecord} negatives after the filters were topped up with ${fill.used} random documents that passed the same filters (removed by filter: ${removedBy || 'none'}).`,
        ...(fill.stillShort > 0 ? [`${fill.stillShort} records stayed short: too few documents passed the filters (a small corpus, or a chronological cutoff before most documents were published).`] : []),
      ],
    });
  }
  const selNotes: string[] = [];
  if (short > 0) {
    selNotes.push(`${short} of ${input.positives.length} records got fewer than ${o.perRecord} negatives: consider a wider bm25/dense window or count, or more miners (e.g. "random").`);
  }
  stats.push({
    stage: `${STAGE}/select`,
    // candidates in: what passed the filters, plus the fill's random documents that passed them too (negatives/fill)
    in: { candidates: selIn + fill.used, records: input.positives.length },
    out: { records: records.length, negatives: pairsOut, ...selOut },
    // unit-prefixed reasons (see stages/report): candidates in = negatives out + candidates.*; records in = records out + records.*
    dropped: { 'candidates.surplus': surplus, 'candidates.of_dropped_records': lostWithRecord, 'records.too_few_negatives': tooFew, 'records.without_positives': noPositives },
    notes: selNotes,
  });
  const hardness: MineNegativesResult['hardness'] = {};
  for (const [k, v] of hard) hardness[k] = { mean: v.sum / v.n, n: v.n };
  const dup = nearDup?.clusters;
  const recordScorer: RecordScorer = scorer === 'dense' ? { kind: 'dense', embedder: emb!.id } : { kind: 'bm25' };
  return { records, stats, removedExamples, hardness, scorer: recordScorer, ...(dup ? { duplicates: { clusters: dup.clusters, largest: dup.largest, clustered: dup.clustered } } : {}) };
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
