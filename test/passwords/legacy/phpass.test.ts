import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertUnsupported, assertVerifies, python, requires, verify } from './reference-tools.js';

describe('phpass (WordPress $P$, phpBB $H$)', () => {
  it('verifies passlib phpass hashes with both identifiers', requires('passlib'), async () => {
    for (const [settings, prefix] of [
      ['rounds=13', '$P$B'],
      ['ident="H", rounds=11', '$H$9'],
    ] as const) {
      for (const password of ['correct horse', 'pässwörd €']) {
        const hash = python(`print(h.phpass.using(${settings}).hash(sys.argv[1]))`, password);
        assert.ok(hash.startsWith(prefix));
        await assertVerifies(hash, password, 'phpass');
      }
    }
  });

  it('refuses counts above the bound or outside phpass range without running them', async () => {
    const started = performance.now();
    // 'S' is 2^30 (valid for phpass, refused here); 'z' and '.' are outside phpass's own range.
    for (const countChar of ['S', 'z', '.']) {
      const hash = `$P$${countChar}z4uS3vyOkno6Gh4q7fxiry5N0puZ9/`;
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});
