import { describe, expect, it } from 'vitest';
import { normalizeQuery } from '../../src/text/normalize.js';

describe('normalizeQuery', () => {
  it('folds case, width, punctuation and whitespace', () => {
    expect(normalizeQuery('Reset Okta token ')).toBe('reset okta token');
    expect(normalizeQuery('  reset   OKTA-token?!')).toBe('reset okta token');
    expect(normalizeQuery('ＶＰＮ　setup')).toBe('vpn setup');
  });
  it('keeps non-Latin scripts', () => {
    expect(normalizeQuery('重置密码？')).toBe('重置密码');
    expect(normalizeQuery('Café crème')).toBe('café crème');
  });
});
