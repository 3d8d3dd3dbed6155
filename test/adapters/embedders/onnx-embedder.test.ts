import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEmbedder } from '../../../src/adapters/embedders/onnx-embedder.js';
import { createWordPiece, parseVocabTxt } from '../../../src/adapters/embedders/wordpiece.js';
import { embedderContract } from '../../ports/embedder-contract.js';
import { tinyEmbeddingModel } from './onnx-builder.js';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'red', 'shoe', '##s', 'run', '##ning', ',', 'cafe', '!', 'Red'];
const ID = new Map(VOCAB.map((t, i) => [t, i]));
// Token vectors: row i = [i, (i * 7) % 5 - 2, 1]: distinct, with negative values, easy to compute by hand.
const TABLE = VOCAB.map((_, i) => [i, ((i * 7) % 5) - 2, 1]);
const TYPE = [[0.5, -0.25, 0], [9, 9, 9]];

let root: string;
const dirs: Record<string, string> = {};
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cf-onnx-'));
  const make = async (name: string, model: Uint8Array, files: Record<string, string>) => {
    const d = join(root, name);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'model.onnx'), model);
    for (const [f, text] of Object.entries(files)) await writeFile(join(d, f), text);
    dirs[name] = d;
  };
  const vocabTxt = VOCAB.join('\n') + '\n';
  await make('bert', tinyEmbeddingModel({ table: TABLE, typeTable: TYPE, attentionMask: true }), { 'vocab.txt': vocabTxt });
  await make('idsonly', tinyEmbeddingModel({ table: TABLE }), { 'vocab.txt': vocabTxt });
  const tj = { model: { type: 'WordPiece', vocab: Object.fromEntries(ID), unk_token: '[UNK]', continuing_subword_prefix: '##' }, normalizer: { type: 'BertNormalizer', lowercase: false } };
  await make('tokjson', tinyEmbeddingModel({ table: TABLE }), { 'tokenizer.json': JSON.stringify(tj) });
  await make('notok', tinyEmbeddingModel({ table: TABLE }), {});
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Expected embedding computed by hand: [CLS] + tokens + [SEP], pooled, L2-normalised. */
function expected(tokens: string[], opts: { type?: boolean; pooling?: 'mean' | 'cls' } = {}): number[] {
  const ids = [ID.get('[CLS]')!, ...tokens.map((t) => ID.get(t)!), ID.get('[SEP]')!];
  const rows = ids.map((i) => TABLE[i]!.map((x, j) => x + (opts.type ? TYPE[0]![j]! : 0)));
  const use = opts.pooling === 'cls' ? rows.slice(0, 1) : rows;
  const v = [0, 1, 2].map((j) => use.reduce((s, r) => s + r[j]!, 0) / use.length);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const row = (v: Float32Array, i: number, dim = 3) => Array.from(v.subarray(i * dim, (i + 1) * dim));
const close = (a: number[], b: number[]) => a.forEach((x, j) => expect(x).toBeCloseTo(b[j]!, 5));

describe('WordPiece tokenizer', () => {
  const tok = createWordPiece(parseVocabTxt(VOCAB.join('\n')), { lowercase: true });
  it('lower-cases, strips accents, splits punctuation, greedy longest match with ##', () => {
    expect(tok.basic('Red SHOES,running!')).toEqual(['red', 'shoes', ',', 'running', '!']);
    expect(tok.pieces('Red SHOES, running!')).toEqual(['red', 'shoe', '##s', ',', 'run', '##ning', '!']);
    expect(tok.pieces('Café')).toEqual(['cafe']);
  });
  it('a word with an unknown piece is one [UNK]; control characters are dropped', () => {
    expect(tok.pieces('redx shoes\u0007')).toEqual(['[UNK]', 'shoe', '##s']);
  });
  it('encode adds [CLS]/[SEP] and truncates to maxLength', () => {
    expect(Array.from(tok.encode('red shoes', 16))).toEqual([2, 4, 5, 6, 3]);
    expect(Array.from(tok.encode('red shoes', 4))).toEqual([2, 4, 5, 3]);
  });
  it('needs the special tokens', () => {
    expect(() => createWordPiece(new Map([['a', 0]]), { lowercase: true })).toThrow(/needs \[PAD\], \[UNK\], \[CLS\] and \[SEP\]/);
  });
});

describe('createOnnxEmbedder (hand-built ONNX graph)', () => {
  it('mean-pools over the attention mask with padding in the batch, feeds token_type_ids, normalises', async () => {
    const e = await createOnnxEmbedder({ modelDir: dirs.bert! });
    expect(e.dim).toBe(3);
    const v = await e.embed(['red shoes', 'Run', 'red, running!']);
    close(row(v, 0), expected(['red', 'shoe', '##s'], { type: true }));
    close(row(v, 1), expected(['run'], { type: true }));
    close(row(v, 2), expected(['red', ',', 'run', '##ning', '!'], { type: true }));
    expect(e.stats.runs).toBe(1);
    await e.close();
  });

  it('batching does not change the result; cls pooling takes the first token', async () => {
    const a = await createOnnxEmbedder({ modelDir: dirs.bert!, batchSize: 1 });
    const b = await createOnnxEmbedder({ modelDir: dirs.bert!, batchSize: 8 });
    const texts = ['red', 'shoes shoes shoes', 'cafe'];
    const va = await a.embed(texts);
    const vb = await b.embed(texts);
    for (let i = 0; i < va.length; i++) expect(va[i]).toBeCloseTo(vb[i]!, 6);
    expect(a.stats.runs).toBe(3);
    const c = await createOnnxEmbedder({ modelDir: dirs.bert!, pooling: 'cls' });
    close(row(await c.embed(['red shoes']), 0), expected([], { type: true, pooling: 'cls' }));
    expect(c.id).not.toBe(a.id);
  });

  it('a model that declares only input_ids gets only input_ids; normalize: false keeps the mean', async () => {
    const e = await createOnnxEmbedder({ modelDir: dirs.idsonly!, normalize: false });
    const v = row(await e.embed(['red']), 0);
    const rows = [TABLE[2]!, TABLE[4]!, TABLE[3]!];
    close(v, [0, 1, 2].map((j) => (rows[0]![j]! + rows[1]![j]! + rows[2]![j]!) / 3));
  });

  it('truncates at maxLength and counts it', async () => {
    const e = await createOnnxEmbedder({ modelDir: dirs.idsonly!, maxLength: 3 });
    close(row(await e.embed(['red shoes run']), 0), expected(['red']));
    expect(e.stats.truncated).toBe(1);
  });

  it('reads a WordPiece tokenizer.json and its BertNormalizer lowercase=false', async () => {
    const e = await createOnnxEmbedder({ modelDir: dirs.tokjson! });
    expect(e.tokenizer.pieces('Red red')).toEqual(['Red', 'red']);
    const v = await e.embed(['Red']);
    const want = [2, 12, 3].map((i) => TABLE[i]!);
    const m = [0, 1, 2].map((j) => want.reduce((s, r) => s + r[j]!, 0) / 3);
    close(row(v, 0), m.map((x) => x / Math.hypot(...m)));
  });

  it('fails fast with messages that say what to fix', async () => {
    await expect(createOnnxEmbedder({} as never)).rejects.toThrow(/embedder\(onnx\)\.modelDir/);
    await expect(createOnnxEmbedder({ modelDir: join(root, 'nope') })).rejects.toThrow(/cannot read the ONNX model .*model\.onnx/);
    await expect(createOnnxEmbedder({ modelDir: dirs.notok! })).rejects.toThrow(/neither vocab\.txt nor tokenizer\.json/);
    await expect(createOnnxEmbedder({ modelDir: dirs.bert!, outputName: 'pooled' })).rejects.toThrow(/outputName "pooled" is not an output/);
  });
});

embedderContract('onnx (BERT-style inputs, mean pooling)', { create: () => createOnnxEmbedder({ modelDir: dirs.bert! }) });
embedderContract('onnx (input_ids only, cls pooling, 2 texts a run)', { create: () => createOnnxEmbedder({ modelDir: dirs.idsonly!, pooling: 'cls', batchSize: 2 }) });
embedderContract('onnx (tokenizer.json, not normalised)', { create: () => createOnnxEmbedder({ modelDir: dirs.tokjson!, normalize: false }) });
