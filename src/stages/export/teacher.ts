import type { RelevanceScorer } from '../../ports/index.js';
import type { TrainingRecord } from '../negatives/types.js';

/** Records scored by a teacher, and how many of them it could not score in full. */
export interface TeacherScored {
  readonly records: TrainingRecord[];
  /** Records every exported text of which got a teacher score. */
  readonly scored: number;
  /** Records the teacher gave no score for at least one text: no score is kept on them (no margin is guessed). */
  readonly unscored: number;
}

/** Records scored at once; each is one request per judge batch, so a few overlap the round trips. */
const CONCURRENCY = 4;

/**
 * GPL pseudo-labels: the teacher scores each record's query against its positives and its first
 * k negatives (the exported ones), and those scores replace the record scorer's. Negatives past k
 * keep no score (they are never exported with one). A record with any text the teacher left
 * unscored keeps no score at all, so a margin never mixes two scales. Order and values do not
 * depend on timing: each record is scored on its own, in one call with a fixed text order.
 */
export async function teacherScore(records: readonly TrainingRecord[], k: number, teacher: RelevanceScorer): Promise<TeacherScored> {
  const out: TrainingRecord[] = new Array(records.length);
  let scored = 0;
  let unscored = 0;
  const one = async (i: number): Promise<void> => {
    const r = records[i]!;
    const negs = r.negatives.slice(0, k);
    const s = await teacher.scores(r.query, [...r.positives.map((p) => p.text), ...negs.map((n) => n.text)]);
    const full = s.every((x) => x !== null);
    const at = (j: number): { score?: number } => (full ? { score: s[j]! } : {});
    if (full) scored++;
    else unscored++;
    out[i] = {
      ...r,
      positives: r.positives.map(({ score: _, ...p }, j) => ({ ...p, ...at(j) })),
      negatives: r.negatives.map(({ score: _, ...n }, j) => (j < negs.length ? { ...n, ...at(r.positives.length + j) } : n)),
    };
  };
  for (let i = 0; i < records.length; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length - i) }, (_, j) => one(i + j)));
  }
  return { records: out, scored, unscored };
}
