import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LegacyHashOptions } from '../../../src/passwords/legacy/legacy-hash.js';
import {
  assertUnsupported,
  assertVerifies,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  passlibBase64,
  python,
  pythonJson,
  requires,
  verify,
  verifyWith,
  opensslPbkdf2,
} from './reference-tools.js';

const PASSWORDS = ['correct horse', 'pässwörd €'];

describe('PBKDF2', () => {
  it('verifies passlib $pbkdf2$, $pbkdf2-sha256$ and $pbkdf2-sha512$', requires('passlib'), async () => {
    for (const [handler, prefix, label] of [
      ['pbkdf2_sha1', '$pbkdf2$', 'pbkdf2-sha1'],
      ['pbkdf2_sha256', '$pbkdf2-sha256$', 'pbkdf2-sha256'],
      ['pbkdf2_sha512', '$pbkdf2-sha512$', 'pbkdf2-sha512'],
    ] as const) {
      for (const password of PASSWORDS) {
        const hash = python(`print(h.${handler}.using(rounds=2000).hash(sys.argv[1]))`, password);
        assert.ok(hash.startsWith(`${prefix}2000$`));
        await assertVerifies(hash, password, 'pbkdf2', label);
      }
    }
  });

  it('verifies Django pbkdf2_sha256 and pbkdf2_sha1', requires('passlib'), async () => {
    for (const handler of ['django_pbkdf2_sha256', 'django_pbkdf2_sha1']) {
      for (const password of PASSWORDS) {
        const hash = python(`print(h.${handler}.using(rounds=3000).hash(sys.argv[1]))`, password);
        assert.match(hash, /^pbkdf2_sha(256|1)\$3000\$/);
        await assertVerifies(
          hash,
          password,
          'django-pbkdf2',
          handler === 'django_pbkdf2_sha1' ? 'django-pbkdf2-sha1' : 'django-pbkdf2-sha256',
        );
        // A per-row name such as pbkdf2_sha256 maps to the pbkdf2 scheme, which takes Django's form too.
        assert.deepEqual(await verify(password, hash, 'pbkdf2'), MATCH);
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

/** PBKDF2 with Python's hashlib, the key and salt written as asked, for the home-made forms. */
const HOMEMADE = `
password, digest, iterations, salt_hex, keylen, key_encoding = sys.argv[1:7]
salt = bytes.fromhex(salt_hex)
key = hashlib.pbkdf2_hmac(digest, password.encode(), salt, int(iterations), int(keylen) if keylen else None)
print(json.dumps(key.hex() if key_encoding == "hex" else base64.b64encode(key).decode()))
`;

function homemade(password: string, digest: string, iterations: number, salt: Buffer, keylen = '', encoding = 'hex') {
  return pythonJson<string>(HOMEMADE, password, digest, String(iterations), salt.toString('hex'), keylen, encoding);
}

function custom(extra: Partial<LegacyHashOptions>): LegacyHashOptions {
  return options({ scheme: 'pbkdf2-custom', ...extra });
}

describe('PBKDF2 in home-made forms (pbkdf2-custom)', () => {
  const password = 'pässwörd €';
  const salt = Buffer.from('NaCl \u00ff salt', 'utf8');

  it('verifies the digest, iterations, key and salt encodings as configured', requires('python'), async () => {
    for (const digest of ['sha256', 'sha1', 'sha512', 'sha384', 'sha224', 'md5'] as const) {
      for (const hashEncoding of ['hex', 'base64'] as const) {
        for (const saltEncoding of ['utf8', 'hex', 'base64'] as const) {
          const hash = homemade(password, digest, 1500, salt, '', hashEncoding);
          const opts = custom({ digest, iterations: 1500, hashEncoding, saltEncoding });
          const saltText = salt.toString(saltEncoding);
          assert.deepEqual(await verifyWith(password, hash, opts, saltText), MATCH, `${digest} ${hashEncoding}`);
          assert.deepEqual(await verifyWith(`${password}!`, hash, opts, saltText), MISMATCH);
          assert.deepEqual(await verifyWith(password, hash, { ...opts, iterations: 1501 }, saltText), MISMATCH);
          assert.equal(labelOf(hash, opts, saltText), 'pbkdf2-custom');
        }
      }
    }
  });

  it(
    'matches OpenSSL 3 (openssl kdf … PBKDF2) with the default digest and key length',
    requires('openssl'),
    async () => {
      const hash = opensslPbkdf2(password, { text: 'NaCl' }, { iterations: 2000, keyLength: 32, digest: 'SHA256' });
      assert.equal(hash.length, 64);
      assert.deepEqual(await verifyWith(password, hash, custom({ iterations: 2000 }), 'NaCl'), MATCH);
      assert.deepEqual(await verifyWith(password, hash.toUpperCase(), custom({ iterations: 2000 }), 'NaCl'), MATCH);
      assert.deepEqual(
        await verifyWith(password, hash, custom({ iterations: 2000, digest: 'sha1' }), 'NaCl'),
        MISMATCH,
      );
    },
  );

  it('derives as many bytes as are stored, or exactly keyLength when it is set', requires('python'), async () => {
    for (const keylen of ['20', '64', '100']) {
      const hash = homemade(password, 'sha256', 1000, salt, keylen);
      const opts = custom({ iterations: 1000, saltEncoding: 'hex' });
      assert.deepEqual(await verifyWith(password, hash, opts, salt.toString('hex')), MATCH, keylen);
      const fixed = { ...opts, keyLength: Number(keylen) };
      assert.deepEqual(await verifyWith(password, hash, fixed, salt.toString('hex')), MATCH);
      const wrong = { ...opts, keyLength: Number(keylen) + 1 };
      assertUnsupported(await verifyWith(password, hash, wrong, salt.toString('hex')), hash, password);
    }
    // Below 16 bytes only with an explicit keyLength: a short value is more likely damaged than designed.
    const short = homemade(password, 'sha256', 1000, salt, '12');
    const opts = custom({ iterations: 1000, saltEncoding: 'hex' });
    assertUnsupported(await verifyWith(password, short, opts, salt.toString('hex')), short, password);
    assert.deepEqual(await verifyWith(password, short, { ...opts, keyLength: 12 }, salt.toString('hex')), MATCH);
  });

  it('takes iterations, salt and key out of one value through pattern', requires('python'), async () => {
    const pattern = '^(?<iterations>\\d+):(?<salt>[^:]+):(?<hash>.+)$';
    const key = homemade(password, 'sha512', 1200, Buffer.from('c2FsdHk=', 'utf8'), '', 'base64');
    const hash = `1200:c2FsdHk=:${key}`;
    const opts = custom({ digest: 'sha512', hashEncoding: 'base64', pattern });
    assert.deepEqual(await verifyWith(password, hash, opts), MATCH);
    assert.deepEqual(await verifyWith('pässwörd', hash, opts), MISMATCH);
    // The salt group is the salt as written (UTF-8 text here); decoded when saltEncoding says so.
    const decoded = homemade(password, 'sha512', 1200, Buffer.from('salty'), '', 'base64');
    const opts64 = { ...opts, saltEncoding: 'base64' as const };
    assert.deepEqual(await verifyWith(password, `1200:c2FsdHk=:${decoded}`, opts64), MATCH);
    for (const bad of [`12x0:c2FsdHk=:${key}`, `1200:c2FsdHk=`, `0:c2FsdHk=:${key}`, `99999999:s:${key}`]) {
      assertUnsupported(await verifyWith(password, bad, opts), bad, password);
    }
  });

  it('bounds the work, blocks of a long key included, without running it', async () => {
    const started = performance.now();
    const long = 'ab'.repeat(200); // 200 bytes: 7 SHA-256 blocks, each costing all the iterations
    assertUnsupported(await verifyWith('hunter2hunter2', long, custom({ iterations: 2_000_000 })), long, 'x');
    const inline = `10000001:${'ab'.repeat(32)}`;
    const pattern = custom({ pattern: '^(?<iterations>\\d+):(?<hash>.+)$' });
    assertUnsupported(await verifyWith('hunter2hunter2', inline, pattern), inline, 'x');
    assert.throws(() => custom({ iterations: 10_000_001 }));
    assert.ok(performance.now() - started < 200);
  });

  it('refuses when it cannot know the iterations, without guessing', async () => {
    const hash = 'ab'.repeat(32);
    const reason = assertUnsupported(await verifyWith('hunter2hunter2', hash, custom({})), hash, 'hunter2hunter2');
    assert.match(reason, /iterations/);
  });
});
