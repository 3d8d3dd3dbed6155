import { describe, expect, it } from 'vitest';
import { createTokenizer, tokenize } from '../../src/text/tokenize.js';

describe('tokenize', () => {
  it('folds width and case and splits on non-letters', () => {
    expect(tokenize('Reset ＯＫＴＡ-token, v2!')).toEqual(['reset', 'okta', 'token', 'v2']);
    expect(tokenize('Café crème')).toEqual(['café', 'crème']);
  });
  it('turns unspaced scripts into character bigrams and keeps mixed Latin words', () => {
    expect(tokenize('重置密码')).toEqual(['重置', '置密', '密码']);
    expect(tokenize('VPN设置')).toEqual(['vpn', '设置']);
    expect(tokenize('猫')).toEqual(['猫']);
  });
  it('drops stop words and stems when asked', () => {
    const t = createTokenizer({ stopwords: true, stem: true });
    expect(t('The resetting of the passwords')).toEqual(['reset', 'password']);
    expect(tokenize('The resetting', {})).toEqual(['the', 'resetting']);
    expect(tokenize('a bb ccc', { minLength: 2 })).toEqual(['bb', 'ccc']);
    expect(tokenize('foo bar', { stopwords: new Set(['foo']) })).toEqual(['bar']);
  });
  it('gives the same tokens on the ASCII fast path and the Unicode path', () => {
    const t = createTokenizer({ stopwords: true, stem: true });
    const text = "Don't stop_me NOW: v2.0 (the Routers) x-ray";
    expect([...t(text), 'école']).toEqual(t(`${text} école`));
  });
});
