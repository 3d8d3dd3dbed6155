import { describe, expect, it } from 'vitest';
import { ClickforgeError } from '../../src/errors.js';
import type { Judge, JudgedDoc } from '../../src/ports/index.js';

/** How the suite drives one Judge implementation. */
export interface JudgeCase {
  /** A fresh judge; called inside each test (a loopback server may be started there). The suite closes it. */
  create(): Promise<Judge>;
  readonly query: string;
  /** Documents that get at least one relevant and one not-relevant answer. */
  readonly docs: readonly JudgedDoc[];
}

/**
 * The behaviour every Judge has (unstorage's `testDriver` pattern): call it once per
 * implementation from that implementation's test file.
 */
export function judgeContract(name: string, c: JudgeCase): void {
  describe(`Judge contract: ${name}`, () => {
    const withJudge = async (f: (j: Judge) => Promise<void>) => {
      const j = await c.create();
      try {
        await f(j);
      } finally {
        await j.close();
      }
    };

    it('answers once per document, each true, false or null', () =>
      withJudge(async (j) => {
        const out = await j.judge(c.query, c.docs);
        expect(out).toHaveLength(c.docs.length);
        for (const a of out) expect(a === true || a === false || a === null).toBe(true);
        expect(out).toContain(true);
        expect(out).toContain(false);
      }));

    it('keeps the documents\' order, and answers alike when asked again', () =>
      withJudge(async (j) => {
        const out = await j.judge(c.query, c.docs);
        expect((await j.judge(c.query, [...c.docs].reverse())).reverse()).toEqual(out);
        expect(await j.judge(c.query, c.docs)).toEqual(out);
        for (let i = 0; i < c.docs.length; i++) expect(await j.judge(c.query, [c.docs[i]!])).toEqual([out[i]]);
      }));

    it('no documents give no answers', () =>
      withJudge(async (j) => {
        expect(await j.judge(c.query, [])).toEqual([]);
      }));

    it('close() is idempotent, and judge after it rejects with adapter_closed', async () => {
      const j = await c.create();
      await j.close();
      await j.close();
      const err = await j.judge(c.query, c.docs).then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(ClickforgeError);
      expect((err as ClickforgeError).code).toBe('adapter_closed');
    });
  });
}
