import { join } from 'node:path';
import { createRng, hash32, type Rng } from '../../util/rng.js';
import { stableJson, writeFileAtomic } from '../../util/fs.js';
import type { SimulateOptions, SimulateOptionsInput } from './options.js';
import { parseSimulateOptions } from './parse.js';
import { buildCandidates, type CandidateIndex } from './ranker.js';
import { LineSink, TimeHeap } from './sink.js';
import { cumulative, sampleCumulative } from './text.js';
import type { QueryStyle, SimulateStats, SimulatedWorld } from './types.js';

/** Style multipliers of the three user types: neutral (60%), novice-leaning (20%), expert-leaning (20%). */
const USER_STYLE: readonly Readonly<Partial<Record<QueryStyle, number>>>[] = [
  {},
  { novice: 3, misspelling: 2, question: 1.5, expert: 0.3, abbreviation: 0.5, error: 0.7 },
  { expert: 3, abbreviation: 2, error: 1.5, novice: 0.3, question: 0.7 },
];

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Query indexes grouped by family (contiguous), with cumulative family weights and, per user type, cumulative query weights. */
function queriesByFamily(world: SimulatedWorld) {
  const famOf = new Map<string, number>();
  const famQueries: number[][] = [];
  world.queries.forEach((q, i) => {
    let f = famOf.get(q.family);
    if (f === undefined) { f = famQueries.length; famOf.set(q.family, f); famQueries.push([]); }
    (famQueries[f] as number[]).push(i);
  });
  const F = famQueries.length;
  const qOrder = Int32Array.from(famQueries.flat());
  const famStart = new Int32Array(F + 1);
  famQueries.forEach((a, f) => { famStart[f + 1] = (famStart[f] as number) + a.length; });
  const famWeight = famQueries.map((a) => a.reduce((s, qi) => s + (world.queries[qi]?.weight ?? 0), 0));
  const famCum = cumulative(famWeight);
  const styleCum = USER_STYLE.map((mult) => cumulative(Array.from(qOrder, (qi) => {
    const q = world.queries[qi];
    return q ? q.weight * (mult[q.style] ?? 1) : 0;
  })));
  return { F, qOrder, famStart, famCum, styleCum };
}

/**
 * Click probability of each candidate: relevance + presentation bias + popularity + a fixed
 * per-(query, doc) jitter (snippet quality), so equally graded documents differ.
 */
function clickAttractiveness(world: SimulatedWorld, cand: CandidateIndex, ck: SimulateOptions['clicks']): Float32Array {
  const pop = Float64Array.from(world.docs, (d) => d.popularity);
  const attractiveDoc = Uint8Array.from(world.docs, (d) => (d.attractive ? 1 : 0));
  const attr = new Float32Array(cand.doc.length);
  for (let qi = 0; qi < world.queries.length; qi++) {
    const qtext = world.queries[qi]?.query ?? '';
    for (let c = cand.start[qi] as number; c < (cand.start[qi + 1] as number); c++) {
      const d = cand.doc[c] as number;
      const jitter = (hash32(`${qtext}\u0000${world.docs[d]?.doc_id}`) / 4294967296 - 0.5) * 0.2;
      const a = (ck.attractiveness[cand.grade[c] as number] as number) + ck.presentationBias * (attractiveDoc[d] as number) + ck.popularityBias * (pop[d] as number) + jitter;
      attr[c] = Math.min(0.97, Math.max(0.01, a));
    }
  }
  return attr;
}

/**
 * Presentation per document, as JSON text ('' when not written): the badge marks the attractive
 * (presentation-biased) documents; the thumbnail is a hash of the doc id (no RNG stream is used,
 * so the rest of the log is the same with or without presentation).
 */
function presentationJson(world: SimulatedWorld, opts: SimulateOptions): string[] {
  const pr = opts.presentation;
  return world.docs.map((d) => {
    if (!pr.write) return '';
    const thumb = hash32(`thumbnail\u0000${d.doc_id}`, opts.seed >>> 0) / 4294967296 < pr.thumbnailShare;
    return `{"thumbnail":${thumb}${d.attractive ? ',"badge":"quick fix"' : ''}}`;
  });
}

/** Session start times, sorted: a uniform day, a working-hours bump within it. */
function sessionStarts(opts: SimulateOptions, tRng: Rng): Float64Array {
  const startMs = Date.parse(opts.start);
  const endMs = Date.parse(opts.end) + DAY;
  const days = Math.max(1, Math.floor((endMs - startMs) / DAY));
  const starts = new Float64Array(opts.sessions);
  for (let i = 0; i < opts.sessions; i++) {
    const day = tRng.int(days);
    let h = 13.5 + 3.5 * tRng.normal();
    h = ((h % 24) + 24) % 24;
    starts[i] = startMs + day * DAY + Math.floor(h * 3_600_000);
  }
  starts.sort();
  return starts;
}

/** What ranking a page needs: the candidates, the ranker's options, its noise stream and the page buffers. */
interface Ranking {
  readonly cand: CandidateIndex;
  readonly rk: SimulateOptions['ranker'];
  readonly pop: Float64Array;
  readonly publishedAt: Float64Array;
  readonly normalTable: Float64Array;
  readonly rRng: Rng;
  readonly topC: Int32Array;
  readonly topS: Float64Array;
}

/**
 * Ranks the candidates of query `qi` published by time `t` into `topC` (lexical + popularity +
 * some true relevance + noise), then maybe promotes a lookalike into the top 3 (a ranker
 * mistake) and maybe shuffles the page (a randomised page). Returns the page length.
 */
function rankPage(g: Ranking, qi: number, t: number): { n: number; shuffled: boolean } {
  const { cand, rk, pop, publishedAt, normalTable, rRng, topC, topS } = g;
  const K = topC.length;
  const NT = normalTable.length;
  const c0 = cand.start[qi] as number, c1 = cand.start[qi + 1] as number;
  let n = 0;
  let looks = 0;
  for (let c = c0; c < c1; c++) {
    if ((publishedAt[cand.doc[c] as number] as number) > t) continue;
    const v = (cand.lex[c] as number) + rk.popularityWeight * (pop[cand.doc[c] as number] as number) + rk.relevanceWeight * (cand.grade[c] as number) / 3 + rk.noise * (normalTable[rRng.int(NT)] as number);
    looks += cand.lookalike[c] as number;
    // insertion into the top-k
    if (n < K || v > (topS[n - 1] as number)) {
      let i = n < K ? n++ : K - 1;
      while (i > 0 && (topS[i - 1] as number) < v) { topS[i] = topS[i - 1] as number; topC[i] = topC[i - 1] as number; i--; }
      topS[i] = v; topC[i] = c;
    }
  }
  if (looks > 0 && rRng.next() < rk.lookalikeRate) {
    let pick = rRng.int(looks);
    let lc = c0;
    for (let c = c0; c < c1; c++) if (cand.lookalike[c] && (publishedAt[cand.doc[c] as number] as number) <= t && pick-- === 0) { lc = c; break; }
    let at = -1;
    for (let i = 0; i < n; i++) if (topC[i] === lc) at = i;
    const pos = rRng.int(Math.min(3, Math.max(1, n)));
    if (at === -1) { if (n < K) n++; at = n - 1; }
    if (at > pos) {
      for (let i = at; i > pos; i--) topC[i] = topC[i - 1] as number;
      topC[pos] = lc;
    }
  }
  let shuffled = false;
  if (rk.shuffleRate > 0 && rRng.next() < rk.shuffleRate) {
    shuffled = true;
    for (let i = n - 1; i > 0; i--) { const j = rRng.int(i + 1); const x = topC[i] as number; topC[i] = topC[j] as number; topC[j] = x; }
  }
  return { n, shuffled };
}

/** What clicking a page needs: the click model, its streams and the per-click buffers it fills. */
interface Clicking {
  readonly cand: CandidateIndex;
  readonly ck: SimulateOptions['clicks'];
  readonly bh: SimulateOptions['behaviour'];
  readonly exam: Float64Array;
  readonly attr: Float32Array;
  readonly cRng: Rng;
  readonly dRng: Rng | undefined;
  readonly topC: Int32Array;
  readonly examinedByRank: number[];
  readonly clickRank: Int32Array;
  readonly clickSat: Uint8Array;
  readonly clickPogo: Uint8Array;
  readonly clickTs: Float64Array;
  readonly clickDwell: Float64Array;
}

/** Clicks on the `n` results in `topC` under the click model (PBM, cascade or DBN), with satisfaction, pogo and dwell; returns the number of clicks. */
function clickPage(k: Clicking, n: number): number {
  const { cand, ck, bh, exam, attr, cRng, dRng, topC } = k;
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * cRng.normal());
  let nClicks = 0;
  let stop = false;
  for (let r = 0; r < n && !stop; r++) {
    const c = topC[r] as number;
    let clicked: boolean;
    if (ck.model === 'pbm') {
      const examined = cRng.next() < (exam[r] as number);
      if (examined) k.examinedByRank[r]!++;
      clicked = cRng.next() < (attr[c] as number) && examined;
    } else {
      k.examinedByRank[r]!++;
      clicked = cRng.next() < (attr[c] as number);
    }
    if (clicked) {
      const sat = cRng.next() < (ck.satisfaction[cand.grade[c] as number] as number);
      let isPogo = false;
      let dwell: number;
      if (sat) dwell = cRng.next() < bh.quickSatisfiedRate ? lognormal(bh.pogoMedianSec, bh.pogoSigma) : lognormal(bh.satisfiedMedianSec, bh.satisfiedSigma);
      else if (cRng.next() < bh.pogoRate) { isPogo = true; dwell = lognormal(bh.pogoMedianSec, bh.pogoSigma); }
      else dwell = lognormal(bh.unsatisfiedMedianSec, bh.unsatisfiedSigma);
      if (dRng) dwell = dRng.next() < bh.pogoRate ? bh.pogoMedianSec * Math.exp(bh.pogoSigma * dRng.normal()) : bh.unsatisfiedMedianSec * Math.exp(bh.unsatisfiedSigma * dRng.normal());
      k.clickRank[nClicks] = r; k.clickSat[nClicks] = sat ? 1 : 0; k.clickPogo[nClicks] = isPogo ? 1 : 0;
      k.clickDwell[nClicks] = Math.max(1000, Math.round(dwell * 1000));
      nClicks++;
      if (ck.model === 'cascade') stop = true;
      else if (ck.model === 'dbn') { if (sat || !isPogo) stop = true; }
    }
    if (!stop && ck.model === 'dbn' && cRng.next() >= ck.continuation) stop = true;
  }
  return nClicks;
}

/** Click times of the page shown at `serpTs` (into `clickTs`), when it ends, and whether a click satisfied. */
function pageTimeline(k: Clicking, nClicks: number, serpTs: number): { pageEnd: number; pageSat: boolean } {
  const { cRng, clickRank, clickTs, clickDwell, clickSat } = k;
  let tt = serpTs + 1500 + 600 * cRng.next();
  let lastRank = 0;
  let pageSat = false;
  for (let i = 0; i < nClicks; i++) {
    const r = clickRank[i] as number;
    tt += 700 * (r - lastRank + 1) * (0.5 + cRng.next());
    lastRank = r;
    clickTs[i] = Math.round(tt);
    tt = (clickTs[i] as number) + (clickDwell[i] as number) + 800 + 1500 * cRng.next();
    if (clickSat[i]) pageSat = true;
  }
  const pageEnd = nClicks > 0 ? (clickTs[nClicks - 1] as number) + (clickDwell[nClicks - 1] as number) : serpTs + 4000 + 8000 * cRng.next();
  return { pageEnd, pageSat };
}

/** Where a page goes: the sinks and heaps, the JSON of queries, documents and presentations, the page's click buffers and the click tally. */
interface PageWriter {
  readonly world: SimulatedWorld;
  readonly cand: CandidateIndex;
  readonly clicking: Clicking;
  readonly qJson: readonly string[];
  readonly dJson: readonly string[];
  readonly presJson: readonly string[];
  readonly writePresentation: boolean;
  readonly givenDwell: boolean;
  readonly clickedOnly: boolean;
  readonly clickedAt: Uint8Array;
  readonly serpSink: LineSink | undefined;
  readonly eventHeap: TimeHeap | undefined;
  readonly clickSink: LineSink | undefined;
  readonly shownSink: LineSink | undefined;
  /** SERP lines of the current session, finished with its success flag when the session ends. */
  readonly pageLines: string[];
  readonly pageTs: number[];
  readonly tally: { clicks: number; satClicks: number; unsatClicks: number; pogo: number; conversions: number; readonly clicksByRank: number[] };
}

interface Page { readonly serpId: string; readonly qi: number; readonly n: number; readonly nClicks: number; readonly serpTs: number; readonly shuffled: boolean; readonly head: string }

/** Writes one page: its SERP line (pending the session's success), its events, its truth lines and its conversions. */
function writePage(w: PageWriter, page: Page): void {
  const { world, cand, qJson, dJson, presJson, givenDwell, clickedOnly, clickedAt, serpSink, clickSink, shownSink, tally } = w;
  const eventSink = w.eventHeap;
  const eventHeap = w.eventHeap as TimeHeap;
  const { topC, clickRank, clickSat, clickPogo, clickTs, clickDwell, cRng, ck } = w.clicking;
  const { serpId, qi, n, nClicks, serpTs, shuffled, head } = page;
  const pr = { write: w.writePresentation };
  const sTs = iso(serpTs);
  let resStr = '';
  let presStr = '';
  let shownStr = '';
  if (clickedOnly) {
    clickedAt.fill(0);
    for (let i = 0; i < nClicks; i++) clickedAt[clickRank[i] as number] = 1;
  }
  for (let r = 0, listed = 0; r < n; r++) {
    const d = cand.doc[topC[r] as number] as number;
    if (shownSink) shownStr += (r ? ',' : '') + dJson[d];
    if (clickedOnly && !clickedAt[r]) continue;
    resStr += (listed ? ',' : '') + dJson[d];
    if (pr.write) presStr += (listed ? ',' : '') + presJson[d];
    listed++;
  }
  if (shownSink) shownSink.line(`{"serp_id":"${serpId}","query":${qJson[qi]},"results":[${shownStr}]}`);
  let clkStr = '';
  let convStr = '';
  const evBase = `,${head},"serp_id":"${serpId}"`;
  if (eventSink) {
    eventHeap.push(serpTs, `{"type":"search","ts":"${sTs}"${evBase},"query":${qJson[qi]}}`);
    for (let r = 0; r < n; r++) {
      if (clickedOnly && !clickedAt[r]) continue;
      const d = cand.doc[topC[r] as number] as number;
      eventHeap.push(serpTs, `{"type":"impression","ts":"${sTs}"${evBase},"doc_id":${dJson[d]},"rank":${r + 1}${pr.write ? `,"presentation":${presJson[d]}` : ''}}`);
    }
  }
  for (let i = 0; i < nClicks; i++) {
    const r = clickRank[i] as number;
    const c = topC[r] as number;
    const d = cand.doc[c] as number;
    const cts = clickTs[i] as number;
    const dwell = clickDwell[i] as number;
    const cIso = iso(cts);
    const dwellStr = givenDwell ? `,"dwell_ms":${dwell}` : '';
    clkStr += `${i ? ',' : ''}{"doc_id":${dJson[d]},"ts":"${cIso}"${dwellStr},"rank":${r + 1}}`;
    if (eventSink) eventHeap.push(cts, `{"type":"click","ts":"${cIso}"${evBase},"doc_id":${dJson[d]},"rank":${r + 1}${dwellStr}}`);
    tally.clicks++;
    tally.clicksByRank[r]!++;
    if (clickSat[i]) tally.satClicks++; else tally.unsatClicks++;
    if (clickPogo[i]) tally.pogo++;
    if (clickSink) clickSink.line(`{"serp_id":"${serpId}","doc_id":${dJson[d]},"rank":${r + 1},"grade":${cand.grade[c]},"satisfied":${clickSat[i] ? 'true' : 'false'},"pogo":${clickPogo[i] ? 'true' : 'false'},"dwell_ms":${dwell}}`);
    if (clickSat[i] && cRng.next() < ck.conversionRate) {
      const vts = Math.round(cts + dwell * (0.3 + 0.6 * cRng.next()));
      const rating = cRng.next() < 0.2;
      const kindStr = rating ? `"kind":"rating","value":${4 + cRng.int(2)}` : `"kind":"${world.conversionKind}"`;
      convStr += `${convStr ? ',' : ''}{"doc_id":${dJson[d]},"ts":"${iso(vts)}",${kindStr}}`;
      if (eventSink) eventHeap.push(vts, `{"type":"conversion","ts":"${iso(vts)}"${evBase},"doc_id":${dJson[d]},${kindStr}}`);
      tally.conversions++;
    }
  }
  if (serpSink) {
    w.pageLines.push(`{"serp_id":"${serpId}",${head},"ts":"${sTs}","query":${qJson[qi]},"results":[${resStr}],${pr.write ? `"presentation":[${presStr}],` : ''}"clicks":[${clkStr}],"conversions":[${convStr}],${shuffled ? '"randomized":true,' : ''}"session_success":`);
    w.pageTs.push(serpTs);
  }

}

/**
 * Ranking noise needs ~40 normal draws per page: a table of 2^16 normal quantiles indexed by a
 * uniform draw is indistinguishable here and much cheaper than Box-Muller.
 */
function normalTable(): Float64Array {
  const NT = 1 << 16;
  const table = new Float64Array(NT);
  for (let i = 0; i < NT; i++) table[i] = normalQuantile((i + 0.5) / NT);
  return table;
}

/**
 * Simulate users searching a world and write the click log plus the truth.
 *
 * Input: a world (buildHelpdeskWorld / buildCollectionWorld) and options (see docs/simulate.md).
 * Output in `outDir`: corpus.jsonl, serps.jsonl and/or events.jsonl (chronological), truth/
 * (qrels, queries, examination curve, hidden document attributes, BEIR layout, README).
 * Seeded: same world + options = byte-identical files.
 */
export async function simulateLog(world: SimulatedWorld, input: SimulateOptionsInput, outDir: string): Promise<SimulateStats> {
  const t0 = performance.now();
  const opts = parseSimulateOptions(input);
  const { ranker: rk, clicks: ck, behaviour: bh } = opts;
  const rng = createRng(opts.seed).fork('simulate-log');
  const K = rk.topK;
  const Q = world.queries.length;
  const D = world.docs.length;
  const cand = buildCandidates(world, rk.candidates);

  const { F, qOrder, famStart, famCum, styleCum } = queriesByFamily(world);
  const pop = Float64Array.from(world.docs, (d) => d.popularity);
  // A document cannot be shown before it is published.
  const publishedAt = Float64Array.from(world.docs, (d) => d.published_at);
  const exam = Float64Array.from({ length: K }, (_, r) => world.examination[r] ?? 1 / Math.pow(r + 1, ck.examinationExponent));
  const attr = clickAttractiveness(world, cand, ck);
  const qJson = world.queries.map((q) => JSON.stringify(q.query));
  const dJson = world.docs.map((d) => JSON.stringify(d.doc_id));
  const presJson = presentationJson(world, opts);
  const wantSerps = opts.format.includes('serps');
  const wantEvents = opts.format.includes('events');
  const givenDwell = opts.dwell === 'given';
  const clickedOnly = opts.logging === 'clicked-only';

  const S = opts.sessions;
  const starts = sessionStarts(opts, rng.fork('time'));
  const U = opts.users ?? Math.max(1, Math.round(S / 3));
  const usedUser = new Uint8Array(U);

  const serpSink = wantSerps ? await LineSink.open(join(outDir, 'serps.jsonl')) : undefined;
  const eventSink = wantEvents ? await LineSink.open(join(outDir, 'events.jsonl')) : undefined;
  const clickSink = opts.truthClicks ? await LineSink.open(join(outDir, 'truth', 'clicks.jsonl')) : undefined;
  const shownSink = clickedOnly ? await LineSink.open(join(outDir, 'truth', 'shown.jsonl')) : undefined;
  const serpHeap = new TimeHeap();
  const eventHeap = new TimeHeap();
  const sinks = [serpSink, eventSink, clickSink, shownSink].filter((s): s is LineSink => s !== undefined);

  const sRng = rng.fork('sessions');
  const rRng = rng.fork('ranker');
  const cRng = rng.fork('clicks');
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * cRng.normal());
  // Without a dwell signal the dwell comes from its own stream, after the usual draws, so that
  // clicks, satisfaction and the rest of the page are the same as with the signal.
  const dRng = bh.dwellSignal ? undefined : rng.fork('flat-dwell');
  const ranking: Ranking = { cand, rk, pop, publishedAt, normalTable: normalTable(), rRng, topC: new Int32Array(K), topS: new Float64Array(K) };
  const examinedByRank = new Array<number>(K).fill(0);
  const clicking: Clicking = {
    cand, ck, bh, exam, attr, cRng, dRng, topC: ranking.topC, examinedByRank,
    clickRank: new Int32Array(K), clickSat: new Uint8Array(K), clickPogo: new Uint8Array(K), clickTs: new Float64Array(K), clickDwell: new Float64Array(K),
  };

  const pagesByRank = new Array<number>(K).fill(0);
  let pages = 0;
  let reformChances = 0, reforms = 0, switches = 0, abandoned = 0, successful = 0;
  const pageLines: string[] = [];
  const pageTs: number[] = [];
  const tally = { clicks: 0, satClicks: 0, unsatClicks: 0, pogo: 0, conversions: 0, clicksByRank: new Array<number>(K).fill(0) };
  const writer: PageWriter = {
    world, cand, clicking, qJson, dJson, presJson, writePresentation: opts.presentation.write, givenDwell, clickedOnly, clickedAt: new Uint8Array(K),
    serpSink, eventHeap: eventSink ? eventHeap : undefined, clickSink, shownSink, pageLines, pageTs, tally,
  };

  try {
    for (let s = 0; s < S; s++) {
      const sStart = starts[s] as number;
      if (serpSink) serpHeap.drainTo(sStart, serpSink);
      if (eventSink) eventHeap.drainTo(sStart, eventSink);
      const uIdx = Math.min(U - 1, Math.floor(U * sRng.next() * sRng.next()));
      usedUser[uIdx] = 1;
      const userId = `u${uIdx}`;
      const uType = hash32(userId, opts.seed >>> 0) % 10;
      const sc = styleCum[uType < 6 ? 0 : uType < 8 ? 1 : 2] as Float64Array;
      const sessionId = `s${s}`;
      const head = `"session_id":"${sessionId}","user_id":"${userId}"`;
      let fam = sampleCumulative(famCum, 0, F, sRng.next());
      let qi = qOrder[sampleCumulative(sc, famStart[fam] as number, famStart[fam + 1] as number, sRng.next())] as number;
      let t = sStart;
      let sessionSat = false;
      pageLines.length = 0;
      pageTs.length = 0;

      for (let page = 0; ; page++) {
        const serpId = `p${pages++}`;
        const { n, shuffled } = rankPage(ranking, qi, t);
        for (let r = 0; r < n; r++) pagesByRank[r]!++;

        const nClicks = clickPage(clicking, n);

        const serpTs = Math.round(t);
        const { pageEnd, pageSat } = pageTimeline(clicking, nClicks, serpTs);

        writePage(writer, { serpId, qi, n, nClicks, serpTs, shuffled, head });

        // What next: stop, reformulate, switch topic or abandon.
        t = pageEnd + 1000 * lognormal(6, 0.5);
        if (pageSat) sessionSat = true;
        if (page + 1 >= bh.maxPagesPerSession) { if (!pageSat) abandoned++; break; }
        if (pageSat) {
          if (sRng.next() < bh.topicSwitchRate && F > 1) {
            let nf = sampleCumulative(famCum, 0, F, sRng.next());
            if (nf === fam) nf = (fam + 1) % F;
            fam = nf;
            qi = qOrder[sampleCumulative(sc, famStart[fam] as number, famStart[fam + 1] as number, sRng.next())] as number;
            switches++;
            continue;
          }
          break;
        }
        reformChances++;
        if (sRng.next() < bh.reformulateRate) {
          const a = famStart[fam] as number, b = famStart[fam + 1] as number;
          if (b - a > 1) {
            let nq = qi;
            for (let tries = 0; tries < 8 && nq === qi; tries++) nq = qOrder[sampleCumulative(sc, a, b, sRng.next())] as number;
            if (nq === qi) nq = qOrder[a + ((qOrder.indexOf(qi, a) - a + 1) % (b - a))] as number;
            qi = nq;
          }
          reforms++;
          continue;
        }
        abandoned++;
        break;
      }

      let success = sessionSat;
      if (sessionSat) successful++;
      if (sRng.next() < bh.successNoise) success = !success;
      const succStr = success ? 'true}' : 'false}';
      for (let i = 0; i < pageLines.length; i++) serpHeap.push(pageTs[i] as number, (pageLines[i] as string) + succStr);
      if (eventSink) {
        const endTs = Math.round(t);
        eventHeap.push(endTs, `{"type":"session_end","ts":"${iso(endTs)}",${head},"success":${success}}`);
      }
      for (const sk of sinks) if (sk.due) await sk.flush();
    }
    if (serpSink) serpHeap.drainTo(Infinity, serpSink);
    if (eventSink) eventHeap.drainTo(Infinity, eventSink);
    for (const sk of sinks) await sk.close();
  } catch (err) {
    for (const sk of sinks) sk.abort();
    throw err;
  }

  const bytes: Record<string, number> = {};
  if (serpSink) bytes['serps.jsonl'] = serpSink.bytes;
  if (eventSink) bytes['events.jsonl'] = eventSink.bytes;
  if (clickSink) bytes['truth/clicks.jsonl'] = clickSink.bytes;
  if (shownSink) bytes['truth/shown.jsonl'] = shownSink.bytes;
  const examinedShare = examinedByRank.map((e, r) => (pagesByRank[r] ? e / (pagesByRank[r] as number) : 0));
  Object.assign(bytes, await writeTruth(world, opts.clicks.model, examinedShare, outDir, clickedOnly ? TRUTH_README_SHOWN : ''));
  const users = usedUser.reduce((a, b) => a + b, 0);

  return {
    stage: 'simulate',
    in: { docs: D, queries: Q, families: F, qrels: world.qrels.length },
    out: { sessions: S, serps: pages, clicks: tally.clicks, conversions: tally.conversions, users, ...(eventSink ? { events: eventSink.lines } : {}) },
    dropped: {},
    notes: [...(world.notes ?? [])],
    seconds: (performance.now() - t0) / 1000,
    detail: {
      pages, sessions: S, users, clicks: tally.clicks, satisfiedClicks: tally.satClicks, unsatisfiedClicks: tally.unsatClicks, pogo: tally.pogo, conversions: tally.conversions,
      reformulationChances: reformChances, reformulations: reforms, topicSwitches: switches, abandonedSessions: abandoned,
      successfulSessions: successful, clicksByRank: tally.clicksByRank, pagesByRank, examinedByRank: examinedShare, bytes,
    },
  };
}

const TRUTH_README = `# Truth of a simulated world (clickforge simulate)

Hidden from the log; use it only to measure.

- qrels.jsonl: {query, doc_id, grade}, graded relevance 0..3 (only grade > 0 rows; every query has at least one).
- queries.jsonl: {query_id, query, family, style, split, weight}. family = the intent; split by a hash of the family.
- examination.json: the examination probability per rank of the PBM click model (\`curve\`) and the
  share of pages on which each rank was actually examined (\`observed\`; for cascade/DBN this is the truth).
- docs.jsonl: hidden document attributes: {doc_id, intents, attractive, popularity}.
- clicks.jsonl (only with truthClicks): per click the hidden satisfaction and pogo flag.
- beir/: the same truth in BEIR layout (corpus.jsonl, queries.jsonl, qrels/test.tsv, qrels/train.tsv).
`;

const TRUTH_README_SHOWN = `- shown.jsonl (only with logging "clicked-only"): {serp_id, query, results}, every result the page showed; the log lists only the clicked ones.
`;

async function writeTruth(world: SimulatedWorld, model: string, observed: number[], outDir: string, readmeExtra: string): Promise<Record<string, number>> {
  const bytes: Record<string, number> = {};
  const write = async (rel: string, lines: Iterable<string>) => {
    const sink = await LineSink.open(join(outDir, rel));
    try {
      for (const l of lines) { sink.line(l); if (sink.due) await sink.flush(); }
      await sink.close();
    } catch (err) { sink.abort(); throw err; }
    bytes[rel] = sink.bytes;
  };
  const J = JSON.stringify;
  await write('corpus.jsonl', (function* () {
    for (const d of world.docs) yield `{"doc_id":${J(d.doc_id)},"title":${J(d.title)},"text":${J(d.text)},"category":${J(d.category)},"entity":${J(d.entity)},"published_at":"${iso(d.published_at)}"}`;
  })());
  await write('truth/qrels.jsonl', world.qrels.map((r) => `{"query":${J(r.query)},"doc_id":${J(r.doc_id)},"grade":${r.grade}}`));
  await write('truth/queries.jsonl', world.queries.map((q) => `{"query_id":${J(q.query_id)},"query":${J(q.query)},"family":${J(q.family)},"style":"${q.style}","split":"${q.split}","weight":${q.weight}}`));
  await write('truth/docs.jsonl', world.docs.map((d) => `{"doc_id":${J(d.doc_id)},"intents":${J(d.intents)},"attractive":${d.attractive},"popularity":${d.popularity}}`));
  await write('truth/beir/corpus.jsonl', world.docs.map((d) => `{"_id":${J(d.doc_id)},"title":${J(d.title)},"text":${J(d.text)}}`));
  await write('truth/beir/queries.jsonl', world.queries.map((q) => `{"_id":${J(q.query_id)},"text":${J(q.query)}}`));
  const qid = new Map(world.queries.map((q) => [q.query, q] as const));
  for (const split of ['test', 'train'] as const) {
    const rows = ['query-id\tcorpus-id\tscore'];
    for (const r of world.qrels) {
      const q = qid.get(r.query);
      if (q && q.split === split) rows.push(`${q.query_id}\t${r.doc_id}\t${r.grade}`);
    }
    await write(`truth/beir/qrels/${split}.tsv`, rows);
  }
  const ex = stableJson({ model, curve: world.examination, observed });
  await writeFileAtomic(join(outDir, 'truth', 'examination.json'), `${ex}\n`);
  await writeFileAtomic(join(outDir, 'truth', 'README.md'), TRUTH_README + readmeExtra);
  return bytes;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const tail = (q: number) => (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}
