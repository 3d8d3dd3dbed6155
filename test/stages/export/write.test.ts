import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSinks } from '../../../src/adapters/sinks/index.js';
import { commitOrOmit, writeQrels } from '../../../src/stages/export/write.js';
import type { RecordSinks } from '../../../src/ports/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('commitOrOmit', () => {
  it('commits rows, and for zero rows removes the older file instead', async () => {
    const first = await fileSinks.tsv(join(dir, 'maybe.tsv'), ['a']);
    await first.write(['x']);
    expect(await commitOrOmit(first)).toBe(1);
    expect(await readFile(join(dir, 'maybe.tsv'), 'utf8')).toBe('a\nx\n');
    expect(await commitOrOmit(await fileSinks.tsv(join(dir, 'maybe.tsv'), ['a']))).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeQrels', () => {
  it('writes through the sinks it is given and closes them when a row is refused', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const spy: RecordSinks = {
      table: (stem, formats, conn) => fileSinks.table(stem, formats, conn),
      async tsv(path, header) {
        const sink = await fileSinks.tsv(path, header);
        opened.push(path);
        const close = sink.close;
        return Object.assign(sink, { close: () => (closed.push(path), close()) });
      },
    };
    const path = join(dir, 'qrels', 'test.tsv');
    expect(await writeQrels(spy, path, [['q1', 'd1', '2']])).toBe(1);
    await expect(writeQrels(spy, path, [['q1', 'd\t2', '1']])).rejects.toThrow(/contains a tab/);
    expect(opened).toEqual([path, path]);
    expect(closed).toEqual([path, path]);
    expect(await readFile(path, 'utf8')).toBe('query-id\tcorpus-id\tscore\nq1\td1\t2\n');
    expect((await readdir(join(dir, 'qrels'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
