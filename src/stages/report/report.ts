import type { StageStats } from '../../types.js';

/** One check that counts add up: `lhs` must equal the sum of `rhs`. */
export interface AccountingCheck {
  readonly name: string;
  readonly lhs: number;
  readonly rhs: Readonly<Record<string, number>>;
  readonly ok: boolean;
}

export interface FunnelRow {
  readonly step: string;
  readonly count: number;
  /** Share of the funnel's first row. */
  readonly share: number;
}

export interface ClickOutcome {
  readonly outcome: string;
  readonly count: number;
  readonly share: number;
  readonly kept: boolean;
}

export interface Report {
  readonly tool: { readonly name: 'clickforge'; readonly version: string };
  readonly summary: {
    readonly rowsRead: number;
    readonly rowsQuarantined: number;
    readonly sessions: number;
    readonly serps: number;
    readonly clicks: number;
    readonly clicksKept: number;
    readonly clickDiscardRate: number;
    readonly evidencePairs: number;
    readonly positivePairs: number;
    readonly positiveQueries: number;
  };
  readonly funnel: readonly FunnelRow[];
  readonly clickOutcomes: readonly ClickOutcome[];
  readonly stages: readonly StageStats[];
  readonly accounting: readonly AccountingCheck[];
  readonly warnings: readonly string[];
  /** Extra sections other stages add (bias, negatives, splits ...), rendered generically. */
  readonly sections: Readonly<Record<string, unknown>>;
}

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

export function check(name: string, lhs: number, rhs: Readonly<Record<string, number>>): AccountingCheck {
  return { name, lhs, rhs, ok: lhs === sum(rhs) };
}

/**
 * Drop reasons are counted in the unit of the stage's first input (usually `rows`), unless the
 * reason is prefixed with a unit: `clicks.negative_dwell` counts clicks.
 */
export function unitOf(st: StageStats, reason: string): string {
  const dot = reason.indexOf('.');
  if (dot > 0) return reason.slice(0, dot);
  return 'rows' in st.in ? 'rows' : (Object.keys(st.in)[0] ?? 'rows');
}

/** For every unit a stage both takes in and puts out: in = out + drops in that unit. */
export function stageChecks(st: StageStats): AccountingCheck[] {
  const out: AccountingCheck[] = [];
  for (const [unit, n] of Object.entries(st.in)) {
    if (!(unit in st.out)) continue;
    const parts: Record<string, number> = { [`${unit} out`]: st.out[unit] ?? 0 };
    for (const [reason, c] of Object.entries(st.dropped)) if (unitOf(st, reason) === unit) parts[reason] = c;
    out.push(check(`${st.stage}: ${unit} in = out + dropped`, n, parts));
  }
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const fmt = (n: number): string => n.toLocaleString('en-US');

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => (typeof c === 'number' ? fmt(c) : c)).join(' | ')} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n');
}

/** report.md: the funnel, the click outcomes reason by reason, every stage's drops, and the accounting checks. */
export function renderMarkdown(r: Report): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`# clickforge report`, '');
  out.push(
    `${fmt(s.rowsRead)} input rows (${fmt(s.rowsQuarantined)} quarantined) → ${fmt(s.sessions)} sessions, ${fmt(s.serps)} result pages, ` +
      `${fmt(s.clicks)} clicks → ${fmt(s.clicksKept)} clicks kept as evidence (**${pct(s.clickDiscardRate)} of raw clicks discarded**) → ` +
      `${fmt(s.positivePairs)} positive pairs over ${fmt(s.positiveQueries)} queries.`,
    '',
  );
  out.push('## Funnel', '', table(['step', 'count', 'share of first'], r.funnel.map((f) => [f.step, f.count, pct(f.share)])), '');
  if (r.clickOutcomes.length) {
    out.push('## Raw clicks, reason by reason', '', 'Every raw click lands in exactly one outcome.', '');
    out.push(table(['outcome', 'clicks', 'share', 'used as evidence'], r.clickOutcomes.map((c) => [c.outcome, c.count, pct(c.share), c.kept ? 'yes' : 'no (discarded)'])), '');
  }
  out.push('## Stages', '');
  for (const st of r.stages) {
    out.push(`### ${st.stage}`, '');
    const inn = Object.entries(st.in).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    const o = Object.entries(st.out).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    out.push(`- in: ${inn || '—'}`, `- out: ${o || '—'}`);
    const drops = Object.entries(st.dropped).filter(([, v]) => v > 0);
    if (drops.length) {
      const share = (reason: string, v: number) => pct(v / Math.max(1, st.in[unitOf(st, reason)] ?? 0));
      out.push('', table(['dropped: reason', 'count', 'share of its input'], drops.sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v, share(k, v)])));
    }
    for (const n of st.notes ?? []) out.push(`- note: ${n}`);
    out.push('');
  }
  out.push('## Accounting (counts must add up)', '');
  out.push(table(['check', 'total', 'parts', 'ok'], r.accounting.map((a) => [a.name, a.lhs, Object.entries(a.rhs).map(([k, v]) => `${k} ${fmt(v)}`).join(' + '), a.ok ? 'yes' : '**NO**'])), '');
  if (r.warnings.length) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  for (const [name, sec] of Object.entries(r.sections)) {
    out.push(`## ${name}`, '', '```json', JSON.stringify(sec, null, 2), '```', '');
  }
  return out.join('\n');
}
