import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/pipeline.js';

const FIX = new URL('./fixtures/messy/', import.meta.url).pathname;

describe('build on the messy fixture', () => {
  let a: BuildResult;
  let dirA: string;
  let dirB: string;
  beforeAll(async () => {
    dirA = await mkdtemp(join(tmpdir(), 'cf-pipe-a-'));
    dirB = await mkdtemp(join(tmpdir(), 'cf-pipe-b-'));
    const input = { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')], corpus: join(FIX, 'corpus.jsonl'), labels: join(FIX, 'labels.csv') };
    a = await build({ input, output: dirA, threads: 2 });
    await build({ input, output: dirB, threads: 1 });
  });

  it('writes every output', () => {
    for (const f of ['positives.jsonl', 'positives.multi.jsonl', 'evidence.parquet', 'quarantine.jsonl', 'report.json', 'report.md', 'manifest.json']) {
      expect(readFileSync(join(dirA, f)).length, f).toBeGreaterThan(0);
    }
  });

  it('accounts for every row: counts add up, and quarantine.jsonl holds each rejected row with its location', () => {
    const r = a.report;
    expect(r.accounting.length).toBeGreaterThan(5);
    for (const c of r.accounting) expect(c.ok, `${c.name}: ${c.lhs} vs ${JSON.stringify(c.rhs)}`).toBe(true);
    const q = readFileSync(join(dirA, 'quarantine.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; reason: string; detail: string });
    expect(q.length).toBe(r.summary.rowsQuarantined);
    for (const row of q) {
      expect(row.file).toMatch(/fixtures\/messy\//);
      expect(row.line).toBeGreaterThan(0);
      expect(row.reason).toMatch(/^[a-z0-9_.]+$/);
      expect(row.detail.length).toBeGreaterThan(5);
    }
    const reasons = new Set(q.map((x) => x.reason));
    for (const must of ['malformed_json', 'invalid_utf8', 'click_not_shown', 'duplicate_event']) expect(reasons, must).toContain(must);
    // every ingest drop except blank lines is a quarantine row, and nothing else is
    const ingestDrops = r.stages.filter((s) => s.stage.startsWith('ingest')).reduce((s, st) => s + Object.entries(st.dropped).filter(([k]) => k !== 'blank_line').reduce((a, [, v]) => a + v, 0), 0);
    const laterDrops = q.filter((x) => !x.reason.includes('.') && x.file && x.reason).length;
    expect(q.length, `quarantine rows ${q.length}, ingest drops ${ingestDrops}, ${laterDrops}`).toBe(ingestDrops);
  });

  it('writes positives with text, grade, weight and evidence', () => {
    const lines = readFileSync(join(dirA, 'positives.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(a.report.summary.positivePairs);
    const p = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const k of ['query', 'positive', 'doc_id', 'grade', 'weight', 'evidence']) expect(p).toHaveProperty(k);
  });

  it('is deterministic whatever the thread count', () => {
    for (const f of ['positives.jsonl', 'positives.multi.jsonl', 'quarantine.jsonl', 'report.json', 'report.md']) {
      expect(readFileSync(join(dirB, f), 'utf8').replaceAll(dirB, 'OUT'), f).toBe(readFileSync(join(dirA, f), 'utf8').replaceAll(dirA, 'OUT'));
    }
  });
});
