import { describe, expect, it } from 'vitest';
import { mineNegatives } from '../../../src/stages/negatives/mine.js';
import type { MineNegativesInput, MineNegativesResult } from '../../../src/stages/negatives/mine.js';
import type { Doc, Evidence, MultiPositive } from '../../../src/types.js';
import { createRng } from '../../../src/util/rng.js';
import { bowEmbedder, doc, ev, multi } from './fixtures.js';

/**
 * A toy world with known relevance. Intent i has topic words T0..T3, a query "T0 T1", a
 * reformulation "T1 T0 T2" in the same family, and relevant docs: r0 (the clicked positive), r1 (a
 * FAQ copy of r0), r2 (another relevant page: clicked with satisfaction under the reformulation
 * for even intents, never clicked for odd ones). Six lookalikes share one query word each.
 */
function toyWorld(intents = 40) {
  const rng = createRng('toy-world');
  const filler = (n: number) => Array.from({ length: n }, () => `g${rng.int(300)}`).join(' ');
  const T = (i: number, j: number) => `w${i}x${j}`;
  const docs: Doc[] = [];
  const relevant = new Map<string, Set<string>>();
  const positives: MultiPositive[] = [];
  const evidence: Evidence[] = [];
  const familyOf = new Map<string, string>();
  for (let i = 0; i < intents; i++) {
    const q = `${T(i, 0)} ${T(i, 1)}`;
    const reform = `${T(i, 1)} ${T(i, 0)} ${T(i, 2)}`;
    familyOf.set(q, `f${i}`);
    familyOf.set(reform, `f${i}`);
    const r0 = `${T(i, 0)} ${T(i, 1)} ${T(i, 2)} ${T(i, 3)} ${filler(10)}`;
    docs.push(doc(`i${i}r0`, r0), doc(`i${i}r1`, `faq ${r0}`));
    docs.push(doc(`i${i}r2`, i % 2 === 0 ? `${T(i, 0)} ${T(i, 1)} ${T(i, 3)} ${filler(12)}` : `${T(i, 0)} ${T(i, 1)} ${T(i, 2)} ${filler(4)}`));
    relevant.set(q, new Set([`i${i}r0`, `i${i}r1`, `i${i}r2`]));
    for (let l = 0; l < 6; l++) docs.push(doc(`i${i}l${l}`, `${T(i, l % 2)} ${T((i + 1 + l) % intents, 3)} ${filler(10)}`));
    positives.push(multi(q, [{ doc_id: `i${i}r0`, text: r0, grade: 3 }]));
    evidence.push(ev(q, `i${i}r0`, { clicks: 8, satisfied: 6, grade: 3 }));
    evidence.push(ev(q, `i${i}l0`, { skip_above: 3 }));
    evidence.push(ev(q, `i${i}l1`, { impressions: 12 }));
    if (i % 2 === 0) evidence.push(ev(reform, `i${i}r2`, { clicks: 2, satisfied: 2, grade: 2 }));
  }
  for (let k = 0; k < 200; k++) docs.push(doc(`noise${k}`, filler(12)));
  return { input: { docs, positives, evidence, familyOf } satisfies MineNegativesInput, relevant };
}

function fnRate(r: MineNegativesResult, relevant: Map<string, Set<string>>) {
  let fn = 0, n = 0, twoPlus = 0;
  for (const rec of r.records) {
    const rel = relevant.get(rec.query_norm)!;
    for (const neg of rec.negatives) {
      n++;
      if (rel.has(neg.doc_id)) fn++;
    }
    if (rec.negatives.length >= 2) twoPlus++;
  }
  return { rate: n > 0 ? fn / n : 0, n, twoPlusShare: twoPlus / relevant.size };
}

const ALL_OFF = { clickVeto: { enabled: false }, sameField: { enabled: false }, nearDuplicate: { enabled: false }, positiveAware: { enabled: false }, ambiguity: { enabled: false }, judge: { enabled: false }, preferBehavioural: { enabled: false } };

describe('mineNegatives on a toy world with known relevance', () => {
  const { input, relevant } = toyWorld();

  it('filters cut the false-negative rate by >= 3x vs unfiltered BM25 top-k, and most queries keep >= 2 negatives', async () => {
    const base = await mineNegatives(input, { miners: ['bm25'], bm25: { skipTop: 0 }, filters: ALL_OFF });
    // the filters alone: without bm25.skipTop's range_min they must find the lookalikes themselves
    const filtered = await mineNegatives(input, { miners: ['behavioural', 'bm25'], minNegatives: 1, bm25: { skipTop: 0 }, filters: { positiveAware: { scorer: 'bm25' } } });
    const b = fnRate(base, relevant), f = fnRate(filtered, relevant);
    expect(b.rate).toBeGreaterThan(0.3);
    // the default skip of the top 3 BM25 ranks also cuts it on its own
    expect(fnRate(await mineNegatives(input, { miners: ['bm25'], filters: ALL_OFF }), relevant).rate).toBeLessThan(b.rate);
    expect(f.rate * 3).toBeLessThanOrEqual(b.rate);
    expect(f.twoPlusShare).toBeGreaterThanOrEqual(0.8);
    // Each defence did its share of the work.
    const dropped = (name: string) => Object.values(filtered.stats.find((s) => s.stage === `false-negatives/${name}`)!.dropped).reduce((a, x) => a + x, 0);
    expect(dropped('click-veto')).toBeGreaterThan(0);
    expect(dropped('near-duplicate')).toBeGreaterThan(0);
    expect(dropped('positive-aware')).toBeGreaterThan(0);
    expect(filtered.duplicates!.clusters).toBeGreaterThanOrEqual(40);
    expect(filtered.removedExamples['near-duplicate']!.length).toBeGreaterThan(0);
    expect(filtered.removedExamples['near-duplicate']!.length).toBeLessThanOrEqual(5);
  });

  it('with an embedder (dense miner, cosine scores, ambiguity filter) the reduction holds', async () => {
    const base = await mineNegatives({ ...input, embedder: bowEmbedder() }, { miners: ['dense'], filters: ALL_OFF });
    const filtered = await mineNegatives({ ...input, embedder: bowEmbedder() }, { miners: ['behavioural', 'bm25', 'dense'] });
    const b = fnRate(base, relevant), f = fnRate(filtered, relevant);
    expect(b.rate).toBeGreaterThan(0.3);
    expect(f.rate * 3).toBeLessThanOrEqual(b.rate);
    expect(f.twoPlusShare).toBeGreaterThanOrEqual(0.8);
    expect(filtered.stats[0]!.notes!.join(' ')).toMatch(/cosine under bow-256/);
    expect(filtered.hardness.dense!.mean).toBeLessThanOrEqual(0.95);
  });

  it('the counts add up: candidates = kept + removed by each filter + surplus', async () => {
    const r = await mineNegatives(input, { miners: ['behavioural', 'bm25', 'random'], minNegatives: 1, filters: { positiveAware: { scorer: 'bm25' } } });
    const mine = r.stats[0]!;
    const filters = r.stats.filter((s) => s.stage.startsWith('false-negatives/'));
    const select = r.stats.at(-1)!;
    expect(filters.map((s) => s.stage)).toEqual(['false-negatives/click-veto', 'false-negatives/near-duplicate', 'false-negatives/positive-aware', 'false-negatives/prefer-behavioural']);
    const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, x) => a + x, 0);
    const proposed = sum(Object.fromEntries(Object.entries(mine.out).filter(([k]) => k.startsWith('proposed_'))));
    expect(mine.out.candidates).toBe(proposed - (mine.dropped['candidates.duplicate'] ?? 0));
    let flow = mine.out.candidates!;
    for (const s of filters) {
      expect(s.in.candidates).toBe(flow);
      expect(s.out.kept! + sum(s.dropped)).toBe(s.in.candidates);
      flow = s.out.kept!;
    }
    const fill = r.stats.find((s) => s.stage === 'negatives/fill')!;
    expect(fill.in.candidates).toBe(fill.out.candidates! + sum(fill.dropped));
    expect(select.in.candidates).toBe(flow + fill.out.candidates!);
    flow = select.in.candidates!;
    expect(select.out.negatives! + select.dropped['candidates.surplus']! + select.dropped['candidates.of_dropped_records']!).toBe(flow);
    expect(r.records.reduce((a, x) => a + x.negatives.length, 0)).toBe(select.out.negatives);
    expect(select.out.records! + select.dropped['records.too_few_negatives']! + select.dropped['records.without_positives']!).toBe(input.positives.length);
  });

  it('records are well formed: no positive or duplicate among negatives, skipped-above first, scores comparable', async () => {
    const r = await mineNegatives(input, { perRecord: 3, filters: { positiveAware: { scorer: 'bm25' } } });
    for (const rec of r.records) {
      const pos = new Set(rec.positives.map((p) => p.doc_id));
      const ids = rec.negatives.map((n) => n.doc_id);
      expect(ids.some((d) => pos.has(d))).toBe(false);
      expect(new Set(ids).size).toBe(ids.length);
      expect(rec.negatives.length).toBeLessThanOrEqual(3);
      for (const n of rec.negatives) expect(n.score!).toBeLessThanOrEqual(0.95 * rec.positives[0]!.score! + 1e-9);
    }
    const i0 = r.records.find((x) => x.query_norm === 'w0x0 w0x1')!;
    expect(i0.negatives[0]).toMatchObject({ doc_id: 'i0l0', source: 'behavioural' });
    expect(i0.family).toBe('f0');
  });

  it('is deterministic: same input and seed give identical output; the seed matters for random sampling', async () => {
    const o = { miners: ['random', 'bm25'] as ('random' | 'bm25')[], bm25: { sampling: 'random' as const, count: 5 } };
    const a = await mineNegatives(input, { ...o, seed: 3 });
    const b = await mineNegatives(input, { ...o, seed: 3 });
    const c = await mineNegatives(input, { ...o, seed: 4 });
    const strip = (r: MineNegativesResult) => JSON.stringify({ ...r, stats: r.stats.map((s) => ({ ...s, seconds: 0 })) });
    expect(strip(a)).toBe(strip(b));
    expect(JSON.stringify(a.records)).not.toBe(JSON.stringify(c.records));
  });
});

describe('negatives.fill', () => {
  const { input, relevant } = toyWorld();
  // BM25 top 2 only: the filters leave most records short of perRecord 4
  const o = { miners: ['bm25'] as 'bm25'[], bm25: { count: 2 }, perRecord: 4, filters: { positiveAware: { scorer: 'bm25' as const } } };

  it('tops every short record up to perRecord with random documents that pass the same filters, marked filled', async () => {
    const none = await mineNegatives(input, { ...o, fill: 'none' });
    const filled = await mineNegatives(input, o);
    expect(none.records.filter((r) => r.negatives.length < 4).length).toBeGreaterThan(20);
    expect(filled.records.every((r) => r.negatives.length === 4)).toBe(true);
    for (const [a, b] of none.records.map((r, i) => [r, filled.records[i]!] as const)) {
      expect(b.negatives.slice(0, a.negatives.length)).toEqual(a.negatives); // mined negatives first, unchanged
      for (const n of b.negatives.slice(a.negatives.length)) {
        expect(n).toMatchObject({ source: 'random', filled: true });
        expect(relevant.get(b.query_norm)!.has(n.doc_id)).toBe(false); // the click veto and near-duplicate filters keep the fill clean
      }
    }
    const fill = filled.stats.find((s) => s.stage === 'negatives/fill')!;
    expect(fill.out.candidates).toBe(filled.records.reduce((a, r) => a + r.negatives.filter((n) => n.filled).length, 0));
    expect(fill.in.candidates).toBe(fill.out.candidates! + fill.dropped['candidates.removed_by_filters']! + fill.dropped['candidates.surplus']!);
    expect(filled.stats.at(-1)!.out.negatives_fill).toBe(fill.out.candidates);
  });

  it('draws only documents published before fillPublishedBefore', async () => {
    const docs = input.docs.map((d, i) => ({ ...d, published_at: i % 2 === 0 ? 1000 : 5000 }));
    const r = await mineNegatives({ ...input, docs, fillPublishedBefore: 2000 }, o);
    const early = new Set(docs.filter((d) => d.published_at === 1000).map((d) => d.doc_id));
    const fills = r.records.flatMap((x) => x.negatives.filter((n) => n.filled));
    expect(fills.length).toBeGreaterThan(50);
    expect(fills.every((n) => early.has(n.doc_id))).toBe(true);
  });

  it('renders negatives and positives with the same function', async () => {
    const docs = input.docs.map((d) => ({ ...d, title: `T ${d.doc_id}` }));
    const r = await mineNegatives({ ...input, docs, renderText: (d) => `${d.title}\n\n${d.text}` }, o);
    for (const rec of r.records) for (const t of [...rec.positives, ...rec.negatives].map((x) => x.text)) expect(t).toMatch(/^T \S+\n\n/);
  });

  it('embeds queries in batches, not one by one, with the configured prefixes', async () => {
    const emb = bowEmbedder();
    const calls: (readonly string[])[] = [];
    const recording = { ...emb, embed: (t: readonly string[]) => (calls.push(t), emb.embed(t)) };
    await mineNegatives({ ...input, embedder: recording, prompts: { query: 'query: ', document: 'passage: ' } }, { miners: ['bm25', 'dense'] });
    const queries = calls.filter((c) => c[0]!.startsWith('query: '));
    const docs = calls.filter((c) => c[0]!.startsWith('passage: '));
    expect(queries.length + docs.length).toBe(calls.length);
    expect(queries.map((c) => c.length)).toEqual([input.positives.length]); // 40 queries, one call
    expect(docs.flat().length).toBe(input.docs.length);
    expect(calls.every((c) => c.every((t) => t.startsWith(c[0]!.slice(0, 6))))).toBe(true);
  });
});

describe('mineNegatives input and option errors', () => {
  it('names the corpus row of a repeated doc_id', async () => {
    const docs = [doc('a', 'x y'), doc('b', 'y z'), doc('a', 'z w')];
    await expect(mineNegatives({ docs, positives: [], evidence: [] })).rejects.toThrow(/corpus row 3 repeats doc_id "a" \(first seen at row 1\)/);
  });
  it('explains a bad option', async () => {
    await expect(mineNegatives({ docs: [], positives: [], evidence: [] }, { perRecord: 0 })).rejects.toThrow(/negatives\.perRecord/);
  });
  it('skips the dense miner and the ambiguity filter with a note when there is no embedder; a dense scorer without one is an error', async () => {
    const r = await mineNegatives({ docs: [doc('a', 'x y')], positives: [multi('x', [{ doc_id: 'a', text: 'x y' }])], evidence: [] });
    const notes = r.stats[0]!.notes!.join(' ');
    expect(notes).toMatch(/dense miner skipped/);
    expect(notes).toMatch(/ambiguity filter skipped/);
    expect(notes).toMatch(/positive-aware filter skipped/);
    expect(r.stats.at(-1)!.dropped['records.too_few_negatives']).toBe(0); // default minNegatives 0 keeps it for in-batch negatives
    expect(r.records).toHaveLength(1);
    await expect(mineNegatives({ docs: [], positives: [], evidence: [] }, { filters: { positiveAware: { scorer: 'dense' } } })).rejects.toThrow(/no embedder/);
  });
});
