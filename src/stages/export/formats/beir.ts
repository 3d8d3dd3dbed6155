import type { FormatWriter } from './types.js';

/**
 * BEIR, for evaluation: `corpus.jsonl`, `queries.jsonl` (every split's queries, with their
 * family) and `qrels/<split>.tsv` (every split's graded positives), so that `clickforge evaluate
 * --beir` measures held-out families. BEIR loaders read JSONL and TSV only, whatever
 * export.fileFormats says.
 */
export const beir: FormatWriter = {
  async writeDataset(ctx) {
    await ctx.write('beir/corpus.jsonl', ctx.docs.map((d) => ({ _id: d.doc_id, title: d.title ?? '', text: d.text })), 'the corpus is empty', ['jsonl']);
    const all = [...ctx.bySplit.train, ...ctx.bySplit.dev, ...ctx.bySplit.test];
    const queries = function* () {
      const seen = new Set<string>();
      for (const r of all) {
        const id = ctx.queryId(r.query_norm);
        if (seen.has(id)) continue;
        seen.add(id);
        yield { _id: id, text: r.query, metadata: { family: r.family } };
      }
    };
    await ctx.write('beir/queries.jsonl', queries(), 'no records', ['jsonl']);
    for (const split of ['train', 'dev', 'test'] as const) {
      const lines = function* (): Generator<readonly [string, string, string]> {
        for (const r of ctx.bySplit[split]) for (const p of r.positives) yield [ctx.queryId(r.query_norm), p.doc_id, String(p.grade)];
      };
      await ctx.writeQrels(`beir/qrels/${split}.tsv`, lines(), `no ${split} records (no query family was assigned to ${split})`);
    }
  },
};
