import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  MATCH,
  MISMATCH,
  passlibBase64,
  python,
  requires,
  run,
  verify,
} from './reference-tools.js';

/**
 * passlib's `$scrypt$` format with a key of any length. passlib itself writes and reads only 32-byte keys ("checksum
 * must be exactly 32 bytes"), so these are built with Python's hashlib.scrypt and passlib's own base64 helper.
 */
const PASSLIB_FORMAT_ANY_LENGTH = `
from passlib.utils.binary import ab64_encode
password, dklen = sys.argv[1], int(sys.argv[2])
salt = b"\\x00\\xffsalt-0123456"
key = hashlib.scrypt(password.encode(), salt=salt, n=16, r=8, p=1, dklen=dklen)
print("$scrypt$ln=4,r=8,p=1$" + ab64_encode(salt).decode() + "$" + ab64_encode(key).decode())
`;

/**
 * libxcrypt's `$7$` for parameters mkpasswd does not offer (it always writes r = 32, N from 2^13): hashlib.scrypt
 * over the salt characters, encoded as crypt_scrypt does; passlib, which reads `$7$`, confirms each one.
 */
const CRYPT_SCRYPT_SMALL = `
itoa = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def enc(data):
    out = ""
    for i in range(0, len(data), 3):
        chunk = data[i:i + 3]
        value = int.from_bytes(chunk, "little")
        for _ in range(len(chunk) + 1):
            out += itoa[value & 63]
            value >>= 6
    return out
def num30(n):
    return "".join(itoa[(n >> (6 * i)) & 63] for i in range(5))
password, log2n, r, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
salt = "0123456789abcdefghij./ABC"
key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=2 ** log2n, r=r, p=p, dklen=32)
value = "$7$" + itoa[log2n] + num30(r) + num30(p) + salt + "$" + enc(key)
assert h.scrypt.verify(password, value), "passlib disagrees"
print(value)
`;

describe('scrypt (passlib $scrypt$)', () => {
  it('verifies passlib scrypt hashes of several costs', requires('passlib'), async () => {
    for (const [settings, password] of [
      ['rounds=10', 'correct horse'],
      ['rounds=12, block_size=4, parallelism=2', 'pässwörd €'],
    ] as const) {
      const hash = python(`print(h.scrypt.using(${settings}).hash(sys.argv[1]))`, password);
      assert.match(hash, /^\$scrypt\$ln=1[02],r=[48],p=[12]\$/);
      await assertVerifies(hash, password, 'scrypt', 'scrypt');
    }
  });

  it('verifies keys of 16, 20, 48 and 64 bytes in the passlib format', requires('passlib'), async () => {
    for (const length of ['16', '20', '48', '64']) {
      const hash = python(PASSLIB_FORMAT_ANY_LENGTH, 'pässwörd €', length);
      await assertVerifies(hash, 'pässwörd €', 'scrypt', 'scrypt');
    }
  });

  it('refuses a key below 16 bytes instead of accepting a weak or damaged value', requires('passlib'), async () => {
    const hash = python(PASSLIB_FORMAT_ANY_LENGTH, 'correct horse', '12');
    assert.match(assertUnsupported(await verify('correct horse', hash), hash, 'correct horse'), /16 bytes/);
    // Cut to 15 bytes of a longer key, it is refused the same way rather than read as a shorter key.
    const long = python('print(h.scrypt.using(rounds=8).hash(sys.argv[1]))', 'correct horse');
    const key = Buffer.from(long.slice(long.lastIndexOf('$') + 1).replaceAll('.', '+'), 'base64');
    const cut = long.slice(0, long.lastIndexOf('$') + 1) + passlibBase64(key.subarray(0, 15));
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

describe('scrypt in crypt(3) form ($7$)', () => {
  it('verifies $7$ from mkpasswd -m scrypt (libxcrypt)', requires('mkpasswd'), async () => {
    const hash = run('mkpasswd', ['-m', 'scrypt', '-R', '6', 'pässwörd €']);
    assert.match(hash, /^\$7\$BU\.\.\.\.\/\.\.\.\./);
    await assertVerifies(hash, 'pässwörd €', 'scrypt', 'crypt-scrypt');
    assert.deepEqual(await verify('pässwörd €', hash, 'crypt'), MATCH);
  });

  it('verifies other N, r and p, built as libxcrypt does and confirmed by passlib', requires('passlib'), async () => {
    for (const [log2n, r, p] of [
      ['4', '8', '1'],
      ['5', '1', '3'],
      ['6', '2', '2'],
    ] as const) {
      const hash = python(CRYPT_SCRYPT_SMALL, 'correct horse', log2n, r, p);
      await assertVerifies(hash, 'correct horse', 'scrypt', 'crypt-scrypt');
      assert.deepEqual(await verify('correct horsE', hash, 'crypt'), MISMATCH);
    }
  });

  it('refuses $7$ beyond the work bounds without running it', async () => {
    const key = 'kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D';
    const started = performance.now();
    // N = 2^30; r of 2^24; p above 2^25; and r = 1 with N = 2^19, which OpenSSL itself rejects.
    for (const params of ['S6..../....', 'C..../....0....', 'C6..../...0.', 'H/..../..../']) {
      const hash = `$7$${params}SodiumChloride$${key}`;
      assertUnsupported(await verify('pleaseletmein', hash), hash, 'pleaseletmein');
    }
    assert.ok(performance.now() - started < 200);
  });
});
