import { normalizeQuery } from '../../text/normalize.js';
import { createRng, hash32 } from '../../util/rng.js';
import type { SimulateOptionsInput } from './options.js';
import { parseSimulateOptions } from './parse.js';
import { PLATFORMS, PROBLEMS, SYSTEMS, type PlatformVocab, type ProblemVocab, type SystemVocab } from './helpdesk-vocab.js';
import { misspell, shuffleInPlace, splitOf } from './text.js';
import type { QueryStyle, SimDoc, SimQrel, SimQuery, SimulatedWorld } from './types.js';

/** Relative frequency of each phrasing of an intent (before `variantSkew`). */
export const STYLE_WEIGHTS: Readonly<Record<QueryStyle, number>> = {
  keyword: 0.3, question: 0.2, novice: 0.15, abbreviation: 0.1, misspelling: 0.1, error: 0.08, expert: 0.07,
};
const STYLES = Object.keys(STYLE_WEIGHTS) as QueryStyle[];

interface Intent {
  readonly id: string;
  readonly s: SystemVocab;
  readonly p: ProblemVocab;
  readonly pl: PlatformVocab;
}

interface DraftDoc {
  title: string;
  text: string;
  category: string;
  entity: string;
  published_at: number;
  intents: string[];
  attractive: boolean;
  /** family -> grade */
  grades: Map<string, number>;
}

export const MAX_HELPDESK_INTENTS = SYSTEMS.length * PROBLEMS.length * PLATFORMS.length;

const fill = (t: string, s: string, p: string) => t.replaceAll('{s}', s).replaceAll('{p}', p);

/** PBM examination curve 1/r^exponent for ranks 1..k. */
export function examinationCurve(k: number, exponent: number): number[] {
  const e: number[] = [];
  for (let r = 1; r <= k; r++) e.push(1 / Math.pow(r, exponent));
  return e;
}

/**
 * Build the help-desk world: intents from systems x problems x platforms, 1-3 relevant documents
 * per intent (guide 3, FAQ 2, runbook 2), near-duplicate FAQ copies, a system overview per system,
 * seven phrasings per intent, graded truth. Seeded: same options, same world.
 */
export function buildHelpdeskWorld(input: SimulateOptionsInput = {}): SimulatedWorld {
  const opts = parseSimulateOptions(input);
  const w = opts.world;
  const rng = createRng(opts.seed).fork('helpdesk-world');
  const endMs = Date.parse(opts.end);
  const pubStart = endMs - w.publishYears * 365.25 * 86400_000;

  // Intents: shuffled (system, problem) pairs, each on 1-3 platforms, so that lookalikes (same
  // system, other problem) and related intents (same need, other platform) are common.
  const pairs: [SystemVocab, ProblemVocab][] = [];
  for (const s of SYSTEMS) for (const p of PROBLEMS) pairs.push([s, p]);
  shuffleInPlace(pairs, rng);
  const wanted = Math.min(w.intents, MAX_HELPDESK_INTENTS);
  const intents: Intent[] = [];
  for (let round = 0; intents.length < wanted && round < 2; round++) {
    const taken = new Set(intents.map((i) => i.id));
    for (const [s, p] of pairs) {
      if (intents.length >= wanted) break;
      const pls = shuffleInPlace([...PLATFORMS], rng).slice(0, round === 0 ? 1 + rng.int(3) : PLATFORMS.length);
      for (const pl of pls) {
        const id = `${s.key}.${p.key}.${pl.key}`;
        if (intents.length >= wanted || taken.has(id)) continue;
        taken.add(id);
        intents.push({ id, s, p, pl });
      }
    }
  }
  // Frequency rank is independent of structure.
  shuffleInPlace(intents, rng);

  const drafts: DraftDoc[] = [];
  const pub = () => Math.round(pubStart + rng.next() * (endMs - pubStart));
  const docsOf = new Map<string, DraftDoc[]>();
  const bySystem = new Map<string, Intent[]>();
  const byNeed = new Map<string, Intent[]>();
  for (const it of intents) {
    const add = <K, V>(m: Map<K, V[]>, k: K, v: V) => { const a = m.get(k); if (a) a.push(v); else m.set(k, [v]); };
    add(bySystem, it.s.key, it);
    add(byNeed, `${it.s.key}.${it.p.key}`, it);
    const { s, p, pl } = it;
    const explain = fill(p.explain, s.name, pl.name);
    const fix = fill(p.fix, s.name, pl.name);
    const mk = (title: string, text: string, grade: number): DraftDoc => {
      const attractive = rng.next() < w.attractiveShare;
      const d: DraftDoc = {
        title: attractive ? `Quick fix: ${title}` : title, text, category: s.category, entity: s.entity,
        published_at: pub(), intents: [it.id], attractive, grades: new Map([[it.id, grade]]),
      };
      drafts.push(d);
      add(docsOf, it.id, d);
      return d;
    };
    mk(`${s.entity} ${p.canonical} on ${pl.name}: step-by-step guide`,
      `${explain} ${fix} Applies to ${s.name} on ${pl.name}. Last reviewed by the ${s.category} team.`, 3);
    if (rng.next() < w.faqShare) {
      const title = `FAQ: why do I get ${p.canonical} in ${s.name} on ${pl.name}?`;
      const text = `Q: Why do I get ${p.canonical} in ${s.name} on ${pl.name}? A: ${explain} Short answer: ${fix}`;
      const faq = mk(title, text, 2);
      if (rng.next() < w.nearDuplicateShare) {
        const copy = mk(`${title} (updated)`, `${text} Updated for the latest ${s.name} release.`, 2);
        copy.published_at = Math.max(copy.published_at, faq.published_at);
      }
    }
    if (rng.next() < w.runbookShare) {
      mk(`Runbook: ${s.expert} ${p.expert} (${pl.expert})`,
        `Symptoms: "${p.error}" in ${s.name} logs on ${pl.name}. Cause: ${p.expert} in ${s.expert}. ${fix} Escalate to the ${s.category} on-call if it persists.`, 2);
    }
    for (let k = 0; k < w.extraArticles; k++) {
      const [title, text] = extraArticle(k, it, explain, fix);
      const d = mk(title, text, rng.next() < 0.5 ? 2 : 1);
      if ((d.grades.get(it.id) ?? 0) < 2) d.intents = [];
    }
  }
  // One overview page per system: lexically close to every intent of the system, relevant to none.
  for (const s of SYSTEMS) {
    const its = bySystem.get(s.key);
    if (!its) continue;
    const topics = [...new Set(its.map((i) => i.p.canonical))].slice(0, 4).join(', ');
    drafts.push({
      title: `${s.entity} overview`, text: `${s.entity} (${s.name}) is run by the ${s.category} team. Articles cover ${topics} and more.`,
      category: s.category, entity: s.entity, published_at: pub(), intents: [], attractive: false, grades: new Map(),
    });
  }
  // Related: the same need on another platform is partly useful (grade 1).
  for (const it of intents) {
    for (const other of byNeed.get(`${it.s.key}.${it.p.key}`) ?? []) {
      if (other === it) continue;
      for (const d of docsOf.get(other.id) ?? []) if ((d.grades.get(other.id) ?? 0) >= 2 && !d.grades.has(it.id)) d.grades.set(it.id, 1);
    }
  }

  // Opaque ids: the id must not reveal the intent.
  const order = shuffleInPlace(drafts.map((_, i) => i), rng);
  const idOf = new Map<DraftDoc, string>();
  order.forEach((di, k) => idOf.set(drafts[di] as DraftDoc, `KB${String(10000 + k)}`));
  const docs: SimDoc[] = order.map((di) => {
    const d = drafts[di] as DraftDoc;
    // Popularity: heavy-tailed, mostly low.
    const popularity = Math.max(0.01, Math.pow(rng.next(), 3));
    return {
      doc_id: idOf.get(d) as string, title: d.title, text: d.text, category: d.category, entity: d.entity,
      published_at: d.published_at, intents: d.intents, attractive: d.attractive, popularity,
    };
  });

  const lookalikes = new Map<string, string[]>();
  for (const it of intents) {
    const ids: string[] = [];
    for (const o of bySystem.get(it.s.key) ?? []) {
      if (o.p.key === it.p.key) continue;
      for (const d of docsOf.get(o.id) ?? []) if (!d.grades.has(it.id)) ids.push(idOf.get(d) as string);
    }
    lookalikes.set(it.id, ids);
  }

  // Queries: seven phrasings per intent, intent frequency Zipf, phrasing skewed.
  const queries: SimQuery[] = [];
  const qrels: SimQrel[] = [];
  const seen = new Set<string>();
  const judged = new Map<string, [string, number][]>();
  for (const d of drafts) {
    for (const [fam, g] of d.grades) {
      const a = judged.get(fam);
      if (a) a.push([idOf.get(d) as string, g]);
      else judged.set(fam, [[idOf.get(d) as string, g]]);
    }
  }
  for (const a of judged.values()) a.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const zipf = intents.map((_, r) => 1 / Math.pow(r + 1, opts.behaviour.intentZipf));
  const zsum = zipf.reduce((a, b) => a + b, 0);
  intents.forEach((it, r) => {
    const texts = phrasings(it, rng);
    const sw = STYLES.map((st) => Math.pow(STYLE_WEIGHTS[st] * (0.5 + rng.next()), opts.behaviour.variantSkew));
    const swSum = sw.reduce((a, b) => a + b, 0);
    const split = splitOf(it.id, opts.testShare, hash32);
    STYLES.forEach((style, k) => {
      const q = texts[style];
      // Unique after normalisation: evidence is aggregated per normalised query downstream.
      const key = normalizeQuery(q);
      if (seen.has(key)) return;
      seen.add(key);
      queries.push({ query_id: `q${queries.length + 1}`, query: q, family: it.id, style, weight: ((zipf[r] as number) / zsum) * ((sw[k] as number) / swSum), split });
      for (const [doc_id, grade] of judged.get(it.id) ?? []) qrels.push({ query: q, doc_id, grade });
    });
  });

  // Duplicate phrasings were skipped: renormalise so weights still sum to 1.
  const total = queries.reduce((a, q) => a + q.weight, 0);
  const normalised = queries.map((q) => ({ ...q, weight: q.weight / total }));
  return {
    name: 'helpdesk', docs, queries: normalised, qrels, lookalikes, conversionKind: 'ticket_closed',
    examination: examinationCurve(opts.ranker.topK, opts.clicks.examinationExponent),
  };
}

/** The k-th extra article of an intent (broad-topic worlds): canonical and expert words only, never novice ones. */
function extraArticle(k: number, it: Intent, explain: string, fix: string): [string, string] {
  const { s, p, pl } = it;
  const part = k >= EXTRA_KINDS ? ` (part ${Math.floor(k / EXTRA_KINDS) + 1})` : '';
  const t: [string, string][] = [
    [`Community thread: ${p.canonical} with ${s.name} on ${pl.name}`, `Asked in the ${s.category} forum: ${p.canonical} in ${s.name} on ${pl.name}. Accepted reply: ${fix}`],
    [`Known issue: ${s.entity} ${p.canonical} (${pl.name})`, `Users on ${pl.name} report "${p.error}" in ${s.name}. ${explain} Workaround until the fix ships: ${fix}`],
    [`Release note: ${s.name} update for ${p.canonical} on ${pl.name}`, `This ${s.name} release handles ${p.canonical} on ${pl.name} better. ${explain}`],
    [`Checklist: ${p.canonical} in ${s.name} on ${pl.name}`, `Before you call the ${s.category} team about ${p.canonical}: ${fix} Check ${s.expert} for ${p.expert}.`],
    [`Video transcript: fixing ${p.canonical} in ${s.name} (${pl.name})`, `In this video the ${s.category} team shows ${p.canonical} in ${s.name} on ${pl.name}. ${explain} ${fix}`],
    [`Team wiki: ${s.entity} notes on ${p.expert} (${pl.expert})`, `Notes of the ${s.category} team on ${p.expert} in ${s.expert} on ${pl.name}. ${fix}`],
  ];
  const [title, text] = t[k % EXTRA_KINDS] as [string, string];
  return [`${title}${part}`, part ? `${text} Part ${Math.floor(k / EXTRA_KINDS) + 1} of the series.` : text];
}
const EXTRA_KINDS = 6;

function phrasings(it: Intent, rng: ReturnType<typeof createRng>): Record<QueryStyle, string> {
  const { s, p, pl } = it;
  const keyword = `${s.name} ${p.keyword} ${pl.abbr}`;
  const novice = [
    `the ${s.novice} ${p.novice} on my ${pl.novice}`,
    `why does the ${s.novice} on my ${pl.novice} say ${p.novice}`,
    `${s.novice} ${p.novice} ${pl.novice}`,
  ][rng.int(3)] as string;
  return {
    keyword,
    question: `how do i ${fill(p.question, s.name, pl.name)} on ${pl.name}?`,
    error: `${s.name} ${p.error} ${pl.abbr}`,
    abbreviation: `${s.abbr} ${p.abbr} ${pl.abbr}`,
    misspelling: misspell(keyword, rng),
    novice,
    expert: `${s.expert} ${p.expert} ${pl.expert}`,
  };
}
