import { describe, expect, it } from 'vitest';
import { createFamilyKeyer, familyKey } from '../../src/text/family-normalize.js';

describe('familyKey', () => {
  it('folds case, punctuation, whitespace and width', () => {
    expect(familyKey('  Reset-OKTA   token!! ')).toBe(familyKey('reset okta token'));
    expect(familyKey('ＶＰＮ　setup')).toBe('setup vpn');
  });
  it('folds Latin accents, and keeps them when asked', () => {
    expect(familyKey('Café Crème')).toBe('cafe creme');
    expect(familyKey('Café Crème', { foldAccents: false, stem: false })).toBe('café crème');
  });
  it('drops stop and question words but not negations', () => {
    expect(familyKey('How do I reset my Okta token?')).toBe('okta reset token');
    expect(familyKey('what is the vpn')).toBe('vpn');
    expect(familyKey('laptop without fan')).not.toBe(familyKey('laptop with fan'));
    expect(familyKey('how to fly', { stopWords: ['fly'] })).toBe('how to');
  });
  it('stems Latin-script tokens', () => {
    expect(familyKey('okta tokens')).toBe(familyKey('okta token'));
    expect(familyKey('configuring printers')).toBe(familyKey('configure printer'));
    expect(familyKey('printers', { stem: false })).toBe('printers');
  });
  it('ignores token order unless told otherwise, and dedupes', () => {
    expect(familyKey('token reset okta')).toBe(familyKey('okta reset token'));
    expect(familyKey('token reset okta', { sortTokens: false })).toBe('token reset okta');
    expect(familyKey('vpn vpn error')).toBe('error vpn');
  });
  it('keeps Chinese intact, segmented into words, never stemmed or stop-worded', () => {
    const k = familyKey('如何重置密码');
    expect(k.replace(/ /g, '').split('').sort().join('')).toBe('如何重置密码'.split('').sort().join(''));
    expect(k.split(' ')).toContain('密码');
    expect(k.split(' ')).toContain('如何');
    expect(familyKey('東京の天気 weather').split(' ')).toEqual(expect.arrayContaining(['東京', '天気', 'weather']));
    expect(familyKey('हिन्दी समाचार')).toBe('समाचार हिन्दी');
    expect(familyKey('がぎぐ').replace(/ /g, '')).toBe('がぎぐ');
  });
  it('a query made only of stop words keeps its normalised form', () => {
    expect(familyKey('What is it?')).toBe('what is it');
    expect(familyKey('???')).toBe('???');
    expect(familyKey('who')).toBe('who');
  });
  it('a keyer gives the same keys as familyKey', () => {
    const k = createFamilyKeyer({});
    for (const q of ['a b c', 'How To Fix', '重置']) expect(k(q)).toBe(familyKey(q, {}));
  });
});
