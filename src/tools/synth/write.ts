import { join } from 'node:path';
import { writeFileAtomic, stableJson } from '../../util/fs.js';
import { COMPLETE_MARKER, openOutputDir } from '../../util/output-dir.js';
import { VERSION } from '../../version.js';
import type { ReadCorpusResult } from './corpus.js';
import type { ResolvedSynthOptions } from './options.js';
import type { SynthResult } from './synth.js';

export const SYNTH_FILES = { queries: 'queries.jsonl', passages: 'passages.jsonl', report: 'report.json', manifest: COMPLETE_MARKER } as const;

/**
 * Write a synth run into `outDir` (replaced as a whole, like a build's output):
 * queries.jsonl, passages.jsonl, report.json (corpus drops, the run's counts, the options) and
 * manifest.json. Nothing in them depends on the time or the machine.
 */
export async function writeSynthOutput(outDir: string, r: SynthResult, extra: { corpus?: ReadCorpusResult; options: ResolvedSynthOptions; inputs: Readonly<Record<string, string>> }): Promise<Record<string, string>> {
  const out = await openOutputDir(outDir);
  try {
    const q = r.queries.map((x) => JSON.stringify({ query: x.query, style: x.style, doc_id: x.doc_id, passage_id: x.passage_id, generator: x.generator, noise: x.noise, clean: x.clean, weight: x.weight })).join('\n');
    await writeFileAtomic(join(out.staging, SYNTH_FILES.queries), q ? `${q}\n` : '');
    const p = r.passages.map((x) => JSON.stringify({ passage_id: x.passage_id, doc_id: x.doc_id, n: x.n, ...(x.title ? { title: x.title } : {}), text: x.text, start: x.start, end: x.end })).join('\n');
    await writeFileAtomic(join(out.staging, SYNTH_FILES.passages), p ? `${p}\n` : '');
    const report = { ...(extra.corpus ? { corpus: { stats: extra.corpus.stats, examples: extra.corpus.examples } } : {}), ...r.report, options: extra.options };
    await writeFileAtomic(join(out.staging, SYNTH_FILES.report), `${stableJson(report)}\n`);
    await writeFileAtomic(join(out.staging, SYNTH_FILES.manifest), `${stableJson({ tool: 'clickforge synth', version: VERSION, inputs: extra.inputs, files: Object.values(SYNTH_FILES).filter((f) => f !== COMPLETE_MARKER) })}\n`);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return Object.fromEntries(Object.entries(SYNTH_FILES).map(([k, f]) => [k, join(outDir, f)]));
}
