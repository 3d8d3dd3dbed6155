/**
 * Precision / recall of positives against the simulator's truth, for the naive rule (every clicked
 * pair), the click-funnel rule (evidence stage grade >= 1) and the debiased relevance rule
 * (stages/evidence/grading.ts) at several thresholds, on the help-desk world and on Cranfield
 * with simulated users (skipped when ../shared/data/cranfield is absent).
 *
 *   npx tsx bench/grading-truth.ts [--sessions 20000] [--worlds helpdesk:42,cranfield:42,cranfield:7]
 *
 * Recall is over the truth-relevant (query, doc) pairs of the queries seen in the log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { openDb, queryRows, sqlString } from '../src/db/duckdb.js';
import { gradePair, gradingOptions, type GradingOptionsInput } from '../src/stages/evidence/grading.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { runDemo } from '../src/tools/demo/demo.js';
import { arg } from './args.js';

const sessions = Number(arg('sessions', '20000'));
const worlds = arg('worlds', 'helpdesk:42,cranfield:42,cranfield:7').split(',');
const cranDir = resolve(arg('cranfield', join(import.meta.dirname, '../../shared/data/cranfield')));

interface Row { query_norm: string; doc_id: string; clicks: number; expected_examinations: number; good_clicks: number; bad_clicks: number; medium_clicks: number; converted: number; funnel_grade: number; relevance: number }

for (const spec of worlds) {
  const [kind, seedS] = spec.split(':') as [string, string];
  const seed = Number(seedS);
  if (kind === 'cranfield' && !existsSync(cranDir)) {
    console.log(`${spec}: skipped (no ${cranDir})`);
    continue;
  }
  const out = join(tmpdir(), `clickforge-grading-${kind}-${seed}`);
  const t0 = performance.now();
  const demo = await runDemo({ outDir: out, sessions, seed, evaluate: false, world: kind === 'cranfield' ? { kind: 'cranfield', collection: cranDir } : { kind: 'helpdesk' } });
  const qrels = new Map<string, Map<string, number>>();
  for (const l of readFileSync(join(out, 'data', 'truth', 'qrels.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l) as { query: string; doc_id: string; grade: number };
    const q = normalizeQuery(r.query);
    let m = qrels.get(q);
    if (!m) qrels.set(q, (m = new Map()));
    m.set(r.doc_id, r.grade);
  }
  const { conn, close } = await openDb();
  const rows = await queryRows<Row>(conn, `SELECT query_norm, doc_id, clicks::DOUBLE AS clicks, expected_examinations, good_clicks::DOUBLE AS good_clicks, bad_clicks::DOUBLE AS bad_clicks, medium_clicks::DOUBLE AS medium_clicks, converted::DOUBLE AS converted, funnel_grade::DOUBLE AS funnel_grade, relevance FROM read_parquet(${sqlString(demo.build.files.evidence!)})`);
  close();
  const seenQ = new Set(rows.map((r) => r.query_norm));
  let relevantTotal = 0;
  for (const q of seenQ) for (const g of qrels.get(q)?.values() ?? []) if (g > 0) relevantTotal++;
  const isRel = (r: Row) => (qrels.get(r.query_norm)?.get(r.doc_id) ?? 0) > 0;
  const bias = demo.build.report.sections.bias as { curve: number[] };
  let truthCurve: number[] = [];
  try { truthCurve = JSON.parse(readFileSync(join(out, 'data', 'truth', 'examination.json'), 'utf8')) as number[]; } catch { /* absent */ }
  console.log(`\n== ${spec}: ${rows.length} evidence pairs, ${rows.filter((r) => r.clicks > 0).length} clicked, ${relevantTotal} relevant pairs in truth (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(`   estimated curve ${bias.curve.map((v) => v.toFixed(2)).join(' ')}`);
  if (truthCurve.length) console.log(`   truth curve     ${JSON.stringify(truthCurve).slice(0, 200)}`);
  const line = (name: string, sel: (r: Row) => boolean) => {
    let n = 0, tp = 0;
    for (const r of rows) if (sel(r)) { n++; if (isRel(r)) tp++; }
    console.log(`   ${name.padEnd(44)} positives ${String(n).padStart(6)}  precision ${(tp / Math.max(1, n)).toFixed(3)}  recall ${(tp / Math.max(1, relevantTotal)).toFixed(3)}`);
  };
  const kept = (r: Row) => r.clicks - r.bad_clicks > 0;
  line('naive: clicked', (r) => r.clicks > 0);
  line('funnel grade >= 1 (+kept click)', (r) => r.funnel_grade >= 1 && kept(r));
  line('funnel grade >= 2', (r) => r.funnel_grade >= 2 && kept(r));
  for (const lo of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    const hi = lo + 0.1;
    line(`  relevance in [${lo.toFixed(1)}, ${hi.toFixed(1)})`, (r) => r.clicks > 0 && r.relevance >= lo && r.relevance < (lo >= 0.6 ? 9 : hi));
  }
  const variants: [string, GradingOptionsInput][] = [
    ['default', {}],
    ['t1=0.15', { thresholds: [0.15, 0.35, 0.5] }],
    ['t1=0.25', { thresholds: [0.25, 0.35, 0.5] }],
    ['t1=0.3', { thresholds: [0.3, 0.35, 0.5] }],
    ['medium=0', { mediumDwellGood: 0 }],
    ['medium=1', { mediumDwellGood: 1 }],
    ['no conversion grade', { conversionGrade: false }],
  ];
  for (const [name, v] of variants) {
    const o = gradingOptions.parse(v);
    line(`relevance rule ${name} (+kept click)`, (r) => kept(r) && gradePair({ clicks: r.clicks, expectedExaminations: r.expected_examinations, good: r.good_clicks, bad: r.bad_clicks, medium: r.medium_clicks, converted: r.converted }, o).grade >= 1);
  }
  const q = demo.quality;
  console.log(`   training records: naive ${demo.records.naive} (precision ${q.naive.positivePrecision.toFixed(3)}, recall ${q.naive.positiveRecall.toFixed(3)}, FN negs ${q.naive.negativeFalseNegativeRate.toFixed(3)}) clickforge ${demo.records.clean} (precision ${q.clean.positivePrecision.toFixed(3)}, recall ${q.clean.positiveRecall.toFixed(3)}, FN negs ${q.clean.negativeFalseNegativeRate.toFixed(3)})`);
}
