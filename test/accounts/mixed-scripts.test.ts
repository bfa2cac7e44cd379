import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountProfileSchema } from '../../src/accounts/account.js';
import { mixesScripts } from '../../src/accounts/mixed-scripts.js';

describe('names that mix scripts (UTS #39, highly restrictive)', () => {
  it('finds a look-alike letter of another script among Latin ones', () => {
    assert.equal(mixesScripts('p\u0430ypal'), true, 'Cyrillic а');
    assert.equal(mixesScripts('\u03bfpenid'), true, 'Greek ο');
    assert.equal(mixesScripts('admin\u0570'), true, 'Armenian հ');
    assert.equal(mixesScripts('\u13aaalice'), true, 'Cherokee Ꭺ');
    assert.equal(mixesScripts('иван-ivan'), true, 'Cyrillic and Latin words');
  });

  it('accepts one script, with digits, punctuation and combining marks of any', () => {
    for (const name of ['alice', 'Zoë_1984', 'jose\u0301', 'иван.петров', 'ελένη', 'דוד', '山田', 'kim-민준', '٣٣٣']) {
      assert.equal(mixesScripts(name), false, name);
    }
  });

  it('accepts the combinations CJK writing uses, each with Latin, and no others', () => {
    assert.equal(mixesScripts('山田たろうタロウ'), false, 'Han, Hiragana, Katakana');
    assert.equal(mixesScripts('tanaka山田'), false, 'Latin and Han');
    assert.equal(mixesScripts('김kim金'), false, 'Hangul, Latin, Han');
    assert.equal(mixesScripts('ㄅㄆ中文'), false, 'Bopomofo and Han');
    assert.equal(mixesScripts('たろう김'), true, 'Hiragana and Hangul');
    assert.equal(mixesScripts('山田иван'), true, 'Han and Cyrillic');
  });

  it('holds only new names to it: a legacy profile keeps its name', () => {
    const parsed = accountProfileSchema({ emailRequired: false }).safeParse({ username: 'p\u0430ypal' });
    assert.equal(parsed.success, true);
  });
});
