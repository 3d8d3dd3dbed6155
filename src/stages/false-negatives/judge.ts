import { internalError } from '../../errors.js';
import type { FalseNegativeOptions } from './options.js';
import type { Judge } from '../../ports/index.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

export interface JudgeFilter extends FalseNegativeFilter {
  /** Answers that could not be parsed (null), and candidates left unjudged by maxPerRecord. */
  readonly counts: { judged: number; unparsable: number; unjudged: number };
}

/** (6) Teacher judge: drop candidates the judge calls relevant; null answers are counted, not guessed. */
export function createJudgeFilter(opts: FalseNegativeOptions['judge'], judge: Judge): JudgeFilter {
  const counts = { judged: 0, unparsable: 0, unjudged: 0 };
  return {
    name: 'judge',
    counts,
    notes: () => [`judged ${counts.judged}, unparsable ${counts.unparsable}, left unjudged ${counts.unjudged} (maxPerRecord).`],
    async apply(rec, cands) {
      const take = cands.slice(0, opts.maxPerRecord);
      counts.unjudged += cands.length - take.length;
      const out: (Removal | null)[] = cands.map(() => null);
      if (take.length === 0) return out;
      const answers = await judge.judge(rec.query, take.map((c) => ({ doc_id: c.doc_id, text: c.text })));
      if (answers.length !== take.length) {
        throw internalError('bad_judge_output', `judge ${judge.id ?? '(unnamed)'} returned ${answers.length} answers for ${take.length} documents; a Judge must return one answer per document (null when unparsable).`, { stage: 'false-negatives' });
      }
      counts.judged += take.length;
      for (let i = 0; i < take.length; i++) {
        const a = answers[i];
        if (a === true) out[i] = { code: 'judged_relevant', detail: `judge ${judge.id ?? ''} says relevant`.replace('  ', ' ') };
        else if (a === null || a === undefined) {
          counts.unparsable++;
          if (opts.onUnparsable === 'drop') out[i] = { code: 'judge_unparsable', detail: 'judge answer could not be parsed' };
        }
      }
      return out;
    },
  };
}

export const judgeFilter: FilterEntry = {
  name: 'judge',
  option: 'judge',
  setup({ options: { judge: o }, judge }) {
    if (!o.enabled) return {};
    return judge ? { filter: createJudgeFilter(o, judge) } : { note: 'judge filter skipped: no judge given.' };
  },
};
