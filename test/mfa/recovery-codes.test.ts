import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { newRecoveryCodes, normaliseRecoveryCode, recoveryCodeHash } from '../../src/mfa/recovery-codes.js';

/** Recovery codes: shape, randomness as far as a test can see it, and the normalisation a typed code goes through. */

const FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('recovery codes', () => {
  it('makes 10 by default, or as many as asked, each distinct and shaped xxxxx-xxxxx', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, FORMAT);
    assert.equal(new Set(codes).size, 10);
    assert.equal(newRecoveryCodes(1).length, 1);
    assert.equal(newRecoveryCodes(16).length, 16);
  });

  it('uses every symbol of the alphabet and none that pass for another (i, l, o) or u', () => {
    const symbols = new Set(newRecoveryCodes(100).flatMap((code) => code.replace('-', '').split('')));
    // 1000 symbols drawn from 32: each one is missing with chance (31/32)^1000, about 1.6e-14.
    assert.deepEqual([...symbols].sort().join(''), '0123456789abcdefghjkmnpqrstvwxyz');
  });

  it('does not repeat across calls (50 random bits each)', () => {
    const codes = Array.from({ length: 20 }, () => newRecoveryCodes()).flat();
    assert.equal(new Set(codes).size, codes.length);
  });

  it('refuses a count that is not a whole number from 1 to 100', () => {
    for (const count of [0, -1, 1.5, 101, Number.NaN]) assert.throws(() => newRecoveryCodes(count), RangeError);
  });

  describe('normalisation', () => {
    it('ignores case, spaces and dashes', () => {
      const variants = [
        'ABCDE-FGHJK',
        'abcde fghjk',
        'abcdefghjk',
        ' AbCdE - fGhJk ',
        'ab-cd-ef-gh-jk',
        'abcde\tfghjk',
      ];
      for (const variant of variants) assert.equal(normaliseRecoveryCode(variant), 'abcdefghjk', variant);
    });

    it('reads o as 0, and i and l as 1 (Crockford), so the look-alikes people type still match', () => {
      assert.equal(normaliseRecoveryCode('Oo0Ii-Ll1ab'), '00011111ab');
    });

    it('refuses what cannot be a code: wrong length, other symbols', () => {
      const notCodes = ['', 'abcde-fghj', 'abcde-fghjkm', 'abcde-fghju', 'abcde_fghjk', 'abcde-fghj!', 'äbcde-fghjk'];
      for (const text of notCodes) assert.equal(normaliseRecoveryCode(text), undefined, text);
    });
  });

  describe('hash', () => {
    const account = 'a1b2c3d4-0000-4000-8000-000000000001';

    it('is SHA-256 (hex) of the account id and the normalised code, the same for every way of typing it', () => {
      const expected = createHash('sha256').update(`${account}\nabcdefghjk`).digest('hex');
      assert.equal(recoveryCodeHash('abcde-fghjk', account), expected);
      assert.equal(recoveryCodeHash('ABCDE FGHJK', account), expected);
      assert.equal(recoveryCodeHash('abcdefghjk', account), expected);
    });

    it('is stable: a fixed code of a fixed account has a fixed hash', () => {
      // sha256("x\n0123456789"): a change of normalisation, salting or encoding shows here.
      assert.equal(recoveryCodeHash('01234-56789', 'x'), createHash('sha256').update('x\n0123456789').digest('hex'));
    });

    it('differs between codes and between accounts, and is undefined for what is not a code', () => {
      const [first = '', second = ''] = newRecoveryCodes(2);
      assert.notEqual(recoveryCodeHash(first, account), recoveryCodeHash(second, account));
      assert.notEqual(recoveryCodeHash(first, account), recoveryCodeHash(first, 'another account'));
      assert.match(recoveryCodeHash(first, account) ?? '', /^[0-9a-f]{64}$/);
      assert.equal(recoveryCodeHash('not a code', account), undefined);
    });
  });
});
