import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LegacyHashOptions } from '../../../src/passwords/legacy/legacy-hash.js';
import {
  assertUnsupported,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  python,
  requires,
  verifyWith as verifyLegacyHash,
} from './reference-tools.js';

type Algorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';
const ALGORITHMS: readonly Algorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];

/** hashlib digest of salt+password or password+salt, encoded as asked; the salt given as UTF-8 text. */
const DIGEST = `
algorithm, position, encoding, password, salt = sys.argv[1:]
pw, s = password.encode(), salt.encode()
digest = hashlib.new(algorithm, s + pw if position == "prefix" else pw + s).digest()
print(digest.hex() if encoding == "hex" else base64.b64encode(digest).decode())
`;

function hashlibDigest(algorithm: Algorithm, position: string, encoding: string, password: string, salt: string) {
  return python(DIGEST, algorithm, position, encoding, password, salt);
}

function salted(algorithm: Algorithm, extra: Partial<LegacyHashOptions> = {}): LegacyHashOptions {
  return options({ scheme: `salted-${algorithm}`, ...extra });
}

describe('salted digests', () => {
  it(
    'verifies every algorithm with the salt as prefix or suffix, digest in hex or base64',
    requires('passlib'),
    async () => {
      const password = 'pässwörd €';
      const salt = 'NaCl-42';
      for (const algorithm of ALGORITHMS) {
        for (const saltPosition of ['prefix', 'suffix'] as const) {
          for (const hashEncoding of ['hex', 'base64'] as const) {
            const hash = hashlibDigest(algorithm, saltPosition, hashEncoding, password, salt);
            const opts = salted(algorithm, { saltPosition, hashEncoding });
            const label = `${algorithm} ${saltPosition} ${hashEncoding}`;
            assert.deepEqual(await verifyLegacyHash(password, hash, opts, salt), MATCH, label);
            assert.deepEqual(await verifyLegacyHash(`${password}!`, hash, opts, salt), MISMATCH, label);
            assert.deepEqual(await verifyLegacyHash(password, hash, opts, 'other salt'), MISMATCH, label);
            const other = saltPosition === 'prefix' ? 'suffix' : 'prefix';
            assert.deepEqual(await verifyLegacyHash(password, hash, { ...opts, saltPosition: other }, salt), MISMATCH);
            const truncated = hash.slice(0, -6);
            assertUnsupported(await verifyLegacyHash(password, truncated, opts, salt), truncated, password);
          }
        }
      }
    },
  );

  it('reads hex digests case-insensitively', requires('passlib'), async () => {
    const hash = hashlibDigest('sha1', 'suffix', 'hex', 'correct horse', 'salt');
    const opts = salted('sha1');
    assert.deepEqual(await verifyLegacyHash('correct horse', hash.toUpperCase(), opts, 'salt'), MATCH);
  });

  it('decodes the salt as hex or base64 when told so', requires('passlib'), async () => {
    const saltText = 'bytes \u00ff salt';
    const hash = hashlibDigest('sha256', 'prefix', 'hex', 'correct horse', saltText);
    const saltBytes = Buffer.from(saltText, 'utf8');
    const opts = salted('sha256', { saltPosition: 'prefix' });
    for (const saltEncoding of ['hex', 'base64'] as const) {
      const encoded = saltBytes.toString(saltEncoding);
      assert.deepEqual(await verifyLegacyHash('correct horse', hash, { ...opts, saltEncoding }, encoded), MATCH);
      const invalid = 'not*valid';
      assertUnsupported(
        await verifyLegacyHash('correct horse', hash, { ...opts, saltEncoding }, invalid),
        hash,
        invalid,
      );
    }
  });

  it('verifies a plain unsalted digest when no salt is given', requires('passlib'), async () => {
    for (const algorithm of ALGORITHMS) {
      const hash = hashlibDigest(algorithm, 'suffix', 'hex', 'correct horse', '');
      assert.deepEqual(await verifyLegacyHash('correct horse', hash, salted(algorithm)), MATCH);
      assert.deepEqual(await verifyLegacyHash('correct horsE', hash, salted(algorithm)), MISMATCH);
    }
  });

  it('cannot detect a bare digest and tells the operator to name the scheme', requires('passlib'), async () => {
    for (const algorithm of ALGORITHMS) {
      const hash = hashlibDigest(algorithm, 'suffix', 'hex', 'correct horse', '');
      const reason = assertUnsupported(await verifyLegacyHash('correct horse', hash, options()), hash, 'correct horse');
      assert.match(reason, /name the scheme.*salted-/);
    }
  });

  it('labels a digest salted only when there is a salt', requires('passlib'), () => {
    const hash = hashlibDigest('sha256', 'suffix', 'hex', 'correct horse', 'salt');
    assert.equal(labelOf(hash, salted('sha256'), 'salt'), 'salted-sha256');
    assert.equal(labelOf(hash, salted('sha256')), 'sha256');
    assert.equal(labelOf(hash, salted('sha256'), ''), 'sha256');
  });

  it('takes the salt out of the value itself through pattern', requires('passlib'), async () => {
    const password = 'pässwörd €';
    for (const algorithm of ALGORITHMS) {
      const digest = hashlibDigest(algorithm, 'prefix', 'hex', password, 'Pepper-9');
      const opts = salted(algorithm, { saltPosition: 'prefix', pattern: '^(?<salt>[^$]+)\\$(?<hash>[0-9a-f]+)$' });
      const hash = `Pepper-9$${digest}`;
      assert.deepEqual(await verifyLegacyHash(password, hash, opts), MATCH, algorithm);
      // The salt inside the value wins over a salt column.
      assert.deepEqual(await verifyLegacyHash(password, hash, opts, 'column salt'), MATCH, algorithm);
      assert.deepEqual(await verifyLegacyHash(password, `Pepper-8$${digest}`, opts), MISMATCH);
      assert.equal(labelOf(hash, opts), `salted-${algorithm}`);
      for (const bad of [digest, `Pepper-9$${digest}x`, `$${digest}`]) {
        assertUnsupported(await verifyLegacyHash(password, bad, opts), bad, password);
      }
    }
    // A pattern without a salt group leaves the salt column in use.
    const digest = hashlibDigest('sha1', 'suffix', 'hex', password, 'col');
    const opts = salted('sha1', { pattern: '^sha1:(?<hash>.+)$' });
    assert.deepEqual(await verifyLegacyHash(password, `sha1:${digest}`, opts, 'col'), MATCH);
    const withIterations = salted('sha1', { pattern: '^(?<iterations>\\d+):(?<hash>.+)$' });
    assertUnsupported(await verifyLegacyHash(password, `5:${digest}`, withIterations, 'col'), digest, password);
  });

  it('rejects a pattern without a hash group, or one that does not compile, at configuration', () => {
    for (const pattern of ['^(?<salt>.+)$', '^(?<hash>.+', '^(?<hash>.+)(?<pepper>x)$']) {
      assert.throws(() => options({ scheme: 'salted-sha1', pattern }), /pattern/, pattern);
    }
  });

  it('reports a digest of the wrong algorithm length as unsupported', async () => {
    const md5Length = 'a'.repeat(32);
    assertUnsupported(await verifyLegacyHash('pw', md5Length, salted('sha1')), md5Length, 'pw');
    const notHex = 'z'.repeat(40);
    assertUnsupported(await verifyLegacyHash('pw', notHex, salted('sha1')), notHex, 'pw');
  });
});
