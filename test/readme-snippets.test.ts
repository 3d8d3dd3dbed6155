import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as snippets from '../src/stages/export/snippets.js';

/** The README shows the dataset card's code blocks; test/python runs the card's, so both must be the same text. */
describe('README training snippets', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  it('holds each card snippet exactly as the card renders it (defaults: k = 4, no teacher, BEIR test split)', () => {
    for (const s of [snippets.sentenceTransformers, snippets.sentenceTransformersPairs, snippets.sentenceTransformersBatched, snippets.huggingFace('sentence-transformers'), snippets.flagEmbedding({ groupSize: 5, distill: false }), snippets.tevatron({ groupSize: 5 }), snippets.beir('test')]) {
      expect(readme, s.name).toContain(snippets.renderSnippet(s));
    }
  });
});
