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
    `counts add up     ${r.report.accounting.every((a) => a.ok) ? 'yes' : 'NO (see report.md)'}`,
    `output            ${r.outDir}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
