import { describe, expect, it } from 'vitest';
import { qualityAgainstLabels, unjudgedConvention } from '../../../src/stages/report/quality.js';
import type { Evidence, PositivePair } from '../../../src/types.js';
import type { TrainingRecord } from '../../../src/stages/negatives/types.js';

const ev = (q: string, d: string, clicks: number): Evidence => ({
  kind: 'Evidence', query_norm: q, query: q, doc_id: d, impressions: 5, clicks, satisfied: 0, converted: 0, success_last: 0, short_dwell: 0,
  pogo: 0, unknown_dwell: 0, skip_above: 0, serps: 1, users: 1, first_ts: null, last_ts: null, grade: 1, weight: 1, signals: [],
});
const pair = (q: string, d: string, grade: number): PositivePair => ({
  kind: 'PositivePair', query: q, query_norm: q, doc_id: d, positive: 't', grade, weight: 1,
  evidence: { signals: [], clicks: 1, satisfied: 0, converted: 0, serps: 1, users: 1, impressions: 1 },
});

describe('qualityAgainstLabels', () => {
  const labels = [
    { query: 'Reset Token', doc_id: 'a', grade: 3 },
    { query: 'reset token', doc_id: 'b', grade: 0 },
    { query: 'reset token', doc_id: 'c', grade: 2 },
    { query: 'reset token', doc_id: 'd', grade: 1 },
    { query: 'reset token', doc_id: 'd', grade: 0 }, // two judges: mean 0.5 > 0
  ];
  const evidence = [ev('reset token', 'a', 3), ev('reset token', 'b', 2), ev('reset token', 'x', 1), ev('reset token', 'c', 0)];
  const pairs = [pair('reset token', 'a', 3), pair('reset token', 'x', 1)];
  const records: TrainingRecord[] = [{
    kind: 'TrainingRecord', query: 'reset token', query_norm: 'reset token', family: 'f',
    positives: [{ doc_id: 'a', text: 't', grade: 3, weight: 1 }],
    negatives: [
      { doc_id: 'b', text: 't', source: 'bm25' },
      { doc_id: 'c', text: 't', source: 'bm25' },
      { doc_id: 'z', text: 't', source: 'random' },
    ],
  }];
  const q = qualityAgainstLabels(labels, evidence, pairs, records, 'skip');

  it('follows the file by default: grade-0 rows are sampled judgements (skip), relevant-only rows a qrels list (TREC)', () => {
    expect(unjudgedConvention(labels)).toBe('skip');
    expect(qualityAgainstLabels(labels, evidence, pairs, records)).toEqual(q);
    const qrels = labels.filter((l) => l.grade > 0);
    expect(unjudgedConvention(qrels)).toBe('irrelevant');
    const t = qualityAgainstLabels(qrels, evidence, pairs, records);
    expect(t.unjudged).toBe('irrelevant');
    expect(t.clickedPairs).toEqual({ judged: 3, relevant: 1, rate: 1 / 3 }); // clicked a, b, x: b and x unlisted = not relevant
  });

  it('with unjudged = irrelevant, treats unlabelled documents of a judged query as not relevant (TREC convention)', () => {
    const t = qualityAgainstLabels(labels, evidence, pairs, records, 'irrelevant');
    expect(t.clickedPairs).toEqual({ judged: 3, relevant: 1, rate: 1 / 3 }); // x now counts as irrelevant
    expect(t.positives).toEqual({ judged: 2, relevant: 1, rate: 0.5 });
    expect(t.negativesBySource.random).toEqual({ judged: 1, relevant: 0, rate: 0 });
    const other = qualityAgainstLabels(labels, [ev('unlabelled query', 'a', 1)], [], []);
    expect(other.clickedPairs.judged).toBe(0); // a query without labels is never guessed
  });

  it('with unjudged = skip, scores clicked pairs, positives and negatives over judged items only', () => {
    expect(q.clickedPairs).toEqual({ judged: 2, relevant: 1, rate: 0.5 }); // a relevant, b not, x unjudged
    expect(q.positives).toEqual({ judged: 1, relevant: 1, rate: 1 });
    expect(q.positivesByGrade.grade_1).toEqual({ judged: 0, relevant: 0, rate: null });
    expect(q.negatives).toEqual({ judged: 2, relevant: 1, rate: 0.5 }); // c is a false negative
    expect(q.negativesBySource.random).toEqual({ judged: 0, relevant: 0, rate: null });
  });

  it('measures recall over the labelled-relevant pairs of the positives\' queries (a, c, d)', () => {
    expect(q.positiveRecall).toBeCloseTo(1 / 3);
    expect(q.labelledQueries).toBe(1);
  });
});
