import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertUnsupported, assertVerifies, requires, run, verify } from './reference-tools.js';

/** The argon2 CLI reads the password on stdin and prints the PHC string with -e. */
function argon2Cli(type: '-i' | '-id' | '-d', password: string): string {
  return run('argon2', ['somesaltsomesalt', type, '-t', '2', '-m', '10', '-p', '2', '-e'], password);
}

describe('argon2', () => {
  it('verifies $argon2id$ from PHP password_hash', requires('php-argon2'), async () => {
    for (const password of ['correct horse', 'pässwörd €']) {
      const hash = run('php', [
        '-r',
        'echo password_hash($argv[1], PASSWORD_ARGON2ID, ["memory_cost" => 8192, "time_cost" => 2, "threads" => 1]);',
        '--',
        password,
      ]);
      assert.match(hash, /^\$argon2id\$v=19\$m=8192,t=2,p=1\$/);
      await assertVerifies(hash, password, 'argon2');
    }
  });

  it('verifies $argon2i$, $argon2id$ and $argon2d$ from the argon2 CLI', requires('argon2'), async () => {
    for (const type of ['-i', '-id', '-d'] as const) {
      const hash = argon2Cli(type, 'correct horse');
      assert.ok(hash.startsWith(`$argon2${type.slice(1)}$v=19$m=1024,t=2,p=2$`));
      await assertVerifies(hash, 'correct horse', 'argon2');
    }
  });

  it('refuses absurd memory, time and parallelism without running them', async () => {
    const tail = '$c29tZXNhbHRzb21lc2FsdA$iECgHnTsSXMygq2awA8jWQUIOtcPYt+hVaY7y/c6CpU';
    const started = performance.now();
    for (const params of ['m=4194304,t=1,p=1', 'm=1048577,t=1,p=1', 'm=65536,t=1000,p=1', 'm=65536,t=1,p=255']) {
      const hash = `$argon2id$v=19$${params}${tail}`;
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});
