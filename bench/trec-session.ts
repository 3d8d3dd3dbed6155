/**
 * clickforge's defaults on a real labelled log: TREC Session 2014 (../shared/data, or
 * $CLICKFORGE_DATA). The log is converted (src/tools/real-logs/trec-session.ts), `build` runs with
 * default options except negatives.miners = [behavioural] (the log has no document text, so BM25
 * over "document <id>" would match digits of ids), once per click-time convention (the log has no
 * times: clicks 1 s apart after their page, or clicks without a time), and every figure is
 * measured over the labelled (query, doc) pairs: precision of positives, false-negative rate of
 * negatives per source, precision by single signal; Wilson 95% intervals. Labelled pairs are split
 * 20% calibration / 80% measurement by query group (sessions, queries and the families of the
 * default build with spaced clicks never straddle; the split does not depend on the flags); the calibration side fixes the CTR median and gives each rule a verdict
 * (better or worse than its raw baseline) that the measurement side checks.
 *
 *   npx tsx bench/trec-session.ts [--seed 42] [--calibration 0.2] [--variants spaced,none] [--out <dir>] [--build '{"grading":{"rule":"funnel"}}']
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../src/pipeline.js';
import type { ConfigInput } from '../src/config.js';
import { mergeConfig } from '../src/config.js';
import { openDb, queryRows, sqlString } from '../src/db/duckdb.js';
import { readTrecSession, trecSessionDir, trecSessionPresent, writeTrecSession } from '../src/tools/real-logs/trec-session.js';
import { calibrationGroups, groupQueries, impressionRates, labelGrades, logPairSignals, pairKey, rateOf, RELEVANT_GRADE, type Rate } from '../src/tools/real-logs/measure.js';
import { arg } from './args.js';

const seed = Number(arg('seed', '42'));
const share = Number(arg('calibration', '0.2'));
const variants = arg('variants', 'spaced,none').split(',') as ('spaced' | 'none')[];
const work = arg('out', join(tmpdir(), `clickforge-trec-session-${seed}`));
const overrides = JSON.parse(arg('build', '{}')) as ConfigInput;
const dir = trecSessionDir();
if (!trecSessionPresent(dir)) {
  console.log(`skipped: TREC Session 2014 not found at ${dir} (set CLICKFORGE_DATA to the folder holding trec-session-2014-clicks/)`);
  process.exit(0);
}

const t0 = performance.now();
const log = readTrecSession(dir);
const sig = logPairSignals(log);
const lab = labelGrades(log);
const imp = impressionRates(log);

interface EvidenceRow { query_norm: string; doc_id: string; clicks: number; expected_examinations: number; bad_clicks: number; grade: number }
interface Run {
  name: string;
  clicksKept: number;
  clicks: number;
  outcomes: string;
  curve: number[];
  families: number;
  evidence: Map<string, EvidenceRow>;
  positives: Map<string, number>;
  exported: Map<string, number>;
  negatives: Map<string, { source: string; filled: boolean }>;
  familyOf: Map<string, string>;
  /** negatives/select and the click veto's drops, from the report's stage stats. */
  mining: string;
}

const hasOverrides = Object.keys(overrides).length > 0;
// the split's groups use the families of the default build with spaced clicks, run even when not printed, so the split is the same whatever the flags
const REFERENCE = 'reference';
const plan = [
  ...(variants.includes('spaced') ? [] : [{ name: REFERENCE, clickTimes: 'spaced' as const, overrides: {} as ConfigInput }]),
  ...variants.map((v) => ({ name: v, clickTimes: v, overrides: {} as ConfigInput })),
  ...(hasOverrides ? variants.map((v) => ({ name: `${v}+build`, clickTimes: v, overrides })) : []),
];
const runs: Run[] = [];
for (const p of plan) {
  const v = p.clickTimes;
  const files = await writeTrecSession(log, join(work, `inputs-${v}`), { clickTimes: v });
  const config = mergeConfig({ input: { serps: [files.serps], corpus: files.corpus, labels: files.labels }, output: join(work, `out-${p.name}`), seed, negatives: { miners: ['behavioural'] } }, p.overrides) as ConfigInput;
  const r = await build(config);
  const { conn, close } = await openDb();
  const ev = await queryRows<EvidenceRow>(conn, `SELECT query_norm, doc_id, clicks::DOUBLE AS clicks, expected_examinations, bad_clicks::DOUBLE AS bad_clicks, grade FROM read_parquet(${sqlString(r.files.evidence!)})`);
  close();
  const positives = new Map<string, number>();
  for (const l of readFileSync(r.files.positives!, 'utf8').split('\n')) {
    if (!l) continue;
    const p = JSON.parse(l) as { query_norm: string; doc_id: string; grade: number };
    positives.set(pairKey(p.query_norm, p.doc_id), p.grade);
  }
  const exported = new Map<string, number>();
  const negatives = new Map<string, { source: string; filled: boolean }>();
  const familyOf = new Map<string, string>();
  const cfDir = join(r.outDir, 'dataset', 'clickforge');
  for (const f of existsSync(cfDir) ? readdirSync(cfDir).filter((x) => x.endsWith('.jsonl')).sort() : []) {
    for (const l of readFileSync(join(cfDir, f), 'utf8').split('\n')) {
      if (!l) continue;
      const row = JSON.parse(l) as { query_norm: string; family: string; doc_id: string; grade: number; negatives: { doc_id: string; source: string; filled: boolean }[] };
      exported.set(pairKey(row.query_norm, row.doc_id), row.grade);
      familyOf.set(row.query_norm, row.family);
      for (const n of row.negatives) negatives.set(pairKey(row.query_norm, n.doc_id), { source: n.source, filled: n.filled });
    }
  }
  const s = r.report.summary as { clicks: number; clicksKept: number };
  const stage = (name: string) => r.report.stages.find((x) => x.stage === name);
  const sel = stage('negatives/select'), veto = stage('false-negatives/click-veto');
  const mining = `records ${sel?.out.records ?? 0}, negatives ${sel?.out.negatives ?? 0} (behavioural ${sel?.out.negatives_behavioural ?? 0}, fill ${sel?.out.negatives_fill ?? 0}); click veto removed ${Object.entries(veto?.dropped ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'} of ${veto?.in.candidates ?? 0} candidates`;
  runs.push({
    name: p.name,
    clicks: s.clicks,
    clicksKept: s.clicksKept,
    outcomes: r.report.clickOutcomes.map((o) => `${o.outcome} ${o.count}${o.kept ? '' : ' (discarded)'}`).join(', '),
    curve: (r.report.sections.bias as { curve: number[] }).curve,
    families: (r.report.sections.families as { count: number }).count,
    evidence: new Map(ev.map((e) => [pairKey(e.query_norm, e.doc_id), e])),
    positives,
    exported,
    negatives,
    familyOf,
    mining,
  });
}

const reference = runs.find((r) => r.name === REFERENCE || r.name === 'spaced')!;
if (reference.name === REFERENCE) runs.splice(runs.indexOf(reference), 1);
// groups: sessions + queries + the reference build's families
const families = new Map(reference.familyOf);
const groupOf = groupQueries(log, families);
const sessionGroups = new Set(groupQueries(log).values());
const labelled = [...lab.grade.keys()];
const weight = new Map<string, number>();
for (const k of labelled) {
  const g = groupOf.get(k.slice(0, k.indexOf('\t')))!;
  weight.set(g, (weight.get(g) ?? 0) + 1);
}
const calib = calibrationGroups(weight, share, seed);
const sideOf = (k: string) => (calib.has(groupOf.get(k.slice(0, k.indexOf('\t')))!) ? 'cal' : 'meas');
const rate = (side: 'cal' | 'meas', select: (k: string) => boolean): Rate => {
  let n = 0, rel = 0;
  for (const k of labelled) {
    if (sideOf(k) !== side || !select(k)) continue;
    n++;
    if (lab.grade.get(k)! >= RELEVANT_GRADE) rel++;
  }
  return rateOf(rel, n);
};

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
const ci = (r: Rate) => (r.n ? `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}]` : '      -       ');
const W = 58;
const header = (title: string, what: string, baseline: string) => {
  console.log(`\n${title}`);
  console.log(`${'rule'.padEnd(W)} ${'calibration'.padEnd(14)} ${`measurement ${what} [95% CI]`.padEnd(34)} ${'pairs'.padStart(5)}  vs ${baseline}  verdict (cal -> meas)`);
};
/** One row; `better` says which direction beats the baseline (positives: higher precision; negatives: lower relevant share). */
const row = (name: string, select: (k: string) => boolean, base: { cal: Rate; meas: Rate }, better: 'higher' | 'lower') => {
  const c = rate('cal', select), m = rate('meas', select);
  const ratio = m.rate / base.meas.rate;
  const wins = (r: Rate, b: Rate) => (better === 'higher' ? r.rate > b.rate : r.rate < b.rate);
  const sig = (r: Rate, b: Rate) => (better === 'higher' ? r.lo > b.rate : r.hi < b.rate) ? 'better' : (better === 'higher' ? r.hi < b.rate : r.lo > b.rate) ? 'worse' : 'n.s.';
  const same = c.n === base.cal.n && c.relevant === base.cal.relevant && m.n === base.meas.n && m.relevant === base.meas.relevant;
  const verdict = same ? '(= baseline)' : c.n && m.n ? `${wins(c, base.cal) ? 'better' : 'worse'} -> ${sig(m, base.meas)}` : '';
  console.log(`${name.padEnd(W)} ${`${f3(c.rate)} (${c.n})`.padEnd(14)} ${ci(m).padEnd(34)} ${String(m.n).padStart(5)}  ${Number.isFinite(ratio) ? `x${ratio.toFixed(2)}` : '  -  '}    ${verdict}`);
  return { cal: c, meas: m };
};
const both = (select: (k: string) => boolean) => ({ cal: rate('cal', select), meas: rate('meas', select) });

const S = (k: string) => sig.get(k)!;
const clicked = (k: string) => S(k).clicks > 0;
const queriesLabelled = new Set(labelled.map((k) => k.slice(0, k.indexOf('\t'))));
const groupsLabelled = new Set([...queriesLabelled].map((q) => groupOf.get(q)!));
const measPairs = labelled.filter((k) => sideOf(k) === 'meas').length;

console.log(`TREC Session 2014 at ${dir}: ${log.stats.pages} pages (${Object.values(log.stats.pagesPerFile).join(' / ')} train/valid/test), ${log.stats.sessions} sessions, ${log.stats.clicks} clicks, ${log.stats.queries} query texts, ${log.stats.docs} docs`);
console.log(`labels: ${log.stats.labelledPages} labelled pages (${log.stats.labelledUnmatched} not in train/valid/test) in ${log.stats.labelledSessions} sessions, ${log.stats.labelledClicks} clicks, ${log.stats.labelledImpressions} shown results`);
console.log(`labelled pairs: ${log.stats.labelPairs} (query text, doc); ${lab.grade.size} (normalised query, doc) over ${queriesLabelled.size} queries; graded on several pages ${lab.multiplyGraded}, grades differ ${lab.gradeDisagreements}, relevant/not differ ${lab.relevanceDisagreements} (combined by max; min would change only those)`);
console.log(`groups: ${groupsLabelled.size} query groups hold labelled pairs (components of sessions and queries: ${sessionGroups.size} in the log, ${sessionGroups.size - new Set(groupOf.values()).size} fewer once joined by the ${reference.families} clickforge families of the default build with spaced clicks, ${families.size} exported queries); calibration ${[...groupsLabelled].filter((g) => calib.has(g)).length} groups / ${labelled.length - measPairs} pairs, measurement ${[...groupsLabelled].filter((g) => !calib.has(g)).length} groups / ${measPairs} pairs (seed ${seed})`);
console.log(`per shown result on the labelled pages (no split, as a new user measures): base rate ${ci(imp.shown)} (${imp.shown.n}), clicked ${ci(imp.clicked)} (${imp.clicked.n}), skipped above a click ${ci(imp.skippedAbove)} (${imp.skippedAbove.n}), not clicked ${ci(imp.notClicked)} (${imp.notClicked.n})`);
for (const r of runs) console.log(`build ${r.name}: ${r.mining}`);
for (const r of runs) console.log(`build ${r.name}: clicks kept ${r.clicksKept} of ${r.clicks} (${r.outcomes}); examination curve ${r.curve.map((x) => x.toFixed(2)).join(' ')}`);

const baseAll = both(() => true);
const baseClicked = both(clicked);
header('(a) positives: share of labelled pairs that are relevant (grade >= 1)', 'precision', 'clicked');
row('every clicked pair (raw clicks)', clicked, baseClicked, 'higher');
for (const r of runs) {
  row(`[${r.name}] clickforge positives (positives.jsonl)`, (k) => r.positives.has(k), baseClicked, 'higher');
  row(`[${r.name}] clickforge exported positives (dataset records)`, (k) => r.exported.has(k), baseClicked, 'higher');
  for (const g of [1, 2, 3]) row(`[${r.name}]   clickforge grade ${g}`, (k) => r.positives.get(k) === g, baseClicked, 'higher');
  row(`[${r.name}] clicked, but not a clickforge positive`, (k) => clicked(k) && !r.positives.has(k), baseClicked, 'higher');
}

header('(b) negatives: share of labelled pairs that are relevant (false negatives)', 'FN rate', 'shown');
row('a random shown result (base rate)', () => true, baseAll, 'lower');
row('skipped above a click, never clicked for the query', (k) => S(k).skipAbove > 0 && S(k).clicks === 0, baseAll, 'lower');
row('shown, never clicked', (k) => S(k).clicks === 0, baseAll, 'lower');
const clickedInGroup = new Set<string>();
for (const p of sig.values()) if (p.clicks > 0) clickedInGroup.add(`${groupOf.get(p.query_norm)}\t${p.doc_id}`);
const groupClicked = (k: string) => clickedInGroup.has(`${groupOf.get(S(k).query_norm)}\t${S(k).doc_id}`);
row('  ... and the doc clicked for another query of its group', (k) => S(k).skipAbove > 0 && S(k).clicks === 0 && groupClicked(k), baseAll, 'lower');
row('  ... and the doc never clicked in its group', (k) => S(k).skipAbove > 0 && S(k).clicks === 0 && !groupClicked(k), baseAll, 'lower');
row('shown >= 3 times, never clicked', (k) => S(k).impressions >= 3 && S(k).clicks === 0, baseAll, 'lower');
row('shown, never clicked, never skipped above a click', (k) => S(k).clicks === 0 && S(k).skipAbove === 0, baseAll, 'lower');
for (const r of runs) {
  const neg = (k: string) => r.negatives.get(k);
  row(`[${r.name}] clickforge exported negatives (all sources)`, (k) => neg(k) !== undefined, baseAll, 'lower');
  row(`[${r.name}]   behavioural, skipped above a click in the log`, (k) => neg(k)?.source === 'behavioural' && S(k).skipAbove > 0, baseAll, 'lower');
  row(`[${r.name}]   behavioural, unclicked only`, (k) => neg(k)?.source === 'behavioural' && S(k).skipAbove === 0, baseAll, 'lower');
  row(`[${r.name}]   any source, doc clicked for another query of its group`, (k) => neg(k) !== undefined && groupClicked(k), baseAll, 'lower');
  row(`[${r.name}]   any source, doc never clicked in its group`, (k) => neg(k) !== undefined && !groupClicked(k), baseAll, 'lower');
  row(`[${r.name}]   random fill`, (k) => neg(k)?.filled === true, baseAll, 'lower');
  const unjudged = [...r.negatives.keys()].filter((k) => !lab.grade.has(k)).length;
  console.log(`${''.padEnd(W)} [${r.name}] ${r.negatives.size} distinct exported negative pairs, ${r.negatives.size - unjudged} labelled (the rest are never judged: random fill draws from the whole corpus)`);
}

header('(c) single signals among clicked pairs', 'precision', 'clicked');
row('clicked in one session', (k) => clicked(k) && S(k).clickSessions.size === 1, baseClicked, 'higher');
row('clicked in several sessions', (k) => S(k).clickSessions.size >= 2, baseClicked, 'higher');
row('last click of a session', (k) => S(k).lastClickOfSession, baseClicked, 'higher');
row('clicked, never the last click of a session', (k) => clicked(k) && !S(k).lastClickOfSession, baseClicked, 'higher');
row('every click followed by a reformulation', (k) => clicked(k) && !S(k).clickWithoutReformulation, baseClicked, 'higher');
row('some click not followed by a reformulation', (k) => S(k).clickWithoutReformulation, baseClicked, 'higher');
row('best click at rank 1-3', (k) => clicked(k) && S(k).bestClickRank <= 3, baseClicked, 'higher');
row('clicks at rank 4-10 only', (k) => S(k).bestClickRank >= 4, baseClicked, 'higher');
for (const r of runs) {
  // position-corrected CTR under clickforge's curve; the median comes from the calibration side's clicked pairs
  const ctr = (k: string) => {
    const e = r.evidence.get(k);
    return e && e.expected_examinations > 0 ? e.clicks / e.expected_examinations : NaN;
  };
  const calCtr = [...r.evidence.keys()].filter((k) => (sig.get(k)?.clicks ?? 0) > 0 && sideOf(k) === 'cal' && Number.isFinite(ctr(k))).map(ctr).sort((a, b) => a - b);
  const median = calCtr.length ? calCtr[Math.floor(calCtr.length / 2)]! : NaN;
  row(`[${r.name}] position-corrected CTR >= ${median.toFixed(2)} (calibration median)`, (k) => clicked(k) && ctr(k) >= median, baseClicked, 'higher');
  row(`[${r.name}] position-corrected CTR < ${median.toFixed(2)}`, (k) => clicked(k) && ctr(k) < median, baseClicked, 'higher');
  row(`[${r.name}] clickforge kept at least one click`, (k) => clicked(k) && (r.evidence.get(k)?.clicks ?? 0) > (r.evidence.get(k)?.bad_clicks ?? 0), baseClicked, 'higher');
  row(`[${r.name}] clickforge discarded every click (pogo / short dwell)`, (k) => clicked(k) && (r.evidence.get(k)?.clicks ?? 0) <= (r.evidence.get(k)?.bad_clicks ?? 0), baseClicked, 'higher');
}

console.log('\ndefaults vs raw, measurement side');
const m = (select: (k: string) => boolean) => rate('meas', select);
const rawPos = m(clicked), skip = m((k) => S(k).skipAbove > 0 && S(k).clicks === 0), shown = m(() => true);
for (const r of runs) {
  const pos = m((k) => r.positives.has(k)), ex = m((k) => r.exported.has(k)), neg = m((k) => r.negatives.has(k));
  const relKept = (select: (k: string) => boolean) => labelled.filter((k) => sideOf(k) === 'meas' && select(k) && lab.grade.get(k)! >= RELEVANT_GRADE).length;
  console.log(`[${r.name}] positive precision: clickforge ${f3(pos.rate)} vs raw clicks ${f3(rawPos.rate)} (x${(pos.rate / rawPos.rate).toFixed(2)}); exported ${f3(ex.rate)} (x${(ex.rate / rawPos.rate).toFixed(2)}); relevant labelled pairs kept ${relKept((k) => r.positives.has(k))} of ${relKept(clicked)} clicked (${((100 * relKept((k) => r.positives.has(k))) / Math.max(1, relKept(clicked))).toFixed(0)}%)`);
  console.log(`[${r.name}] negative FN rate: clickforge ${f3(neg.rate)} (${neg.n} judged) vs skipped above ${f3(skip.rate)} (x${(neg.rate / skip.rate).toFixed(2)}) vs a random shown result ${f3(shown.rate)} (x${(neg.rate / shown.rate).toFixed(2)})`);
}
console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s; outputs in ${work})`);
