import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertUnsupported, assertVerifies, passlibBase64, python, requires, verify } from './reference-tools.js';

describe('scrypt (passlib $scrypt$)', () => {
  it('verifies passlib scrypt hashes of several costs', requires('passlib'), async () => {
    for (const [settings, password] of [
      ['rounds=10', 'correct horse'],
      ['rounds=12, block_size=4, parallelism=2', 'pässwörd €'],
    ] as const) {
      const hash = python(`print(h.scrypt.using(${settings}).hash(sys.argv[1]))`, password);
      assert.match(hash, /^\$scrypt\$ln=1[02],r=[48],p=[12]\$/);
      await assertVerifies(hash, password, 'scrypt');
    }
  });

  it('reports a digest cut to a shorter valid length as unsupported, not as a match', requires('passlib'), async () => {
    const hash = python('print(h.scrypt.using(rounds=8).hash(sys.argv[1]))', 'correct horse');
    const digest = Buffer.from(hash.slice(hash.lastIndexOf('$') + 1), 'base64');
    const cut = hash.slice(0, hash.lastIndexOf('$') + 1) + passlibBase64(digest.subarray(0, 16));
    assertUnsupported(await verify('correct horse', cut), cut, 'correct horse');
  });

  it('refuses absurd N, r and p without running them', async () => {
    const tail = '$Zuw9R0iJMca4F+I8ByCEcA$pydcnJKSEk96jCjwgMkHRHMcvmRU4cYHuGWt59lb9YY';
    const started = performance.now();
    for (const params of ['ln=21,r=8,p=1', 'ln=30,r=8,p=1', 'ln=20,r=16,p=1', 'ln=10,r=999,p=1', 'ln=10,r=8,p=999']) {
      const hash = `$scrypt$${params}${tail}`;
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});
