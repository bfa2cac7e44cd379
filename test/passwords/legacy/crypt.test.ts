import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  htpasswd,
  MATCH,
  MISMATCH,
  python,
  requires,
  run,
  verify,
} from './reference-tools.js';

const PASSWORDS = ['correct horse battery staple', 'pässwörd mit €', 'tab\tand space '];

describe('sha-crypt ($5$, $6$)', () => {
  it('verifies sha512-crypt from openssl passwd -6 (fixed and random salts)', requires('openssl'), async () => {
    for (const password of PASSWORDS) {
      await assertVerifies(
        run('openssl', ['passwd', '-6', '-salt', 'saltsaltsaltsalt', password]),
        password,
        'sha512-crypt',
      );
      await assertVerifies(run('openssl', ['passwd', '-6', password]), password, 'sha512-crypt');
    }
  });

  it('verifies sha256-crypt from openssl passwd -5 (fixed and random salts)', requires('openssl'), async () => {
    for (const password of PASSWORDS) {
      await assertVerifies(run('openssl', ['passwd', '-5', '-salt', 'ab', password]), password, 'sha256-crypt');
      await assertVerifies(run('openssl', ['passwd', '-5', password]), password, 'sha256-crypt');
    }
  });

  it(
    'verifies passwords whose length is a multiple of the digest size (where unixcrypt errs)',
    requires('openssl'),
    async () => {
      for (const length of [32, 64, 128]) {
        const password = 'k'.repeat(length);
        for (const flag of ['-5', '-6']) {
          const hash = run('openssl', ['passwd', flag, '-salt', 'multiple', password]);
          assert.deepEqual(await verify(password, hash), MATCH, `${flag} with ${length} bytes`);
          assert.deepEqual(await verify(password.slice(1), hash), MISMATCH);
        }
      }
    },
  );

  it('verifies explicit rounds=N from passlib sha512_crypt and sha256_crypt', requires('passlib'), async () => {
    const password = 'rounds and rounds';
    const sha512 = python('print(h.sha512_crypt.using(rounds=12345).hash(sys.argv[1]))', password);
    const sha256 = python('print(h.sha256_crypt.using(rounds=1000).hash(sys.argv[1]))', password);
    assert.match(sha512, /^\$6\$rounds=12345\$/);
    assert.match(sha256, /^\$5\$rounds=1000\$/);
    await assertVerifies(sha512, password, 'sha512-crypt');
    await assertVerifies(sha256, password, 'sha256-crypt');
  });

  it('refuses absurd or impossible round counts without running them', async () => {
    const digest = 'x'.repeat(86);
    const started = performance.now();
    for (const hash of [
      `$6$rounds=999999999$salt$${digest}`,
      `$6$rounds=10000001$salt$${digest}`,
      `$6$rounds=999$salt$${digest}`,
    ]) {
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});

describe('crypt(3) as libxcrypt writes it (mkpasswd), under the crypt scheme too', () => {
  it('verifies sha512crypt, sha256crypt, md5crypt and bcrypt from mkpasswd', requires('mkpasswd'), async () => {
    for (const [method, scheme, label] of [
      ['sha512crypt', 'sha512-crypt', 'sha512-crypt'],
      ['sha256crypt', 'sha256-crypt', 'sha256-crypt'],
      ['md5crypt', 'md5-crypt', 'md5-crypt'],
      ['bcrypt', 'bcrypt', 'bcrypt'],
    ] as const) {
      for (const password of PASSWORDS) {
        const hash = run('mkpasswd', ['-m', method, ...(method === 'bcrypt' ? ['-R', '5'] : []), password]);
        await assertVerifies(hash, password, scheme, label);
        assert.deepEqual(await verify(password, hash, 'crypt'), MATCH);
        assert.deepEqual(await verify(`${password}.`, hash, 'crypt'), MISMATCH);
      }
    }
  });

  it('names the crypt(3) formats it does not verify', requires('mkpasswd'), async () => {
    for (const [method, reason] of [
      ['descrypt', /DES/],
      ['bsdicrypt', /extended DES/],
      ['nt', /NT-Hash/],
      ['sunmd5', /SunMD5/],
    ] as const) {
      const hash = run('mkpasswd', ['-m', method, 'secret12']);
      assert.match(assertUnsupported(await verify('secret12', hash, 'crypt'), hash, 'secret12'), reason, method);
      assert.match(assertUnsupported(await verify('secret12', hash), hash, 'secret12'), reason, method);
    }
  });
});

describe('md5-crypt ($1$) and Apache apr1 ($apr1$)', () => {
  it('verifies md5-crypt from openssl passwd -1', requires('openssl'), async () => {
    for (const password of PASSWORDS) {
      await assertVerifies(run('openssl', ['passwd', '-1', '-salt', 'saltsalt', password]), password, 'md5-crypt');
      await assertVerifies(run('openssl', ['passwd', '-1', password]), password, 'md5-crypt');
    }
  });

  it('verifies apr1 from openssl passwd -apr1', requires('openssl'), async () => {
    for (const password of PASSWORDS) {
      await assertVerifies(run('openssl', ['passwd', '-apr1', '-salt', 'pepper', password]), password, 'apr1');
    }
  });

  it('verifies apr1 from htpasswd -nbm', requires('htpasswd'), async () => {
    for (const password of PASSWORDS) await assertVerifies(htpasswd('m', password), password, 'apr1');
  });

  it('does not take $1$ for $apr1$ or the other way round', requires('openssl'), async () => {
    const md5 = run('openssl', ['passwd', '-1', '-salt', 'saltsalt', 'pw-one']);
    const apr1 = run('openssl', ['passwd', '-apr1', '-salt', 'saltsalt', 'pw-one']);
    assertUnsupported(await verify('pw-one', md5, 'apr1'), md5, 'pw-one');
    assertUnsupported(await verify('pw-one', apr1, 'md5-crypt'), apr1, 'pw-one');
    // Same salt and password under the other magic string is a different digest.
    assert.deepEqual(await verify('pw-one', apr1.replace('$apr1$', '$1$')), MISMATCH);
  });
});
