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

const PHP_BCRYPT = 'echo password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => 5]);';

describe('bcrypt', () => {
  it('verifies $2y$ from htpasswd -nbB', requires('htpasswd'), async () => {
    const hash = htpasswd('B', 'correct horse');
    assert.match(hash, /^\$2y\$/);
    await assertVerifies(hash, 'correct horse', 'bcrypt');
  });

  it('verifies $2y$ from PHP password_hash, including a non-ASCII password', requires('php'), async () => {
    for (const password of ['correct horse', 'pässwörd €']) {
      const hash = run('php', ['-r', PHP_BCRYPT, '--', password]);
      assert.match(hash, /^\$2y\$05\$/);
      await assertVerifies(hash, password, 'bcrypt');
    }
  });

  it('verifies $2a$ and $2b$ from passlib', requires('passlib'), async () => {
    for (const ident of ['2a', '2b']) {
      const hash = python(`print(h.bcrypt.using(ident="${ident}", rounds=5).hash(sys.argv[1]))`, 'correct horse');
      assert.ok(hash.startsWith(`$${ident}$05$`));
      await assertVerifies(hash, 'correct horse', 'bcrypt');
    }
  });

  it(
    'refuses a password longer than 72 bytes that bcrypt would have truncated to a match',
    requires('php'),
    async () => {
      const prefix = 'p'.repeat(72);
      const hash = run('php', ['-r', PHP_BCRYPT, '--', prefix]);
      assert.deepEqual(await verify(prefix, hash), MATCH);
      assert.deepEqual(await verify(`${prefix}-tail`, hash), MISMATCH);
      assert.deepEqual(await verify(`${prefix}-tail`, hash, 'bcrypt'), MISMATCH);
    },
  );

  it('refuses absurd costs without running them', async () => {
    const rest = 'abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
    const started = performance.now();
    for (const cost of ['17', '31', '99', '03']) {
      const hash = `$2b$${cost}$${rest}`;
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});
