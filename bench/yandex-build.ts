/**
 * `build` with default options on the Yandex relevance-prediction sample (a real click log, no
 * labels: ../shared/data or $CLICKFORGE_DATA), converted by src/tools/real-logs/yandex.ts; prints
 * the conversion counts, the bias stage's identification, the grading rule and the warnings the
 * build raises.
 *
 *   npx tsx bench/yandex-build.ts [--out <dir>]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../src/pipeline.js';
import { buildWarnings } from '../src/cli/warnings.js';
import { readYandexSample, writeYandexSample, yandexSampleDir, yandexSamplePresent } from '../src/tools/real-logs/yandex.js';

const i = process.argv.indexOf('--out');
const work = i >= 0 ? (process.argv[i + 1] ?? '') : join(tmpdir(), 'clickforge-yandex-build');
const dir = yandexSampleDir();
if (!yandexSamplePresent(dir)) {
  console.log(`skipped: the Yandex sample is not at ${dir} (set CLICKFORGE_DATA to the folder holding yandex-relpred-sample/)`);
  process.exit(0);
}
const t0 = performance.now();
const log = await readYandexSample(dir);
console.log(`Yandex sample at ${dir}: ${JSON.stringify(log.stats)}`);
const files = await writeYandexSample(log, join(work, 'inputs'));
const r = await build({ input: { serps: [files.serps], corpus: files.corpus }, output: join(work, 'out') });
const b = r.report.sections.bias as { curve: number[]; identification: { identified: boolean; reasons: string[]; measures: Record<string, number | null> }; grading: { rule: string; reason: string } };
console.log(`curve ${b.curve.map((v) => v.toFixed(3)).join(' ')}`);
console.log(`identified ${b.identification.identified} ${JSON.stringify(b.identification.measures)}${b.identification.reasons.length ? `: ${b.identification.reasons.join('; ')}` : ''}`);
console.log(`grading ${b.grading.rule} (${b.grading.reason})`);
console.log(`corpus ${JSON.stringify(r.report.sections.corpus)}`);
const w = buildWarnings(r.report);
console.log(`${w.length} warning(s):`);
for (const l of w) console.log(`warning: ${l}`);
console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s; outputs in ${work})`);
