import type { BuildResult } from '../pipeline.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The short result of a build, on stdout. */
export function printSummary(r: BuildResult): void {
  const s = r.report.summary;
  const lines = [
    `input rows        ${fmt(s.rowsRead)} (${fmt(s.rowsQuarantined)} quarantined)`,
    `sessions          ${fmt(s.sessions)}`,
    `result pages      ${fmt(s.serps)}`,
    `raw clicks        ${fmt(s.clicks)}`,
  ];
  for (const c of r.report.clickOutcomes) lines.push(`  ${c.kept ? 'kept   ' : 'discard'} ${c.outcome.padEnd(20)} ${fmt(c.count).padStart(9)}  ${pct(c.share)}`);
  lines.push(
    `clicks discarded  ${pct(s.clickDiscardRate)}`,
    `evidence pairs    ${fmt(s.evidencePairs)}`,
    `positive pairs    ${fmt(s.positivePairs)} over ${fmt(s.positiveQueries)} queries`,
    ...splitLines(r),
    `counts add up     ${r.report.accounting.every((a) => a.ok) ? 'yes' : 'NO (see report.md)'}`,
    `output            ${r.outDir}`,
    ...checklistLine(r),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Records per split and what the leakage guards moved: the price of a clean test, in plain sight. */
function splitLines(r: BuildResult): string[] {
  const exp = r.report.stages.find((st) => st.stage === 'export');
  const spl = r.report.stages.find((st) => st.stage === 'splits');
  if (!exp || !spl) return [];
  const o = exp.out as Readonly<Record<string, number>>;
  const d = spl.dropped as Readonly<Record<string, number>>;
  const fam = spl.out as Readonly<Record<string, number>>;
  const mode = (r.report.sections.splits as { mode?: string } | undefined)?.mode;
  const lines = [`splits            ${mode ? `${mode}: ` : ''}train ${fmt(o.train ?? 0)} quer${o.train === 1 ? 'y' : 'ies'}, dev ${fmt(o.dev ?? 0)}, test ${fmt(o.test ?? 0)} (${fmt(fam.train ?? 0)} / ${fmt(fam.dev ?? 0)} / ${fmt(fam.test ?? 0)} families)`];
  const purged = d.train_family_linked_to_test_moved_to_dev ?? 0, thin = d.test_family_below_min_clicks_to_dev ?? 0;
  if (purged > 0 || thin > 0) lines.push(`  to dev          ${fmt(purged)} training families linked to test (purgeLinked), ${fmt(thin)} test families with too few clicks (minTestClicks)`);
  return lines;
}

/** The checklist's verdicts in one line, pointing at the page that explains them. */
function checklistLine(r: BuildResult): string[] {
  const c = r.report.sections.checklist as { verdicts: readonly { verdict: string }[] } | undefined;
  if (!c || !r.files.reportHtml) return [];
  const n = (v: string) => c.verdicts.filter((x) => x.verdict === v).length;
  return [`report            ${r.files.reportHtml} (checklist: ${['pass', 'warn', 'fail', 'unknown', 'not_applicable'].filter((v) => n(v) > 0).map((v) => `${n(v)} ${v}`).join(', ')})`];
}
