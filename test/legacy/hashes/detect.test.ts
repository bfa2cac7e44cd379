import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectScheme, type SelfDescribingScheme } from '../../../src/legacy/hashes/detect.js';
import { verifyLegacyHash, type LegacyHashOptions } from '../../../src/legacy/hashes/legacy-hash.js';
import {
  assertUnsupported,
  htpasswd,
  MATCH,
  MISMATCH,
  options,
  python,
  requires,
  run,
  verify,
  type ReferenceTool,
} from './reference-tools.js';

const PASSWORD = 'correct horse';

const passlib = (handler: string) => () => python(`print(h.${handler}.hash(sys.argv[1]))`, PASSWORD);
const openssl = (flag: string) => () => run('openssl', ['passwd', flag, PASSWORD]);
const argon2Cli = (type: string) => () =>
  run('argon2', ['somesaltsomesalt', type, '-t', '1', '-m', '8', '-p', '1', '-e'], PASSWORD);

/** One reference hash per prefix detection must recognise. */
const SAMPLES: readonly { prefix: string; scheme: SelfDescribingScheme; tool: ReferenceTool; make: () => string }[] = [
  { prefix: '$2y$', scheme: 'bcrypt', tool: 'htpasswd', make: () => htpasswd('B', PASSWORD) },
  { prefix: '$2a$', scheme: 'bcrypt', tool: 'passlib', make: passlib('bcrypt.using(ident="2a", rounds=4)') },
  { prefix: '$2b$', scheme: 'bcrypt', tool: 'passlib', make: passlib('bcrypt.using(rounds=4)') },
  { prefix: '$argon2id$', scheme: 'argon2', tool: 'argon2', make: argon2Cli('-id') },
  { prefix: '$argon2i$', scheme: 'argon2', tool: 'argon2', make: argon2Cli('-i') },
  { prefix: '$argon2d$', scheme: 'argon2', tool: 'argon2', make: argon2Cli('-d') },
  { prefix: '$scrypt$', scheme: 'scrypt', tool: 'passlib', make: passlib('scrypt.using(rounds=8)') },
  { prefix: '$pbkdf2$', scheme: 'pbkdf2', tool: 'passlib', make: passlib('pbkdf2_sha1.using(rounds=1000)') },
  { prefix: '$pbkdf2-sha256$', scheme: 'pbkdf2', tool: 'passlib', make: passlib('pbkdf2_sha256.using(rounds=1000)') },
  { prefix: '$pbkdf2-sha512$', scheme: 'pbkdf2', tool: 'passlib', make: passlib('pbkdf2_sha512.using(rounds=1000)') },
  {
    prefix: 'pbkdf2_sha256$',
    scheme: 'django-pbkdf2',
    tool: 'passlib',
    make: passlib('django_pbkdf2_sha256.using(rounds=1000)'),
  },
  {
    prefix: 'pbkdf2_sha1$',
    scheme: 'django-pbkdf2',
    tool: 'passlib',
    make: passlib('django_pbkdf2_sha1.using(rounds=1000)'),
  },
  { prefix: '$6$', scheme: 'sha512-crypt', tool: 'openssl', make: openssl('-6') },
  { prefix: '$5$', scheme: 'sha256-crypt', tool: 'openssl', make: openssl('-5') },
  { prefix: '$1$', scheme: 'md5-crypt', tool: 'openssl', make: openssl('-1') },
  { prefix: '$apr1$', scheme: 'apr1', tool: 'openssl', make: openssl('-apr1') },
  { prefix: '$P$', scheme: 'phpass', tool: 'passlib', make: passlib('phpass.using(rounds=7)') },
  { prefix: '$H$', scheme: 'phpass', tool: 'passlib', make: passlib('phpass.using(ident="H", rounds=7)') },
  {
    prefix: '{SSHA}',
    scheme: 'ldap',
    tool: 'slappasswd',
    make: () => run('slappasswd', ['-h', '{SSHA}', '-s', PASSWORD]),
  },
];

const EXPLICIT_SCHEMES: readonly SelfDescribingScheme[] = [
  'bcrypt',
  'argon2',
  'scrypt',
  'pbkdf2',
  'django-pbkdf2',
  'sha512-crypt',
  'sha256-crypt',
  'md5-crypt',
  'apr1',
  'phpass',
  'ldap',
];

describe('scheme detection', () => {
  for (const { prefix, scheme, tool, make } of SAMPLES) {
    it(`recognises ${prefix} as ${scheme}, and no other named scheme accepts it`, requires(tool), async () => {
      const hash = make();
      assert.ok(hash.startsWith(prefix), hash);
      assert.deepEqual(detectScheme(hash), { scheme });
      assert.deepEqual(await verify(PASSWORD, hash), MATCH);
      for (const other of EXPLICIT_SCHEMES.filter((s) => s !== scheme)) {
        // Named wrongly, the hash is malformed for that scheme: unsupported, never a plain "wrong password".
        assertUnsupported(await verify(PASSWORD, hash, other), hash, PASSWORD);
      }
      for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
        assertUnsupported(await verify(PASSWORD, hash, `salted-${algorithm}`), hash, PASSWORD);
      }
    });
  }

  it('names the known formats it does not verify', async () => {
    const cases: readonly (readonly [hash: string, reason: RegExp])[] = [
      ['$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7', /yescrypt/],
      ['$2x$05$UIlrJcR7JMynnr9wEmZVReBzgcI2wn.0MUKo.XygizSVM3EtIX7e2', /\$2x\$/],
      ['$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D', /\$7\$/],
      ['$S$DHPRGTAsRaLxmqQvSyzMhPJoMVGOz1nxjYgwHClh5.yEEoOMpr3X', /Drupal/],
      ['$wp$2y$10$sz6YDULxjMDWsZq2WckOX.Hqkmrv7nXNvd5lJcw0a0uhcFcKWWe0G', /WordPress/],
      ['zFYE0BZyqAUN2', /DES/],
      ['_J9..CCCCXBrJUJV154M', /extended DES/],
      ['argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA', /Django/],
      ['5f4dcc3b5aa765d61d8327deb882cf99', /name the scheme/],
      ['plaintext-in-the-hash-column', /unrecognised/],
    ];
    for (const [hash, reason] of cases) {
      assert.match(assertUnsupported(await verify('password', hash), hash, 'password'), reason, hash);
    }
  });

  it('trims the blanks a CHAR column or an LDIF export adds', requires('openssl'), async () => {
    const hash = run('openssl', ['passwd', '-6', PASSWORD]);
    assert.deepEqual(await verify(PASSWORD, `  ${hash} \n`), MATCH);
    assert.deepEqual(await verify(`${PASSWORD} `, `${hash}   `), MISMATCH);
  });
});

describe('bad input', () => {
  it('never quotes the hash or the password in a reason, even when the hash holds the password', async () => {
    const password = 'Tr0ub4dor&3-secret';
    const hashes = [
      password,
      `$6$${password}`,
      `$6$rounds=5000$${password}$`,
      `$2b$10$${password}`,
      `$argon2id$v=19$m=1,t=1,p=1$${password}$${password}`,
      `$scrypt$ln=4,r=8,p=1$${password}$${password}`,
      `pbkdf2_sha256$1000$${password}$${password}`,
      `{SSHA}${password}`,
      `{CRYPT}${password}`,
      `{${password}}abc`,
      `$P$B${password}`,
      `${password}$`,
    ];
    for (const hash of hashes) {
      assertUnsupported(await verify(password, hash), hash, password);
      for (const scheme of EXPLICIT_SCHEMES) assertUnsupported(await verify(password, hash, scheme), hash, password);
    }
  });

  it('answers unsupported, without throwing, for values that are not what the types promise', async () => {
    const asString = (value: unknown) => value as string;
    const valid = options();
    assert.equal((await verifyLegacyHash(asString(undefined), '$1$salt$abc', valid)).kind, 'unsupported');
    assert.equal((await verifyLegacyHash('pw', asString(null), valid)).kind, 'unsupported');
    assert.equal((await verifyLegacyHash('pw', asString(Buffer.from('$1$x')), valid)).kind, 'unsupported');
    assert.equal((await verifyLegacyHash('pw', 'abcdef', valid, asString(42))).kind, 'unsupported');
    const badOptions = { scheme: 'nope' } as unknown as LegacyHashOptions;
    assert.equal((await verifyLegacyHash('pw', '$1$salt$abc', badOptions)).kind, 'unsupported');
    for (const hash of ['', '   ', '\n']) assert.equal((await verify('', hash)).kind, 'unsupported');
  });

  it('never throws and never accepts arbitrary text behind real prefixes', async () => {
    const prefixes = ['', ...SAMPLES.map((sample) => sample.prefix), '{CRYPT}$6$', '{crypt}', '$6$rounds=1000$'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.string({ maxLength: 120 }),
        fc.string(),
        async (p, rest, pw) => {
          const verdict = await verify(pw, p + rest);
          assert.notEqual(verdict.kind, 'match');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('treats a password beyond 4096 bytes as wrong without hashing it', async () => {
    const hash = `$6$rounds=9999999$salt$${'x'.repeat(86)}`;
    const started = performance.now();
    assert.deepEqual(await verify('p'.repeat(1024 * 1024), hash), MISMATCH);
    assert.ok(performance.now() - started < 200);
  });
});
