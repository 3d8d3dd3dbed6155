import { createTokenizer } from '../../text/tokenize.js';
import type { Style } from './types.js';

/**
 * The "too clean" check. Generated queries are cleaner than real ones: longer, well-formed,
 * capitalised, rarely misspelt. Both sides are classified by the same surface rules (a style
 * cannot be read off a real query, its shape can), and the shares, lengths and casing compared.
 */
export const SHAPES = ['question', 'error', 'acronym', 'short', 'long'] as const;
export type Shape = (typeof SHAPES)[number];

const QUESTION = /^(what|how|why|when|where|which|who|whom|whose|can|could|is|are|was|were|does|do|did|has|have|should|would|will)\b/i;
const ERROR = /["“]|\b(error|exception|fail(?:ed|ure)?|denied|invalid|timeout|refused|errno|0x[0-9a-f]{4,}|[a-z]{2,}-?\d{3,})\b|\b[A-Z][a-z]+(?:Error|Exception)\b/i;
const ACRONYM = /\b[A-Z]{2,6}s?\b/;

const tok = createTokenizer({});

/** The shape of a query: question, error, acronym (an upper-case word), short (<= 4 words) or long. */
export function shapeOf(q: string): Shape {
  const t = q.trim();
  if (QUESTION.test(t) || t.endsWith('?')) return 'question';
  if (ERROR.test(t)) return 'error';
  if (ACRONYM.test(t)) return 'acronym';
  return tok(t).length <= 4 ? 'short' : 'long';
}

export interface Profile {
  readonly queries: number;
  /** Shape -> share of queries. */
  readonly shapes: Readonly<Record<Shape, number>>;
  readonly meanWords: number;
  readonly medianWords: number;
  /** Share starting with an upper-case letter. */
  readonly capitalised: number;
  /** Share ending with '?' or '.'. */
  readonly punctuated: number;
}

export function profile(queries: readonly string[]): Profile {
  const counts = Object.fromEntries(SHAPES.map((s) => [s, 0])) as Record<Shape, number>;
  const lens: number[] = [];
  let cap = 0, punct = 0;
  for (const q of queries) {
    counts[shapeOf(q)]++;
    lens.push(tok(q).length);
    if (/^\p{Lu}/u.test(q.trim())) cap++;
    if (/[?.]$/.test(q.trim())) punct++;
  }
  const n = queries.length;
  lens.sort((a, b) => a - b);
  const shapes = Object.fromEntries(SHAPES.map((s) => [s, n ? counts[s] / n : 0])) as Record<Shape, number>;
  return {
    queries: n,
    shapes,
    meanWords: n ? lens.reduce((a, b) => a + b, 0) / n : 0,
    medianWords: n ? lens[Math.floor((n - 1) / 2)]! : 0,
    capitalised: n ? cap / n : 0,
    punctuated: n ? punct / n : 0,
  };
}

export interface RealismReport {
  readonly real: Profile;
  readonly generated: Profile;
  /** Shape -> importance weight real share / generated share, capped to [1/maxWeight, maxWeight]. */
  readonly weights: Readonly<Record<Shape, number>>;
  /** Style -> suggested weight for `styles` on the next run (the current weight x the mean weight of its queries). */
  readonly suggestedStyles: Readonly<Record<string, number>>;
  /** What looks too clean, in words. */
  readonly findings: readonly string[];
}

export function compareToReal(real: readonly string[], generated: readonly { query: string; style: Style }[], styleWeights: Readonly<Record<Style, number>>, maxWeight: number): RealismReport {
  const r = profile(real);
  const g = profile(generated.map((x) => x.query));
  const weights = Object.fromEntries(SHAPES.map((s) => {
    const gs = g.shapes[s], rs = r.shapes[s];
    const w = gs > 0 ? rs / gs : 1;
    return [s, Math.min(maxWeight, Math.max(1 / maxWeight, w))];
  })) as Record<Shape, number>;
  const sum: Record<string, number> = {};
  const n: Record<string, number> = {};
  for (const x of generated) {
    sum[x.style] = (sum[x.style] ?? 0) + weights[shapeOf(x.query)];
    n[x.style] = (n[x.style] ?? 0) + 1;
  }
  const suggestedStyles: Record<string, number> = {};
  for (const [s, w] of Object.entries(styleWeights)) suggestedStyles[s] = Number((w * (n[s] ? sum[s]! / n[s]! : 1)).toFixed(3));
  const findings: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  if (g.meanWords > r.meanWords * 1.25) findings.push(`generated queries are longer: ${g.meanWords.toFixed(1)} words on average against ${r.meanWords.toFixed(1)} for real ones`);
  if (g.capitalised > r.capitalised + 0.1) findings.push(`${pct(g.capitalised)} of generated queries start with a capital letter, ${pct(r.capitalised)} of real ones`);
  if (g.punctuated > r.punctuated + 0.1) findings.push(`${pct(g.punctuated)} of generated queries end with ? or ., ${pct(r.punctuated)} of real ones`);
  for (const s of SHAPES) {
    if (g.shapes[s] > r.shapes[s] * 1.5 + 0.02) findings.push(`too many ${s} queries: ${pct(g.shapes[s])} generated, ${pct(r.shapes[s])} real (weighted ${weights[s].toFixed(2)})`);
    else if (r.shapes[s] > g.shapes[s] * 1.5 + 0.02) findings.push(`too few ${s} queries: ${pct(g.shapes[s])} generated, ${pct(r.shapes[s])} real (weighted ${weights[s].toFixed(2)})`);
  }
  return { real: r, generated: g, weights, suggestedStyles, findings };
}
