import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LegacyHashVerdict } from '../../../src/passwords/legacy/verdict.js';
import {
  assertUnsupported,
  assertVerifies,
  htpasswd,
  MATCH,
  MISMATCH,
  phpJson,
  python,
  requires,
  run,
  verify,
} from './reference-tools.js';

const PHP_BCRYPT = 'echo password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => 5]);';

/**
 * Passwords around bcrypt's 72-byte limit. The stored one is 71 ASCII bytes and `é` (C3 A9), so byte 72 is the
 * first half of a two-byte character; the others agree or differ exactly at or before that byte.
 */
const LONG = 'x'.repeat(71) + 'é';
const CANDIDATES: readonly string[] = [
  LONG,
  'x'.repeat(71) + 'è', // C3 A8: the same first 72 bytes
  `${LONG}-and-a-tail`,
  'x'.repeat(71) + 'Ã', // C3 83: the same first 72 bytes again
  'x'.repeat(72), // byte 72 differs
  'x'.repeat(71), // 71 bytes: bcrypt also hashes the terminating NUL
  'x'.repeat(70) + 'é', // 72 bytes, differing at byte 71
  'y' + LONG.slice(1),
];

/** What the reference tool said for each candidate, next to what the IdP says. */
async function assertSameJudgement(hash: string, toolSays: readonly boolean[]) {
  assert.equal(toolSays.length, CANDIDATES.length);
  // The references do truncate: the first four candidates share the stored password's first 72 bytes.
  assert.deepEqual(toolSays, [true, true, true, true, false, false, false, false]);
  for (const [index, candidate] of CANDIDATES.entries()) {
    const expected: LegacyHashVerdict = toolSays[index] === true ? MATCH : MISMATCH;
    assert.deepEqual(await verify(candidate, hash), expected, `candidate ${index}`);
    assert.deepEqual(await verify(candidate, hash, 'bcrypt'), expected, `candidate ${index} as bcrypt`);
  }
}

describe('bcrypt', () => {
  it('verifies $2y$ from htpasswd -nbB', requires('htpasswd'), async () => {
    const hash = htpasswd('B', 'correct horse');
    assert.match(hash, /^\$2y\$/);
    await assertVerifies(hash, 'correct horse', 'bcrypt', 'bcrypt');
  });

  it('verifies $2y$ from PHP password_hash, including a non-ASCII password', requires('php'), async () => {
    for (const password of ['correct horse', 'pässwörd €']) {
      const hash = run('php', ['-r', PHP_BCRYPT, '--', password]);
      assert.match(hash, /^\$2y\$05\$/);
      await assertVerifies(hash, password, 'bcrypt', 'bcrypt');
    }
  });

  it('verifies $2a$ and $2b$ from passlib', requires('passlib'), async () => {
    for (const ident of ['2a', '2b']) {
      const hash = python(`print(h.bcrypt.using(ident="${ident}", rounds=5).hash(sys.argv[1]))`, 'correct horse');
      assert.ok(hash.startsWith(`$${ident}$05$`));
      await assertVerifies(hash, 'correct horse', 'bcrypt', 'bcrypt');
    }
  });

  it('verifies $2b$ from mkpasswd -m bcrypt (libxcrypt)', requires('mkpasswd'), async () => {
    const hash = run('mkpasswd', ['-m', 'bcrypt', '-R', '5', 'pässwörd €']);
    assert.match(hash, /^\$2b\$05\$/);
    await assertVerifies(hash, 'pässwörd €', 'bcrypt', 'bcrypt');
  });

  describe('judges only the first 72 bytes, as every reference tool does', () => {
    it('PHP password_hash / password_verify', requires('php'), async () => {
      const { hash, says } = phpJson<{ hash: string; says: boolean[] }>(
        `$hash = password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => 4]);
         echo json_encode(["hash" => $hash, "says" => array_map(fn($c) => password_verify($c, $hash), array_slice($argv, 2))]);`,
        LONG,
        ...CANDIDATES,
      );
      await assertSameJudgement(hash, says);
    });

    it('passlib bcrypt', requires('passlib'), async () => {
      const { hash, says } = JSON.parse(
        python(
          'x = h.bcrypt.using(rounds=4).hash(sys.argv[1])\n' +
            'print(json.dumps({"hash": x, "says": [h.bcrypt.verify(c, x) for c in sys.argv[2:]]}))',
          LONG,
          ...CANDIDATES,
        ),
      ) as { hash: string; says: boolean[] };
      await assertSameJudgement(hash, says);
    });

    it('mkpasswd -m bcrypt, rehashing each candidate with the stored salt', requires('mkpasswd'), async () => {
      const hash = run('mkpasswd', ['-m', 'bcrypt', '-R', '5', LONG]);
      const salt = hash.slice(7, 29);
      const says = CANDIDATES.map(
        (candidate) => run('mkpasswd', ['-m', 'bcrypt', '-R', '5', '-S', salt, candidate]) === hash,
      );
      await assertSameJudgement(hash, says);
    });

    it('htpasswd -B and htpasswd -v', requires('htpasswd'), async () => {
      const dir = mkdtempSync(join(tmpdir(), 'htpasswd-'));
      try {
        const file = join(dir, 'users');
        const hash = htpasswd('B', LONG);
        writeFileSync(file, `user:${hash}\n`);
        const says = CANDIDATES.map((candidate) => spawnStatus('htpasswd', ['-vb', file, 'user', candidate]) === 0);
        await assertSameJudgement(hash, says);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('refuses $2x$ (crypt_blowfish bug-compatible) saying so, even though its ASCII passwords would work', async () => {
    const hash = '$2x$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
    assert.match(assertUnsupported(await verify('password', hash), hash, 'password'), /\$2x\$/);
    assert.match(assertUnsupported(await verify('password', hash, 'bcrypt'), hash, 'password'), /\$2x\$/);
  });

  it('refuses a salt or digest with stray low bits, which no implementation could ever match', async () => {
    const canonical = '$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
    for (const hash of [canonical.replace('stuu5', 'stuv5'), `${canonical.slice(0, -1)}j`]) {
      assertUnsupported(await verify('hunter2hunter2', hash), hash, 'hunter2hunter2');
    }
  });

  it('refuses absurd costs without running them', async () => {
    const rest = 'abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
    const started = performance.now();
    for (const cost of ['17', '31', '99', '03']) {
      const hash = `$2b$${cost}$${rest}`;
      assertUnsupported(await verify('password', hash), hash, 'password');
    }
    assert.ok(performance.now() - started < 200);
  });
});

function spawnStatus(command: string, args: readonly string[]): number | null {
  try {
    run(command, args);
    return 0;
  } catch (error) {
    return (error as { status?: number | null }).status ?? null;
  }
}
