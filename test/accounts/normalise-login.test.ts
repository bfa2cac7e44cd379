import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normaliseLogin } from '../../src/accounts/account.js';

describe('login normalisation (fast-check)', () => {
  it('is idempotent, so a stored normal form finds itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
        const once = normaliseLogin(text);
        assert.equal(normaliseLogin(once), once);
      }),
      { numRuns: 2000 },
    );
  });

  it('folds width, compatibility forms and case, and keeps look-alike scripts apart', () => {
    assert.equal(normaliseLogin(' ＡＬＩＣＥ '), 'alice');
    assert.equal(normaliseLogin('ﬁona'), 'fiona');
    assert.equal(normaliseLogin('\u212Aate'), 'kate'); // Kelvin sign
    assert.equal(normaliseLogin('Zoe\u0301'), 'zoé');
    assert.notEqual(normaliseLogin('\u0430lice'), 'alice'); // Cyrillic а stays Cyrillic
    assert.notEqual(normaliseLogin('straße'), normaliseLogin('STRASSE')); // simple case folding, as every store indexes
  });
});
