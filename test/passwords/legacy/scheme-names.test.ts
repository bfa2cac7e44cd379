import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectLegacyHash, legacyHashOptionsSchema } from '../../../src/passwords/legacy/legacy-hash.js';
import {
  BUILT_IN_SCHEME_NAMES,
  hashOptionsForRow,
  legacyHashConfigSchema,
  type LegacyHashConfig,
} from '../../../src/passwords/legacy/scheme-names.js';
import {
  assertUnsupported,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  python,
  pythonJson,
  requires,
  run,
  verifyWith,
} from './reference-tools.js';
import type { LegacyHashOptions } from '../../../src/passwords/legacy/legacy-hash.js';

const PASSWORD = 'pässwörd €';

/** hashlib digests of salt + password (prefix), hex and base64, for the bare-digest rows. */
const DIGESTS = `
password, salt = sys.argv[1], sys.argv[2]
out = {}
for name in ("md5", "sha1", "sha256", "sha512"):
    d = hashlib.new(name, salt.encode() + password.encode()).digest()
    out[name] = {"hex": d.hex(), "base64": base64.b64encode(d).decode()}
print(json.dumps(out))
`;
type Digests = Record<'md5' | 'sha1' | 'sha256' | 'sha512', { hex: string; base64: string }>;

function optionsFor(config: LegacyHashConfig, name: unknown): LegacyHashOptions {
  const result = hashOptionsForRow(config, name);
  if ('unsupported' in result) assert.fail(result.unsupported);
  return result;
}

describe('per-row scheme names', () => {
  const config = legacyHashConfigSchema.parse({ saltPosition: 'prefix' });

  it('gives the base options to rows that name no scheme', () => {
    for (const name of [null, undefined, '', '   ']) {
      assert.deepEqual(hashOptionsForRow(config, name), legacyHashOptionsSchema.parse({ saltPosition: 'prefix' }));
    }
  });

  it('maps the built-in names case-insensitively and trimmed, keeping the base salt options', () => {
    assert.equal(optionsFor(config, ' MD5 ').scheme, 'salted-md5');
    assert.equal(optionsFor(config, 'md5').saltPosition, 'prefix');
    assert.equal(optionsFor(config, 'BCrypt').scheme, 'bcrypt');
    assert.equal(optionsFor(config, 'PBKDF2_SHA256').scheme, 'pbkdf2');
    assert.equal(optionsFor(config, 'SHA512_CRYPT').scheme, 'sha512-crypt');
    for (const [name, entry] of Object.entries(BUILT_IN_SCHEME_NAMES)) {
      assert.equal(optionsFor(config, name).scheme, entry.scheme, name);
    }
  });

  it("merges the operator's names over the built-in ones, and reads numeric names", () => {
    const own = legacyHashConfigSchema.parse({
      hashEncoding: 'base64',
      names: { MD5: { saltPosition: 'suffix' }, '2': { scheme: 'bcrypt' }, legacy: { scheme: 'phpass' } },
    });
    assert.deepEqual(
      [optionsFor(own, 'md5').scheme, optionsFor(own, 'md5').saltPosition, optionsFor(own, 'md5').hashEncoding],
      ['salted-md5', 'suffix', 'base64'],
    );
    assert.equal(optionsFor(own, 2).scheme, 'bcrypt');
    assert.equal(optionsFor(own, 'Legacy').scheme, 'phpass');
    assert.deepEqual(hashOptionsForRow(own, { not: 'a name' }), {
      unsupported: 'the scheme name column holds neither text nor a number',
    });
  });

  it('rejects invalid per-name options when the configuration is read', () => {
    assert.throws(() => legacyHashConfigSchema.parse({ names: { md5: { scheme: 'nope' } } }));
    assert.throws(() => legacyHashConfigSchema.parse({ names: { md5: { pattern: '^(?<salt>.*)$' } } }));
    assert.throws(() => legacyHashConfigSchema.parse({ names: { md5: { unknownSchemeName: true } } }));
  });

  it('verifies a table holding several eras side by side', requires('passlib'), async () => {
    const salt = 'row-salt';
    const digests = pythonJson<Digests>(DIGESTS, PASSWORD, salt);
    const rows: readonly { name: unknown; hash: string; salt?: string; label: string }[] = [
      { name: 'md5', hash: digests.md5.hex, salt, label: 'salted-md5' },
      { name: 'SHA1', hash: digests.sha1.hex, salt, label: 'salted-sha1' },
      { name: 'sha256', hash: digests.sha256.hex, salt, label: 'salted-sha256' },
      { name: 'sha512', hash: digests.sha512.hex, salt, label: 'salted-sha512' },
      {
        name: 'bcrypt',
        hash: python('print(h.bcrypt.using(rounds=4).hash(sys.argv[1]))', PASSWORD),
        label: 'bcrypt',
      },
      {
        name: 'pbkdf2_sha256',
        hash: python('print(h.django_pbkdf2_sha256.using(rounds=1000).hash(sys.argv[1]))', PASSWORD),
        label: 'django-pbkdf2-sha256',
      },
      {
        name: 'pbkdf2_sha256',
        hash: python('print(h.pbkdf2_sha256.using(rounds=1000).hash(sys.argv[1]))', PASSWORD),
        label: 'pbkdf2-sha256',
      },
      { name: 'phpass', hash: python('print(h.phpass.using(rounds=7).hash(sys.argv[1]))', PASSWORD), label: 'phpass' },
      {
        name: 'wordpress',
        hash: python('print(h.phpass.using(rounds=7).hash(sys.argv[1]))', PASSWORD),
        label: 'phpass',
      },
      { name: null, hash: run('openssl', ['passwd', '-6', PASSWORD]), label: 'sha512-crypt' },
      // An unknown name: self-describing hashes are still read.
      { name: 'from-the-2009-migration', hash: run('openssl', ['passwd', '-1', PASSWORD]), label: 'md5-crypt' },
    ];
    for (const row of rows) {
      const rowOptions = optionsFor(config, row.name);
      assert.equal(labelOf(row.hash, rowOptions, row.salt), row.label, String(row.name));
      assert.deepEqual(await verifyWith(PASSWORD, row.hash, rowOptions, row.salt), MATCH, String(row.name));
      assert.deepEqual(await verifyWith('pässwörd', row.hash, rowOptions, row.salt), MISMATCH, String(row.name));
    }
  });

  it('says that the name was unknown when detection cannot place a bare digest', requires('passlib'), async () => {
    const digests = pythonJson<Digests>(DIGESTS, PASSWORD, '');
    const rowOptions = optionsFor(config, 'whirlpool-ish');
    for (const { hex } of Object.values(digests)) {
      const reason = assertUnsupported(await verifyWith(PASSWORD, hex, rowOptions), hex, PASSWORD);
      assert.match(reason, /scheme name is not in the names table/);
    }
    // With the length mapped under unprefixed, even an unknown name's bare digest is placed.
    const mapped = legacyHashConfigSchema.parse({ unprefixed: { '32': 'salted-md5' } });
    assert.deepEqual(await verifyWith(PASSWORD, digests.md5.hex, optionsFor(mapped, 'whirlpool-ish')), MATCH);
  });
});

describe('bare digests placed by length (unprefixed)', () => {
  const unprefixed = {
    '32': 'salted-md5',
    '40': 'salted-sha1',
    '64': 'salted-sha256',
    '128': 'salted-sha512',
    '24': 'salted-md5',
    '28': 'salted-sha1',
    '44': 'salted-sha256',
    '88': 'salted-sha512',
  } as const;

  it(
    'reads hex and base64 digests beside self-describing hashes in one detect column',
    requires('passlib'),
    async () => {
      const digests = pythonJson<Digests>(DIGESTS, PASSWORD, 'NaCl');
      const detect = options({ unprefixed, saltPosition: 'prefix' });
      for (const [name, { hex, base64 }] of Object.entries(digests)) {
        for (const hash of [hex, base64]) {
          assert.deepEqual(await verifyWith(PASSWORD, hash, detect, 'NaCl'), MATCH, `${name} ${hash}`);
          assert.deepEqual(await verifyWith(PASSWORD, hash, detect, 'NaCm'), MISMATCH);
          assert.equal(labelOf(hash, detect, 'NaCl'), `salted-${name}`);
        }
      }
      const sha512Crypt = run('openssl', ['passwd', '-6', PASSWORD]);
      assert.deepEqual(await verifyWith(PASSWORD, sha512Crypt, detect, 'NaCl'), MATCH);
    },
  );

  it('places only the lengths it is given, and none by default', requires('passlib'), async () => {
    const digests = pythonJson<Digests>(DIGESTS, PASSWORD, '');
    const onlyMd5 = options({ unprefixed: { '32': 'salted-md5' } });
    assert.deepEqual(await verifyWith(PASSWORD, digests.md5.hex, onlyMd5), MATCH);
    assert.equal(inspectLegacyHash(digests.sha1.hex, onlyMd5).kind, 'unsupported');
    assert.equal(inspectLegacyHash(digests.md5.hex, options()).kind, 'unsupported');
    // A 32-character value that is not hex is not taken for a digest.
    assert.equal(inspectLegacyHash('z'.repeat(32), onlyMd5).kind, 'unsupported');
  });

  it('refuses a length mapped to a digest of another size', () => {
    assert.throws(() => options({ unprefixed: { '40': 'salted-md5' } }), /salted-sha1/);
    assert.throws(() => legacyHashOptionsSchema.parse({ unprefixed: { '33': 'salted-md5' } }));
  });

  it('still parses options stored before these fields existed', () => {
    const stored = { scheme: 'salted-sha1', saltPosition: 'suffix', saltEncoding: 'utf8', hashEncoding: 'hex' };
    assert.deepEqual(legacyHashOptionsSchema.parse(stored), stored);
  });
});
