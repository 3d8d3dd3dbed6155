/**
 * The funnel by source (report section `sourceFunnel`, in a build with bootstrap sources): for
 * clicks and every source file, what was read, what was kept, every drop by reason, and how many
 * positive pairs and training records the source supports. A pair or record supported by several
 * sources counts for each; the tables by source combination count each once and add up to the
 * totals (two accounting checks).
 */
import type { PositivePair, StageStats } from '../../types.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { Split } from '../splits/splits.js';
import { check, type AccountingCheck, type ClickOutcome } from './report.js';

export interface SourceFunnelRow {
  readonly source: string;
  /** Input rows read (the click log's rows for clicks; lines of the file, blank ones included, for a source). */
  readonly rowsRead: number;
  /** What `in`, `kept` and the drops without a unit prefix count: clicks, rows or pairs. */
  readonly unit: string;
  readonly in: number;
  readonly kept: number;
  /** Of the kept: positives (a seed of grade 0 is a judged negative). */
  readonly keptPositives: number;
  readonly dropped: Readonly<Record<string, number>>;
  /** Pairs of positives.jsonl this source supports. */
  readonly positivePairs: number;
  /** Training records (every split) with a positive this source supports, and how many are in train. */
  readonly records: number;
  readonly trainRecords: number;
}

export interface SourceFunnel {
  readonly rows: readonly SourceFunnelRow[];
  readonly positivePairs: number;
  readonly records: number;
  /** Pairs and records by the exact set of sources that supports them, e.g. "clicks+faq". */
  readonly pairsBySources: Readonly<Record<string, number>>;
  readonly recordsBySources: Readonly<Record<string, number>>;
}

export interface SourceFunnelInput {
  /** The click log's side: input rows read, raw clicks, and their outcomes. */
  readonly clicks: { readonly rowsRead: number; readonly raw: number; readonly outcomes: readonly ClickOutcome[] };
  /** The `sources:<kind>` stage of each source file, in load order. */
  readonly sourceStats: readonly StageStats[];
  /** Accepted source rows: their kind and grade. */
  readonly sourceRows: readonly { readonly source: string; readonly grade: number }[];
  readonly pairs: readonly PositivePair[];
  readonly records: readonly TrainingRecord[];
  readonly splitOf: ReadonlyMap<string, Split>;
  /** The source kind of a provenance string (`clicks` for click evidence). */
  readonly kindOf: (provenance: string) => string | null;
}

const key = (q: string, d: string) => `${q}\u0000${d}`;
const bump = (m: Record<string, number>, k: string, n = 1) => { m[k] = (m[k] ?? 0) + n; };

function clickRow(c: SourceFunnelInput['clicks']): Omit<SourceFunnelRow, 'positivePairs' | 'records' | 'trainRecords'> {
  const kept = c.outcomes.filter((o) => o.kept).reduce((a, o) => a + o.count, 0);
  const dropped = Object.fromEntries(c.outcomes.filter((o) => !o.kept).map((o) => [o.outcome, o.count]));
  return { source: 'clicks', rowsRead: c.rowsRead, unit: 'clicks', in: c.raw, kept, keptPositives: kept, dropped };
}

function fileRow(st: StageStats, rows: SourceFunnelInput['sourceRows']): Omit<SourceFunnelRow, 'positivePairs' | 'records' | 'trainRecords'> {
  const source = st.stage.replace(/^sources:/, '');
  const unit = 'pairs' in st.in ? 'pairs' : 'rows';
  const mine = rows.filter((r) => r.source === source);
  const dropped = Object.fromEntries(Object.entries(st.dropped).filter(([, n]) => n > 0));
  return { source, rowsRead: st.in.rows ?? 0, unit, in: st.in[unit] ?? 0, kept: st.out[unit] ?? 0, keptPositives: mine.filter((r) => r.grade > 0).length, dropped };
}

/** The funnel by source, and the checks that its combination tables add up to the totals. */
export function sourceFunnel(i: SourceFunnelInput): { section: SourceFunnel; checks: AccountingCheck[] } {
  const kindsOfPair = new Map<string, string[]>();
  const pairsBySources: Record<string, number> = {};
  const pairsOf: Record<string, number> = {};
  for (const p of i.pairs) {
    const kinds = [...new Set((p.evidence.sources ?? ['clicks']).map((s) => i.kindOf(s) ?? 'unattributed'))].sort();
    kindsOfPair.set(key(p.query_norm, p.doc_id), kinds);
    bump(pairsBySources, kinds.join('+'));
    for (const k of kinds) bump(pairsOf, k);
  }
  const recordsBySources: Record<string, number> = {};
  const recordsOf: Record<string, number> = {};
  const trainOf: Record<string, number> = {};
  for (const r of i.records) {
    const kinds = [...new Set(r.positives.flatMap((p) => kindsOfPair.get(key(r.query_norm, p.doc_id)) ?? ['unattributed']))].sort();
    bump(recordsBySources, kinds.join('+'));
    const train = i.splitOf.get(r.family) === 'train';
    for (const k of kinds) { bump(recordsOf, k); if (train) bump(trainOf, k); }
  }
  const rows = [clickRow(i.clicks), ...i.sourceStats.map((st) => fileRow(st, i.sourceRows))]
    .map((r) => ({ ...r, positivePairs: pairsOf[r.source] ?? 0, records: recordsOf[r.source] ?? 0, trainRecords: trainOf[r.source] ?? 0 }));
  const section: SourceFunnel = { rows, positivePairs: i.pairs.length, records: i.records.length, pairsBySources, recordsBySources };
  return {
    section,
    checks: [
      check('source funnel: positive pairs = pairs by supporting sources', i.pairs.length, pairsBySources),
      check('source funnel: training records = records by supporting sources', i.records.length, recordsBySources),
    ],
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The funnel's tables as rows of cells (report.md and report.html render them, escaped). */
export function sourceFunnelTables(f: SourceFunnel): { bySource: { head: string[]; rows: (string | number)[][] }; byCombination: { head: string[]; rows: (string | number)[][] } } {
  const drops = (d: Readonly<Record<string, number>>) => Object.entries(d).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || '—';
  const combos = (m: Readonly<Record<string, number>>) => Object.keys(m).sort();
  const names = [...new Set([...combos(f.pairsBySources), ...combos(f.recordsBySources)])].sort();
  return {
    bySource: {
      head: ['source', 'rows read', 'in', 'kept', 'kept as positives', 'dropped, by reason', 'positive pairs supported', 'training records supported (train)'],
      rows: f.rows.map((r) => [r.source, r.rowsRead, `${fmt(r.in)} ${r.unit}`, r.kept, r.keptPositives, drops(r.dropped), r.positivePairs, `${fmt(r.records)} (${fmt(r.trainRecords)})`]),
    },
    byCombination: {
      head: ['supported by', 'positive pairs', 'training records'],
      rows: [...names.map((n) => [n, f.pairsBySources[n] ?? 0, f.recordsBySources[n] ?? 0]), ['total', f.positivePairs, f.records]],
    },
  };
}

/** The caption both report pages put above the tables. */
export const SOURCE_FUNNEL_NOTE = 'Each source: what it read, kept and dropped (a drop prefixed rows. or pairs. counts in that unit), and the positive pairs and training records it supports. A pair or record supported by several sources counts in each source\'s row; the second table counts it once, under the sources that support it.';
