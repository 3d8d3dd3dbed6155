import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordSink } from '../../src/ports/index.js';

/** How the suite drives one RecordSink implementation. */
export interface RecordSinkCase<T> {
  /** A sink whose targets are named `name` (plus the kind's extensions) inside `dir`. */
  open(dir: string, name: string): Promise<RecordSink<T>>;
  /** n sample records, different for every index. */
  rows(n: number): T[];
  /** The records in the committed targets, in file order. */
  read(paths: readonly string[]): Promise<unknown[]>;
  /** What `read` gives for `rows`. */
  expected(rows: T[]): unknown[];
  /** A record the sink must refuse (when the kind refuses any). */
  readonly refused?: T;
}

/**
 * The behaviour every RecordSink has (unstorage's `testDriver` pattern): call it once per
 * implementation from that implementation's test file.
 */
export function recordSinkContract<T>(name: string, kind: RecordSinkCase<T>): void {
  describe(`RecordSink contract: ${name}`, () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cf-sink-contract-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const files = async () => (await readdir(dir, { recursive: true })).sort();
    const leftovers = async () => (await files()).filter((f) => f.split('/').pop()!.startsWith('.'));
    const contents = (paths: readonly string[]) => Promise.all(paths.map((p) => readFile(p)));

    it('writes what it was given, in order, counts it, and commit() publishes exactly its paths', async () => {
      const sink = await kind.open(dir, 'out');
      const rows = kind.rows(50);
      for (const r of rows) await sink.write(r);
      expect(sink.rows).toBe(50);
      expect(sink.bytes).toBeGreaterThan(0);
      expect(await sink.commit()).toBe(50);
      expect(await kind.read(sink.paths)).toEqual(kind.expected(rows));
      expect(await leftovers()).toEqual([]);
      expect(sink.paths.map((p) => p.slice(dir.length + 1)).sort()).toEqual(await files());
    });

    it('zero records commit an empty table', async () => {
      const sink = await kind.open(dir, 'empty');
      expect(await sink.commit()).toBe(0);
      expect(await kind.read(sink.paths)).toEqual([]);
      expect(await leftovers()).toEqual([]);
    });

    it('leaves the targets as they were until commit(), and abort() leaves nothing of its own', async () => {
      const first = await kind.open(dir, 'out');
      for (const r of kind.rows(3)) await first.write(r);
      await first.commit();
      const before = await contents(first.paths);

      const second = await kind.open(dir, 'out');
      for (const r of kind.rows(200)) await second.write(r);
      expect(await contents(second.paths)).toEqual(before);
      await second.abort();
      await second.abort();
      expect(await contents(second.paths)).toEqual(before);
      expect(await leftovers()).toEqual([]);
      await expect(second.write(kind.rows(1)[0]!)).rejects.toThrow(/aborted/);
      await expect(second.commit()).rejects.toThrow(/aborted/);
      expect(await contents(second.paths)).toEqual(before);
    });

    it('close() before commit() discards: no target, no temp file, later writes rejected', async () => {
      const sink = await kind.open(dir, 'dropped');
      for (const r of kind.rows(5)) await sink.write(r);
      await sink.close();
      await sink.close();
      expect(await files()).toEqual([]);
      await expect(sink.write(kind.rows(1)[0]!)).rejects.toThrow();
    });

    it('close() after commit() keeps what was published, and later writes are rejected', async () => {
      const sink = await kind.open(dir, 'kept');
      const rows = kind.rows(4);
      for (const r of rows) await sink.write(r);
      await sink.commit();
      await sink.close();
      await sink.close();
      expect(await kind.read(sink.paths)).toEqual(kind.expected(rows));
      expect(await leftovers()).toEqual([]);
      await expect(sink.write(rows[0]!)).rejects.toThrow(/committed/);
    });

    if (kind.refused !== undefined) {
      const refused = kind.refused;
      it('refuses a record it cannot write, naming the file, without counting it; the sink stays usable', async () => {
        const sink = await kind.open(dir, 'picky');
        const rows = kind.rows(2);
        await sink.write(rows[0]!);
        // the file's stem: a Parquet sink names the JSONL it writes first
        await expect(sink.write(refused)).rejects.toThrow(sink.paths[0]!.replace(/\.[a-z]+$/, ''));
        await sink.write(rows[1]!);
        expect(sink.rows).toBe(2);
        expect(await sink.commit()).toBe(2);
        expect(await kind.read(sink.paths)).toEqual(kind.expected(rows));
      });
    }
  });
}
