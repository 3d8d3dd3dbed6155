/**
 * Labels a team would collect on a simulated log: a seeded sample of shown (query, document)
 * results graded from the world's truth (grade 0 when the truth has no judgement), in the labels
 * format `build --labels` reads. The simulator's truth is complete, so a sample of it plays the
 * part of a few hundred expert judgements, clicked and unclicked results alike.
 *
 * Input: a simulator output folder (serps.jsonl, truth/qrels.jsonl). Output: label rows, sorted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../util/rng.js';

export interface LabelSampleOptions {
  /** Distinct shown (query, document) pairs to label. */
  readonly pairs: number;
  readonly seed: number;
  /** Only results of these queries (raw strings); all queries when absent. */
  readonly queries?: ReadonlySet<string>;
}

export interface SampledLabel {
  readonly query: string;
  readonly doc_id: string;
  readonly grade: number;
}

const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0);

export function sampleLabels(simDir: string, o: LabelSampleOptions): SampledLabel[] {
  const grade = new Map<string, number>();
  for (const l of lines(join(simDir, 'truth', 'qrels.jsonl'))) {
    const r = JSON.parse(l) as { query: string; doc_id: string; grade: number };
    grade.set(`${r.query}\t${r.doc_id}`, r.grade);
  }
  const shown = new Set<string>();
  for (const l of lines(join(simDir, 'serps.jsonl'))) {
    const s = JSON.parse(l) as { query: string; results: string[] };
    if (o.queries && !o.queries.has(s.query)) continue;
    for (const d of s.results) shown.add(`${s.query}\t${d}`);
  }
  const all = [...shown].sort();
  const rng = createRng(o.seed);
  // partial Fisher-Yates: the first `pairs` of a seeded shuffle
  const n = Math.min(o.pairs, all.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(all.length - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, n).sort().map((k) => {
    const tab = k.indexOf('\t');
    return { query: k.slice(0, tab), doc_id: k.slice(tab + 1), grade: grade.get(k) ?? 0 };
  });
}
