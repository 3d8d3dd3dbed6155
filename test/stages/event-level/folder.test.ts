import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, buildEventLevel, buildFromEvidence } from '../../../src/pipeline.js';
import { openDb, sqlString } from '../../../src/db/duckdb.js';
import { EVENT_LEVEL_FILES, EVENT_LEVEL_SCHEMA } from '../../../src/stages/event-level/layout.js';
import { shuffledCopy, snapshot } from './helpers.js';

const FIX = new URL('../../fixtures/messy/', import.meta.url).pathname;
const log = { serps: [join(FIX, 'serps.jsonl')], events: [join(FIX, 'events.jsonl')] };
const text = { corpus: join(FIX, 'corpus.jsonl'), labels: join(FIX, 'labels.csv') };

describe('events + build --evidence on the messy fixture', () => {
  let dir: string;
  let folder: string;
  let direct: Record<string, string>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cf-evl-'));
    folder = join(dir, 'events');
    // one output path for both builds: the card and the manifest name it
    await build({ input: { ...log, ...text }, output: join(dir, 'out'), threads: 2 });
    direct = snapshot(join(dir, 'out'));
    rmSync(join(dir, 'out'), { recursive: true });
    await buildEventLevel({ input: log, output: folder, threads: 2 });
  }, 120_000);

  it('writes every file of the layout, counts.json and manifest.json with the schema version and row counts', () => {
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { schema: string; files: Record<string, { rows: number }>; config: { seed: number; input: { events: string[] } } };
    expect(manifest.schema).toBe(EVENT_LEVEL_SCHEMA);
    expect(Object.keys(manifest.files)).toEqual(EVENT_LEVEL_FILES.map((f) => f.file));
    expect(manifest.files['impressions.parquet']!.rows).toBeGreaterThan(0);
    expect(manifest.config.input.events).toEqual(log.events);
    const counts = JSON.parse(readFileSync(join(folder, 'counts.json'), 'utf8')) as { ingest: { stats: { stage: string }[] } };
    expect(counts.ingest.stats.map((s) => s.stage)).toEqual(['ingest:serps', 'ingest:events']);
  });

  it('gives the files of build over the raw log byte for byte (datasets, positives, evidence, quarantine, report, card, manifest)', async () => {
    await buildFromEvidence(folder, { input: text, output: join(dir, 'out'), threads: 1 });
    const viaFolder = snapshot(join(dir, 'out'));
    expect(Object.keys(viaFolder)).toEqual(expect.arrayContaining(['positives.jsonl', 'report.json', 'evidence.parquet', 'quarantine.jsonl', 'manifest.json', 'dataset/README.md']));
    expect(viaFolder).toEqual(direct);
    rmSync(join(dir, 'out'), { recursive: true });
  }, 120_000);

  it('gives the same files when the folder rows come in another order (as Spark writes them)', async () => {
    await shuffledCopy(folder, join(dir, 'shuffled'));
    await buildFromEvidence(join(dir, 'shuffled'), { input: text, output: join(dir, 'out') });
    expect(snapshot(join(dir, 'out'))).toEqual(direct);
    rmSync(join(dir, 'out'), { recursive: true });
  }, 120_000);

  it('refuses a config that differs from the one the folder was made with, naming each option and both values', async () => {
    const err = await buildFromEvidence(folder, { input: text, output: join(dir, 'x'), seed: 7, evidence: { satisfiedDwellMs: 20_000 } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('manifest.json');
    expect(msg).toContain('seed: the event level ran with 42, this build has 7');
    expect(msg).toContain('evidence.satisfiedDwellMs: the event level ran with 30000, this build has 20000');
    const other = await buildFromEvidence(folder, { input: { ...text, events: [join(FIX, 'serps.jsonl')] }, output: join(dir, 'x') }).catch((e: Error) => e);
    expect((other as Error).message).toContain('input.events');
  });

  const broken = (name: string, damage: (copy: string) => Promise<void> | void, expected: RegExp) =>
    it(`names the file when ${name}`, async () => {
      const copy = mkdtempSync(join(tmpdir(), 'cf-evl-bad-'));
      cpSync(folder, copy, { recursive: true });
      await damage(copy);
      const err = await buildFromEvidence(copy, { input: text, output: join(copy, 'out') }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(expected);
      expect((err as Error).message).toContain(copy);
    });
  broken('a Parquet file is missing', (c) => rmSync(join(c, 'clicks.parquet')), /clicks\.parquet cannot be read as Parquet/);
  broken('a Parquet file is corrupt', (c) => writeFileSync(join(c, 'evidence.parquet'), 'not parquet'), /evidence\.parquet cannot be read as Parquet/);
  broken('manifest.json is missing', (c) => rmSync(join(c, 'manifest.json')), /manifest\.json cannot be read/);
  broken('counts.json is not JSON', (c) => writeFileSync(join(c, 'counts.json'), '{"schema":'), /counts\.json is not valid JSON/);
  broken('the schema version is another', (c) => {
    const m = JSON.parse(readFileSync(join(c, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(c, 'manifest.json'), JSON.stringify({ ...m, schema: 'clickforge.event-level/0' }));
  }, /manifest\.json has schema "clickforge\.event-level\/0", this clickforge reads clickforge\.event-level\/1/);
  broken('a column is missing', async (c) => {
    const { conn, close } = await openDb();
    const f = join(c, 'serp_facts.parquet');
    await conn.run(`COPY (SELECT * EXCLUDE (query_norm) FROM read_parquet(${sqlString(f)})) TO ${sqlString(`${f}.tmp`)} (FORMAT parquet)`);
    close();
    cpSync(`${f}.tmp`, f);
  }, /serp_facts\.parquet lacks the columns query_norm/);
  broken('a file has other rows than the manifest says', async (c) => {
    const { conn, close } = await openDb();
    const f = join(c, 'impressions.parquet');
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(f)}) LIMIT 3) TO ${sqlString(`${f}.tmp`)} (FORMAT parquet)`);
    close();
    cpSync(`${f}.tmp`, f);
  }, /impressions\.parquet has 3 rows, manifest\.json says 10/);
});
