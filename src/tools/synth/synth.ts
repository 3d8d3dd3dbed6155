import { usageError } from '../../errors.js';
import { createRng } from '../../util/rng.js';
import type { CorpusDoc } from './corpus.js';
import { filters as filterRegistry } from './filters/index.js';
import { generators } from './generators/index.js';
import { applyNoise } from './noise.js';
import { synthOptions, type ResolvedSynthOptions, type SynthOptionsInput } from './options.js';
import { chunkDocument, passageKey } from './passages.js';
import { compareToReal, shapeOf, type RealismReport } from './realism.js';
import { STYLES, type FilterItem, type GenerationRequest, type Passage, type QueryGenerator, type Style, type SynthQuery } from './types.js';

export interface SynthExample {
  readonly query: string;
  readonly style: Style;
  readonly passage_id: string;
}

/** Counts of a run; every number adds up (a test checks it). */
export interface SynthReport {
  readonly generator: { readonly name: string; readonly id: string; readonly stats: Readonly<Record<string, number>> };
  readonly documents: {
    /** Documents given = documents with passages + documents without a word. */
    readonly in: number;
    readonly withPassages: number;
    readonly noWords: number;
  };
  readonly passages: {
    /** Passages cut = passages with queries + sum of withoutQueries. */
    readonly in: number;
    readonly withQueries: number;
    /** reason -> passages: doc_cap (beyond maxPassagesPerDoc), no_candidates (the generator wrote nothing), all_filtered. */
    readonly withoutQueries: Readonly<Record<string, number>>;
  };
  readonly queries: {
    /** Candidates generated = kept + sum over filters of removed. */
    readonly generated: number;
    readonly kept: number;
    /** filter -> reason -> queries removed. */
    readonly removed: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly examples: Readonly<Record<string, readonly SynthExample[]>>;
    /** style -> generated and kept. */
    readonly byStyle: Readonly<Record<string, { readonly asked: number; readonly generated: number; readonly kept: number }>>;
    /** style -> reason -> (passage, style) requests that gave no query. */
    readonly misses: Readonly<Record<string, Readonly<Record<string, number>>>>;
    /** Kept queries with a noise operation, by operation. */
    readonly noise: Readonly<Record<string, number>>;
  };
  readonly realism?: RealismReport;
  readonly notes: readonly string[];
}

export interface SynthResult {
  readonly passages: readonly Passage[];
  readonly queries: readonly SynthQuery[];
  /** Deterministic (no timings): same inputs, same report. */
  readonly report: SynthReport;
  readonly timing: { readonly seconds: number; readonly passagesPerSecond: number };
}

export interface SynthHooks {
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Real queries for the too-clean check (read from options.realQueries by the caller). */
  readonly realQueries?: readonly string[];
  /** Use this generator instead of creating options.generator (tests, benchmarks); synth closes it. */
  readonly generator?: QueryGenerator;
}

export function parseSynthOptions(input: SynthOptionsInput = {}): ResolvedSynthOptions {
  const r = synthOptions.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - synth.${i.path.join('.')}: ${i.message}`);
    throw usageError('bad_synth_options', `invalid synth options:\n${lines.join('\n')}\nSee docs/synth.md.`, { stage: 'synth' });
  }
  if (r.data.chunk.overlap >= r.data.chunk.size) throw usageError('bad_synth_options', `synth.chunk.overlap (${r.data.chunk.overlap}) must be smaller than synth.chunk.size (${r.data.chunk.size}).`, { stage: 'synth' });
  if (STYLES.every((s) => r.data.styles[s] <= 0)) throw usageError('bad_synth_options', 'synth.styles gives every style weight 0: give at least one a positive weight.', { stage: 'synth' });
  return Object.freeze(r.data);
}

/**
 * Draw `stylesPerPassage` distinct styles by weight. They depend only on the seed and the passage
 * key (its title and text), so identical passages get identical queries, which the duplicates
 * filter then counts.
 */
export function drawStyles(o: ResolvedSynthOptions, key: string): Style[] {
  const rng = createRng(`${o.seed}|styles|${key}`);
  const pool = STYLES.filter((s) => o.styles[s] > 0);
  const out: Style[] = [];
  while (out.length < o.stylesPerPassage && pool.length > 0) {
    let total = 0;
    for (const s of pool) total += o.styles[s];
    let r = rng.next() * total;
    let i = 0;
    for (; i < pool.length - 1; i++) {
      r -= o.styles[pool[i]!];
      if (r < 0) break;
    }
    out.push(pool[i]!);
    pool.splice(i, 1);
  }
  return STYLES.filter((s) => out.includes(s));
}

const inc = (m: Record<string, number>, k: string, by = 1) => {
  m[k] = (m[k] ?? 0) + by;
};

/**
 * Synthetic queries from a corpus.
 *
 * Input: documents (doc_id, text, optional title). Each is cut into passages (`chunk`), each
 * passage gets `stylesPerPassage` styles drawn by `styles`, the generator writes
 * `queriesPerStyle` queries per (passage, style), a seeded noise layer perturbs `noise.rate` of
 * them, and the filters run in order. Output: the passages, the kept queries (passage order,
 * then style order) with their provenance, and the report.
 * Drops: documents without a word; passages without queries by reason; queries by filter and
 * reason, with examples. The counts add up (see SynthReport).
 */
export async function synthesize(docs: readonly CorpusDoc[], input: SynthOptionsInput = {}, hooks: SynthHooks = {}): Promise<SynthResult> {
  const o = parseSynthOptions(input);
  const t0 = performance.now();
  const passages: Passage[] = [];
  let noWords = 0;
  const capped: number[] = [];
  for (const d of docs) {
    const ps = chunkDocument(d, o.chunk);
    if (ps.length === 0) noWords++;
    for (const p of ps) {
      if (p.n >= o.chunk.maxPassagesPerDoc) capped.push(passages.length);
      passages.push(p);
    }
  }
  const generator = hooks.generator ?? (await generators[o.generator]({ passages, options: o, seed: o.seed, ...(hooks.signal ? { signal: hooks.signal } : {}) }));
  const items: FilterItem[] = [];
  const withoutQueries: Record<string, number> = {};
  const misses: Record<string, Record<string, number>> = {};
  const byStyle: Record<string, { asked: number; generated: number; kept: number }> = {};
  for (const s of STYLES) byStyle[s] = { asked: 0, generated: 0, kept: 0 };
  const candidatesOf = new Int32Array(passages.length);
  if (capped.length) withoutQueries.doc_cap = capped.length;
  try {
    const todo: number[] = [];
    for (let i = 0; i < passages.length; i++) if (passages[i]!.n < o.chunk.maxPassagesPerDoc) todo.push(i);
    const bs = Math.max(1, generator.batchSize);
    for (let b = 0; b < todo.length; b += bs) {
      const idx = todo.slice(b, b + bs);
      const reqs: GenerationRequest[] = idx.map((i) => ({ passage: passages[i]!, styles: drawStyles(o, passageKey(passages[i]!)) }));
      for (const r of reqs) for (const s of r.styles) byStyle[s]!.asked++;
      const results = await generator.generate(reqs, hooks.signal);
      for (let j = 0; j < idx.length; j++) {
        const pi = idx[j]!;
        const p = passages[pi]!;
        const res = results[j]!;
        for (const m of res.misses) inc((misses[m.style] ??= {}), m.reason);
        res.candidates.forEach((c, k) => {
          const clean = c.text.replace(/\s+/g, ' ').trim();
          const { query, noise } = applyNoise(clean, o.noise.rate, o.noise.kinds, createRng(`${o.seed}|noise|${p.passage_id}|${c.style}|${k}`));
          items.push({ query, clean, style: c.style, noise, passage: p, passageIndex: pi });
          byStyle[c.style]!.generated++;
        });
        candidatesOf[pi] = res.candidates.length;
      }
      hooks.onProgress?.(Math.min(todo.length, b + bs), todo.length);
    }
  } finally {
    await generator.close();
  }

  const removed: Record<string, Record<string, number>> = {};
  const examples: Record<string, SynthExample[]> = {};
  let alive = items;
  for (const name of o.filters.enabled) {
    const f = filterRegistry[name](o.filters);
    const out = f.apply(alive, { passages });
    const next: FilterItem[] = [];
    const counts: Record<string, number> = {};
    alive.forEach((it, i) => {
      if (out.keep[i]) return next.push(it);
      const reason = out.reasons[i] ?? 'removed';
      inc(counts, reason);
      const ex = (examples[`${name}:${reason}`] ??= []);
      if (ex.length < o.examples) ex.push({ query: it.query, style: it.style, passage_id: it.passage.passage_id });
    });
    removed[name] = counts;
    alive = next;
  }

  let realism: RealismReport | undefined;
  let weightOf = (_q: string) => 1;
  if (hooks.realQueries && hooks.realQueries.length > 0) {
    realism = compareToReal(hooks.realQueries, alive.map((x) => ({ query: x.query, style: x.style })), o.styles, o.maxWeight);
    const w = realism.weights;
    weightOf = (q) => Number(w[shapeOf(q)].toFixed(4));
  }

  const keptOf = new Int32Array(passages.length);
  const noise: Record<string, number> = {};
  const queries: SynthQuery[] = alive.map((it) => {
    keptOf[it.passageIndex]!++;
    byStyle[it.style]!.kept++;
    for (const n of it.noise) inc(noise, n);
    return { kind: 'SynthQuery', query: it.query, style: it.style, doc_id: it.passage.doc_id, passage_id: it.passage.passage_id, generator: generator.name, noise: it.noise, clean: it.clean, weight: weightOf(it.query) };
  });
  let withQueries = 0;
  for (let i = 0; i < passages.length; i++) {
    if (passages[i]!.n >= o.chunk.maxPassagesPerDoc) continue;
    if (keptOf[i]! > 0) withQueries++;
    else inc(withoutQueries, candidatesOf[i]! === 0 ? 'no_candidates' : 'all_filtered');
  }
  const seconds = (performance.now() - t0) / 1000;
  const notes: string[] = [];
  const rt = removed.roundTrip?.round_trip_miss ?? 0;
  if (items.length > 0 && rt / items.length > 0.5) notes.push(`the round-trip filter removed ${rt} of ${items.length} queries: raise filters.roundTrip.k, or check that passages are not near-copies of each other (duplicated documents make the source passage lose its rank)`);
  if (capped.length) notes.push(`${capped.length} passages of long documents got no query (chunk.maxPassagesPerDoc = ${o.chunk.maxPassagesPerDoc}): raise it to cover them`);
  if (noWords) notes.push(`${noWords} documents have no word to cut a passage from`);
  return {
    passages,
    queries,
    report: {
      generator: { name: generator.name, id: generator.id, stats: generator.stats() },
      documents: { in: docs.length, withPassages: docs.length - noWords, noWords },
      passages: { in: passages.length, withQueries, withoutQueries },
      queries: { generated: items.length, kept: queries.length, removed, examples, byStyle, misses, noise },
      ...(realism ? { realism } : {}),
      notes,
    },
    timing: { seconds, passagesPerSecond: seconds > 0 ? passages.length / seconds : 0 },
  };
}
