import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  MATCH,
  MISMATCH,
  PYTHON,
  pythonJson,
  requires,
  run,
  verify,
} from './reference-tools.js';

const PASSWORDS = ['correct horse', 'pässwörd €'];

/** Werkzeug's own generate_password_hash (Debian's python3-werkzeug, 2.2) for each method, with its verdict. */
function werkzeug(method: string, password: string): string {
  return run(PYTHON, [
    '-c',
    'import sys\nfrom werkzeug.security import generate_password_hash as g, check_password_hash as c\n' +
      'x = g(sys.argv[2], method=sys.argv[1])\nassert c(x, sys.argv[2])\nprint(x)',
    method,
    password,
  ]);
}

/**
 * Werkzeug 3's scrypt (2.3+), which Debian's 2.2 lacks: `_hash_internal` as Werkzeug 3 has it (pallets/werkzeug,
 * src/werkzeug/security.py), run with Python's hashlib: key = hashlib.scrypt(password, salt=salt, n, r, p,
 * maxmem=132·n·r·p) with hashlib's default 64-byte length, written `scrypt:n:r:p$salt$hex`. `ok` is false when
 * that call raises, i.e. when Werkzeug itself could not have made or checked the hash.
 */
const WERKZEUG3_SCRYPT = `
password, salt, n, r, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
try:
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
    print(json.dumps({"ok": True, "hash": f"scrypt:{n}:{r}:{p}\${salt}\${key}"}))
except ValueError:
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=2**30).hex()
    print(json.dumps({"ok": False, "hash": f"scrypt:{n}:{r}:{p}\${salt}\${key}"}))
`;

function werkzeug3Scrypt(password: string, salt: string, n: number, r: number, p: number) {
  return pythonJson<{ ok: boolean; hash: string }>(WERKZEUG3_SCRYPT, password, salt, String(n), String(r), String(p));
}

describe('Werkzeug (Flask)', () => {
  it('verifies pbkdf2:<digest>:<iterations> for every digest Werkzeug offers', requires('werkzeug'), async () => {
    for (const digest of ['sha256', 'sha512', 'sha1', 'sha224', 'sha384', 'md5'] as const) {
      for (const password of PASSWORDS) {
        const hash = werkzeug(`pbkdf2:${digest}:1000`, password);
        assert.ok(hash.startsWith(`pbkdf2:${digest}:1000$`), hash);
        await assertVerifies(hash, password, 'werkzeug', `werkzeug-pbkdf2-${digest}`);
        assert.deepEqual(await verify(password, hash, 'pbkdf2'), MATCH);
      }
    }
  });

  it('verifies the salted HMAC methods of Werkzeug before 2.3 when named werkzeug', requires('werkzeug'), async () => {
    for (const digest of ['sha1', 'md5', 'sha256', 'sha512'] as const) {
      const hash = werkzeug(digest, 'pässwörd €');
      assert.deepEqual(await verify('pässwörd €', hash, 'werkzeug'), MATCH, hash);
      assert.deepEqual(await verify('pässwörd', hash, 'werkzeug'), MISMATCH);
    }
    const sha256 = werkzeug('sha256', 'correct horse');
    // sha224$ … sha512$ are Werkzeug's alone, so detection reads them; sha1$ and md5$ are Django's there.
    await assertVerifies(sha256, 'correct horse', 'werkzeug', 'werkzeug-hmac-sha256');
  });

  it('verifies the unsalted digests Werkzeug before 2.3 read (`sha256$$hex`)', requires('werkzeug'), async () => {
    const hashes = pythonJson<string[]>(
      'from werkzeug.security import _hash_internal as hi\n' +
        'print(json.dumps([m + "$$" + hi(m, "", sys.argv[1])[0] for m in ("sha256", "sha1", "md5")]))',
      'correct horse',
    );
    for (const hash of hashes) {
      assert.deepEqual(await verify('correct horse', hash, 'werkzeug'), MATCH, hash);
      assert.deepEqual(await verify('correct horsE', hash, 'werkzeug'), MISMATCH);
    }
  });

  it("verifies Werkzeug 3's scrypt:N:r:p (64-byte key)", requires('python'), async () => {
    for (const [password, salt, n, r, p] of [
      ['correct horse', 'hJ1Xx6ytdLCnu6q8', 2 ** 10, 8, 1],
      ['pässwörd €', 'salt with spaces', 2 ** 8, 4, 2],
    ] as const) {
      const { ok, hash } = werkzeug3Scrypt(password, salt, n, r, p);
      assert.ok(ok);
      await assertVerifies(hash, password, 'werkzeug', 'werkzeug-scrypt');
      assert.deepEqual(await verify(password, hash, 'scrypt'), MATCH);
    }
  });

  it("refuses scrypt parameters beyond Werkzeug's own memory rule", requires('python'), async () => {
    // N = 16: 132·N·r·p is less than OpenSSL needs, so Werkzeug's hashlib call raises for these.
    const { ok, hash } = werkzeug3Scrypt('correct horse', 'salt', 16, 8, 1);
    assert.equal(ok, false);
    assert.match(assertUnsupported(await verify('correct horse', hash), hash, 'correct horse'), /Werkzeug/);
  });

  it('refuses cleartext, unknown digests, uppercase hex and absurd work', async () => {
    for (const hash of [
      'plain$$hunter2hunter2',
      'pbkdf2:whirlpool:1000$salt$00ff',
      'pbkdf2:sha256:1000$salt$' + 'AB'.repeat(32),
      'pbkdf2:sha256:99999999$salt$' + 'ab'.repeat(32),
      'pbkdf2:sha256$salt$' + 'ab'.repeat(32),
      'scrypt:1048576:16:1$salt$' + 'ab'.repeat(64),
      'scrypt:1000:8:1$salt$' + 'ab'.repeat(64),
    ]) {
      assertUnsupported(await verify('hunter2hunter2', hash, 'werkzeug'), hash, 'hunter2hunter2');
    }
  });
});
