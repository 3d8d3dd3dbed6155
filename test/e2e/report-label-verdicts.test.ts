import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config.js';
import { build } from '../../src/pipeline.js';
import type { Checklist, QuestionId, Verdict } from '../../src/stages/report/checklist.js';
import type { QualityAgainstLabels } from '../../src/stages/report/quality.js';
import { buildHelpdeskWorld, sampleLabels, simulateLog, simulateOptions } from '../../src/tools/simulate/index.js';

/**
 * The checklist's label paths and the head/tail question, on simulated help-desk worlds of 3,000
 * sessions with 800 labels sampled from the shown (query, document) pairs of the truth.
 * Question 1 with labels: positives against raw clicks. Question 3 with labels: the residual
 * false-negative rate of the exported negatives; the world where it passes uses a reranker judge
 * on loopback that answers from the simulator's truth (an oracle: what a perfect judge gives).
 * Question 4: a world whose intents follow Zipf 5 (a handful of queries carry the log).
 */
const SEED = 7;
const tmp = mkdtempSync(join(tmpdir(), 'cf-label-verdicts-'));
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function world(name: string, over: Record<string, unknown>): Promise<string> {
  const opts = simulateOptions.parse({ sessions: 3000, seed: SEED, ...over });
  const dir = join(tmp, name);
  await simulateLog(buildHelpdeskWorld(opts), opts, dir);
  return dir;
}

/** A rerank server that scores a document 0.9 when the truth grades it relevant for the query, else 0.1. */
async function oracleJudge(dir: string): Promise<{ server: Server; url: string }> {
  const docs = lines(join(dir, 'corpus.jsonl')) as { doc_id: string; text: string }[];
  const grade = new Map(lines(join(dir, 'truth', 'qrels.jsonl')).map((r) => [`${r.query}\t${r.doc_id}`, Number(r.grade)]));
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as { query: string; documents: string[] };
    const results = body.documents.map((t, index) => {
      const id = docs.find((d) => t.includes(d.text))?.doc_id;
      return { index, relevance_score: id !== undefined && (grade.get(`${body.query}\t${id}`) ?? 0) > 0 ? 0.9 : 0.1 };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ results }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Built { verdicts: Map<QuestionId, Verdict>; labels: QualityAgainstLabels | null; md: string }

async function buildOn(dir: string, out: string, labels: string | undefined, opts: Omit<ConfigInput, 'input' | 'output'> = {}): Promise<Built> {
  const r = await build({ input: { serps: [join(dir, 'serps.jsonl')], corpus: join(dir, 'corpus.jsonl'), ...(labels ? { labels } : {}) }, output: join(tmp, 'out', out), seed: SEED, ...opts });
  const c = r.report.sections.checklist as Checklist;
  return {
    verdicts: new Map(c.verdicts.map((v) => [v.id, v])),
    labels: (r.report.sections.labels ?? null) as QualityAgainstLabels | null,
    md: readFileSync(join(tmp, 'out', out, 'report.md'), 'utf8'),
  };
}

const family = { splits: { mode: 'hashed' as const }, negatives: { filters: { sameField: { enabled: false } } } };
const rawClicks = { evidence: { shortDwellMs: 0, satisfiedDwellMs: 100_000_000 }, grading: { rule: 'funnel' as const } };
const built = new Map<string, Built>();

describe('the checklist with labels, and a head-heavy world', () => {
  let oracle: { server: Server; url: string } | undefined;
  beforeAll(async () => {
    const dir = await world('default', {});
    const labels = join(tmp, 'labels.jsonl');
    writeFileSync(labels, sampleLabels(dir, { pairs: 800, seed: SEED }).map((l) => `${JSON.stringify(l)}\n`).join(''));
    oracle = await oracleJudge(dir);
    built.set('defaults', await buildOn(dir, 'defaults', labels, family));
    built.set('raw', await buildOn(dir, 'raw', labels, { ...family, ...rawClicks }));
    built.set('judge', await buildOn(dir, 'judge', labels, { ...family, judge: { kind: 'rerank', baseUrl: oracle.url, model: 'oracle' } }));
    const head = await world('head', { behaviour: { intentZipf: 5 } });
    built.set('head', await buildOn(head, 'head', undefined, { ...family, balance: { headTail: { maxHeadShare: 1 }, popularity: { maxDocShare: 1 } } }));
  }, 600_000);
  afterAll(() => {
    oracle?.server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('sampled labels (with grade-0 rows) count only labelled pairs, and report.md says so', () => {
    const d = built.get('defaults')!;
    expect(d.labels!.unjudged).toBe('skip');
    expect(d.labels!.positives.judged).toBeLessThanOrEqual(800);
    expect(d.md).toContain('only labelled pairs count');
  });

  it('question 1 measures positives against raw clicks: clickforge\'s positives gain precision, raw clicks fail with no gain', () => {
    const d = built.get('defaults')!, raw = built.get('raw')!;
    const gain = d.labels!.positives.rate! - d.labels!.clickedPairs.rate!;
    expect(gain).toBeGreaterThan(0.02);
    expect(d.verdicts.get('positives')!.evidence[0]).toMatch(/^Against the labels: .* points\.$/);
    expect(d.verdicts.get('positives')!.verdict).not.toBe('fail');
    expect(raw.labels!.positives.rate).toBe(raw.labels!.clickedPairs.rate);
    expect(raw.verdicts.get('positives')!.verdict).toBe('fail');
    expect(raw.verdicts.get('positives')!.change.join(' ')).toContain('no more precise than raw clicks');
  });

  it('question 3 measures the residual false-negative rate: a truthful judge passes, the lexical filters alone fail', () => {
    const d = built.get('defaults')!, j = built.get('judge')!;
    for (const b of [d, j]) expect(b.verdicts.get('falseNegatives')!.evidence[0]).toMatch(/^Against the labels: .*% of the exported negatives are relevant \[/);
    expect(j.labels!.negatives.judged).toBeGreaterThan(30);
    expect(j.labels!.negatives.rate).toBeLessThanOrEqual(0.025);
    expect(j.verdicts.get('falseNegatives')!.verdict).toBe('pass');
    expect(d.labels!.negatives.rate).toBeGreaterThan(0.05);
    expect(d.verdicts.get('falseNegatives')!.verdict).toBe('fail');
  });

  it('question 4 fails when a handful of queries carries the log, and passes on the default world', () => {
    const h = built.get('head')!.verdicts.get('balance')!;
    expect(h.verdict).toBe('fail');
    expect(h.summary).toMatch(/^The top 1% of queries hold \d+\.\d% of the training positives \(report\.balance\.maxTopQueryShare 10\.0%\)/);
    expect(built.get('defaults')!.verdicts.get('balance')!.verdict).toBe('pass');
  });
});
