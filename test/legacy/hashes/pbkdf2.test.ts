import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertUnsupported, assertVerifies, passlibBase64, python, requires, verify } from './reference-tools.js';

const PASSWORDS = ['correct horse', 'pässwörd €'];

describe('PBKDF2', () => {
  it('verifies passlib $pbkdf2$, $pbkdf2-sha256$ and $pbkdf2-sha512$', requires('passlib'), async () => {
    for (const [handler, prefix] of [
      ['pbkdf2_sha1', '$pbkdf2$'],
      ['pbkdf2_sha256', '$pbkdf2-sha256$'],
      ['pbkdf2_sha512', '$pbkdf2-sha512$'],
    ] as const) {
      for (const password of PASSWORDS) {
        const hash = python(`print(h.${handler}.using(rounds=2000).hash(sys.argv[1]))`, password);
        assert.ok(hash.startsWith(`${prefix}2000$`));
        await assertVerifies(hash, password, 'pbkdf2');
      }
    }
  });

  it('verifies Django pbkdf2_sha256 and pbkdf2_sha1', requires('passlib'), async () => {
    for (const handler of ['django_pbkdf2_sha256', 'django_pbkdf2_sha1']) {
      for (const password of PASSWORDS) {
        const hash = python(`print(h.${handler}.using(rounds=3000).hash(sys.argv[1]))`, password);
        assert.match(hash, /^pbkdf2_sha(256|1)\$3000\$/);
        await assertVerifies(hash, password, 'django-pbkdf2');
      }
    }
  });

  it('reports a digest cut to a shorter valid length as unsupported, not as a match', requires('passlib'), async () => {
    const passlibHash = python('print(h.pbkdf2_sha256.using(rounds=1000).hash(sys.argv[1]))', 'correct horse');
    const digest = Buffer.from(passlibHash.slice(passlibHash.lastIndexOf('$') + 1).replaceAll('.', '+'), 'base64');
    const cut = passlibHash.slice(0, passlibHash.lastIndexOf('$') + 1) + passlibBase64(digest.subarray(0, 16));
    assertUnsupported(await verify('correct horse', cut), cut, 'correct horse');

    const djangoHash = python('print(h.django_pbkdf2_sha256.using(rounds=1000).hash(sys.argv[1]))', 'correct horse');
    const djangoDigest = Buffer.from(djangoHash.slice(djangoHash.lastIndexOf('$') + 1), 'base64');
    const djangoCut =
      djangoHash.slice(0, djangoHash.lastIndexOf('$') + 1) + djangoDigest.subarray(0, 20).toString('base64');
    assertUnsupported(await verify('correct horse', djangoCut), djangoCut, 'correct horse');
  });

  it('refuses absurd iteration counts without running them', async () => {
    const started = performance.now();
    for (const hash of [
      '$pbkdf2-sha256$99999999$aU0JQeid817Lec9Zi5FSqg$owUMgIKob014ge.Dd.HRBWULa3hOFSvCIFh3H5UGsJI',
      '$pbkdf2-sha256$10000001$aU0JQeid817Lec9Zi5FSqg$owUMgIKob014ge.Dd.HRBWULa3hOFSvCIFh3H5UGsJI',
      'pbkdf2_sha256$4000000000$RDaePBbSGOcD$/VFrhIhYNq3jSQNDbvsTCokgNhh5xZBtumTbs2OI79s=',
    ]) {
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});
