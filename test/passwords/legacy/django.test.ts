import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HashLabel } from '../../../src/passwords/legacy/labels.js';
import {
  assertUnsupported,
  assertVerifies,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  pythonJson,
  requires,
  verify,
} from './reference-tools.js';

/**
 * Django 3.2's own make_password and check_password (Debian's python3-django), every hasher it can write, at low
 * cost so the suite stays quick; `says` is check_password's verdict on each candidate.
 */
const DJANGO = `
import django
from django.conf import settings
names = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "sha1", "md5", "unsalted_sha1",
         "unsalted_md5", "crypt"]
classes = ["PBKDF2", "PBKDF2SHA1", "Argon2", "BCryptSHA256", "BCrypt", "SHA1", "MD5", "UnsaltedSHA1", "UnsaltedMD5",
           "Crypt"]
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.%sPasswordHasher" % c for c in classes])
from django.contrib.auth.hashers import make_password, check_password, get_hasher
get_hasher("pbkdf2_sha256").iterations = 1000
get_hasher("pbkdf2_sha1").iterations = 1000
for name in ("bcrypt_sha256", "bcrypt"):
    get_hasher(name).rounds = 4
argon2 = get_hasher("argon2")
argon2.time_cost, argon2.memory_cost, argon2.parallelism = 1, 256, 2
password, candidates = sys.argv[1], sys.argv[2:]
out = []
for name in names:
    value = make_password(password, hasher=name)
    out.append({"hasher": name, "hash": value, "says": [check_password(c, value) for c in candidates]})
md5 = make_password(password, hasher="unsalted_md5")
out.append({"hasher": "unsalted_md5 (md5$$)", "hash": "md5$$" + md5, "says": [check_password(c, "md5$$" + md5) for c in candidates]})
print(json.dumps(out))
`;

const LABELS: Readonly<Record<string, HashLabel | undefined>> = {
  pbkdf2_sha256: 'django-pbkdf2-sha256',
  pbkdf2_sha1: 'django-pbkdf2-sha1',
  argon2: 'django-argon2',
  bcrypt_sha256: 'django-bcrypt-sha256',
  bcrypt: 'django-bcrypt',
  sha1: 'django-sha1',
  md5: 'django-md5',
  unsalted_sha1: 'django-unsalted-sha1',
  unsalted_md5: 'django-unsalted-md5',
  'unsalted_md5 (md5$$)': 'django-unsalted-md5',
  // Django's crypt hasher writes traditional DES (a two-character salt), which is not verified here.
  crypt: undefined,
};

/**
 * Django 4's scrypt hasher (django/contrib/auth/hashers.py, ScryptPasswordHasher.encode), which Django 3.2 lacks:
 * hashlib.scrypt over the UTF-8 password and salt with a 64-byte key, written `scrypt$N$salt$r$p$base64`.
 */
const DJANGO4_SCRYPT = `
password, salt, n, r, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
print(json.dumps("%s$%d$%s$%d$%d$%s" % ("scrypt", n, salt, r, p, base64.b64encode(key).decode("ascii").strip())))
`;

describe('Django', () => {
  it('judges every Django 3.2 hasher as check_password does', requires('django'), async () => {
    const password = 'pässwörd €';
    const candidates = [password, 'pässwörd', `${password} `, 'x'.repeat(73)];
    const made = pythonJson<{ hasher: string; hash: string; says: boolean[] }[]>(DJANGO, password, ...candidates);
    assert.equal(made.length, 11);
    for (const { hasher, hash, says } of made) {
      assert.ok(hasher in LABELS, hasher);
      const label = LABELS[hasher];
      if (label === undefined) {
        assert.match(assertUnsupported(await verify(password, hash, 'django'), hash, password), /DES/);
        continue;
      }
      assert.equal(labelOf(hash, options({ scheme: 'django' })), label, hasher);
      for (const [index, candidate] of candidates.entries()) {
        assert.deepEqual(await verify(candidate, hash, 'django'), says[index] === true ? MATCH : MISMATCH, hasher);
      }
    }
  });

  it('reads the prefixed Django hashes by detection too', requires('django'), async () => {
    const made = pythonJson<{ hasher: string; hash: string }[]>(DJANGO, 'correct horse');
    for (const { hasher, hash } of made) {
      const label = LABELS[hasher];
      // A bare 32-character MD5 says nothing about Django; only the django scheme reads it as Django's.
      if (label === undefined || hasher === 'unsalted_md5') continue;
      await assertVerifies(hash, 'correct horse', 'django', label);
    }
  });

  it('cuts bcrypt at 72 bytes as Django with bcrypt does, and bcrypt_sha256 not', requires('django'), async () => {
    const password = 'y'.repeat(72);
    const candidates = [password, `${password}-tail`];
    const made = pythonJson<{ hasher: string; hash: string; says: boolean[] }[]>(DJANGO, password, ...candidates);
    for (const { hasher, hash, says } of made.filter((entry) => entry.hasher.startsWith('bcrypt'))) {
      assert.deepEqual(says, [true, hasher === 'bcrypt']);
      for (const [index, candidate] of candidates.entries()) {
        assert.deepEqual(await verify(candidate, hash), says[index] === true ? MATCH : MISMATCH, hasher);
      }
    }
  });

  it("verifies Django 4's scrypt$ (built with hashlib as Django 4 encodes it)", requires('python'), async () => {
    for (const [password, salt, n, r, p] of [
      ['correct horse', 'Ra7Uc0KIrF2QmzFqYyPfmq', 2 ** 10, 8, 1],
      ['pässwörd €', 'another-salt', 2 ** 8, 4, 5],
    ] as const) {
      const hash = pythonJson<string>(DJANGO4_SCRYPT, password, salt, String(n), String(r), String(p));
      await assertVerifies(hash, password, 'django', 'django-scrypt');
      assert.deepEqual(await verify(password, hash, 'scrypt'), MATCH);
    }
  });

  it('refuses unusable passwords, unknown hashers and digests Django would never match', async () => {
    for (const hash of [
      '!KGbVK4Ws1PPRq7jLOlKDz2HEjI1DJVgsnbKQIDSs',
      'whirlpool$salt$abcdef',
      'md5$salt$' + 'A'.repeat(32),
      'sha1$salt$' + 'a'.repeat(32),
      'pbkdf2_sha256$4000000000$salt$' + 'A'.repeat(43) + '=',
      'scrypt$1048576$salt$16$1$' + 'A'.repeat(86) + '==',
    ]) {
      assertUnsupported(await verify('hunter2hunter2', hash, 'django'), hash, 'hunter2hunter2');
    }
  });
});
