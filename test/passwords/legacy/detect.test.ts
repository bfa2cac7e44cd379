import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectScheme } from '../../../src/passwords/legacy/detect.js';
import type { HashLabel } from '../../../src/passwords/legacy/labels.js';
import {
  legacyHashSchemes,
  verifyLegacyHash,
  type LegacyHashOptions,
} from '../../../src/passwords/legacy/legacy-hash.js';
import {
  assertUnsupported,
  htpasswd,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  python,
  PYTHON,
  requires,
  run,
  verify,
  type ReferenceTool,
} from './reference-tools.js';

type Scheme = LegacyHashOptions['scheme'];

const PASSWORD = 'correct horse';

const passlib = (handler: string) => () => python(`print(h.${handler}.hash(sys.argv[1]))`, PASSWORD);
const openssl = (flag: string) => () => run('openssl', ['passwd', flag, PASSWORD]);
const argon2Cli = (type: string) => () =>
  run('argon2', ['somesaltsomesalt', type, '-t', '1', '-m', '8', '-p', '1', '-e'], PASSWORD);

/** The crypt(3) formats: the crypt scheme and WordPress (through PHP's password_verify) take them too. */
const CRYPT3: readonly Scheme[] = ['crypt', 'wordpress'];

/**
 * One reference hash per prefix detection must recognise: the scheme detection picks, the label, and every other
 * named scheme that takes it (a named algorithm takes its framework envelopes; a framework scheme what it wrote).
 */
const SAMPLES: readonly {
  prefix: string;
  scheme: Scheme;
  label: HashLabel;
  alsoBy?: readonly Scheme[];
  /** Schemes that read the same shape as another format, so they judge it (wrongly) instead of refusing it. */
  readAsOther?: readonly Scheme[];
  tool: ReferenceTool;
  make: () => string;
}[] = [
  {
    prefix: '$2y$',
    scheme: 'bcrypt',
    label: 'bcrypt',
    alsoBy: CRYPT3,
    tool: 'htpasswd',
    make: () => htpasswd('B', PASSWORD),
  },
  {
    prefix: '$2a$',
    scheme: 'bcrypt',
    label: 'bcrypt',
    alsoBy: CRYPT3,
    tool: 'passlib',
    make: passlib('bcrypt.using(ident="2a", rounds=4)'),
  },
  {
    prefix: '$2b$',
    scheme: 'bcrypt',
    label: 'bcrypt',
    alsoBy: CRYPT3,
    tool: 'passlib',
    make: passlib('bcrypt.using(rounds=4)'),
  },
  {
    prefix: '$argon2id$',
    scheme: 'argon2',
    label: 'argon2id',
    alsoBy: ['wordpress'],
    tool: 'argon2',
    make: argon2Cli('-id'),
  },
  {
    prefix: '$argon2i$',
    scheme: 'argon2',
    label: 'argon2i',
    alsoBy: ['wordpress'],
    tool: 'argon2',
    make: argon2Cli('-i'),
  },
  { prefix: '$argon2d$', scheme: 'argon2', label: 'argon2d', tool: 'argon2', make: argon2Cli('-d') },
  { prefix: '$scrypt$', scheme: 'scrypt', label: 'scrypt', tool: 'passlib', make: passlib('scrypt.using(rounds=8)') },
  {
    prefix: '$7$',
    scheme: 'scrypt',
    label: 'crypt-scrypt',
    alsoBy: ['crypt'],
    tool: 'mkpasswd',
    make: () => run('mkpasswd', ['-m', 'scrypt', '-R', '6', PASSWORD]),
  },
  {
    prefix: '$pbkdf2$',
    scheme: 'pbkdf2',
    label: 'pbkdf2-sha1',
    tool: 'passlib',
    make: passlib('pbkdf2_sha1.using(rounds=1000)'),
  },
  {
    prefix: '$pbkdf2-sha256$',
    scheme: 'pbkdf2',
    label: 'pbkdf2-sha256',
    tool: 'passlib',
    make: passlib('pbkdf2_sha256.using(rounds=1000)'),
  },
  {
    prefix: '$pbkdf2-sha512$',
    scheme: 'pbkdf2',
    label: 'pbkdf2-sha512',
    tool: 'passlib',
    make: passlib('pbkdf2_sha512.using(rounds=1000)'),
  },
  {
    prefix: 'pbkdf2_sha256$',
    scheme: 'django-pbkdf2',
    label: 'django-pbkdf2-sha256',
    alsoBy: ['django', 'pbkdf2'],
    tool: 'passlib',
    make: passlib('django_pbkdf2_sha256.using(rounds=1000)'),
  },
  {
    prefix: 'pbkdf2_sha1$',
    scheme: 'django-pbkdf2',
    label: 'django-pbkdf2-sha1',
    alsoBy: ['django', 'pbkdf2'],
    tool: 'passlib',
    make: passlib('django_pbkdf2_sha1.using(rounds=1000)'),
  },
  {
    prefix: 'sha1$',
    scheme: 'django',
    label: 'django-sha1',
    // Werkzeug before 2.3 wrote sha1$salt$hex too, as an HMAC: named werkzeug, the value is read as Werkzeug's.
    readAsOther: ['werkzeug'],
    tool: 'passlib',
    make: passlib('django_salted_sha1'),
  },
  {
    prefix: 'pbkdf2:sha256:',
    scheme: 'werkzeug',
    label: 'werkzeug-pbkdf2-sha256',
    alsoBy: ['pbkdf2'],
    tool: 'werkzeug',
    make: () =>
      run(PYTHON, [
        '-c',
        'import sys\nfrom werkzeug.security import generate_password_hash as g\n' +
          'print(g(sys.argv[1], "pbkdf2:sha256:1000"))',
        PASSWORD,
      ]),
  },
  {
    prefix: '$y$',
    scheme: 'yescrypt',
    label: 'yescrypt',
    alsoBy: ['crypt'],
    tool: 'mkpasswd',
    make: () => run('mkpasswd', ['-m', 'yescrypt', '-R', '1', PASSWORD]),
  },
  {
    prefix: '$6$',
    scheme: 'sha512-crypt',
    label: 'sha512-crypt',
    alsoBy: CRYPT3,
    tool: 'openssl',
    make: openssl('-6'),
  },
  {
    prefix: '$5$',
    scheme: 'sha256-crypt',
    label: 'sha256-crypt',
    alsoBy: CRYPT3,
    tool: 'openssl',
    make: openssl('-5'),
  },
  { prefix: '$1$', scheme: 'md5-crypt', label: 'md5-crypt', alsoBy: CRYPT3, tool: 'openssl', make: openssl('-1') },
  { prefix: '$apr1$', scheme: 'apr1', label: 'apr1', tool: 'openssl', make: openssl('-apr1') },
  {
    prefix: '$P$',
    scheme: 'phpass',
    label: 'phpass',
    alsoBy: ['wordpress', 'drupal7'],
    tool: 'passlib',
    make: passlib('phpass.using(rounds=7)'),
  },
  {
    prefix: '$H$',
    scheme: 'phpass',
    label: 'phpass',
    alsoBy: ['drupal7'],
    tool: 'passlib',
    make: passlib('phpass.using(ident="H", rounds=7)'),
  },
  {
    prefix: '{SSHA}',
    scheme: 'ldap',
    label: 'ldap-ssha',
    tool: 'slappasswd',
    make: () => run('slappasswd', ['-h', '{SSHA}', '-s', PASSWORD]),
  },
];

/** Every scheme that can be named without further options (the salted-* digests and pbkdf2-custom need them). */
const EXPLICIT_SCHEMES: readonly Scheme[] = legacyHashSchemes.filter(
  (scheme) => scheme !== 'detect' && scheme !== 'pbkdf2-custom' && !scheme.startsWith('salted-'),
);

describe('scheme detection', () => {
  for (const { prefix, scheme, label, alsoBy = [], readAsOther = [], tool, make } of SAMPLES) {
    it(
      `recognises ${prefix} as ${scheme} (${label}), and only the schemes that should accept it`,
      requires(tool),
      async () => {
        const hash = make();
        assert.ok(hash.startsWith(prefix), hash);
        assert.deepEqual(detectScheme(hash), { scheme });
        assert.deepEqual(await verify(PASSWORD, hash), MATCH);
        assert.equal(labelOf(hash), label);
        for (const other of EXPLICIT_SCHEMES.filter((s) => s !== scheme)) {
          if (alsoBy.includes(other)) {
            assert.deepEqual(await verify(PASSWORD, hash, other), MATCH, `${other} should accept ${hash}`);
          } else if (readAsOther.includes(other)) {
            assert.deepEqual(await verify(PASSWORD, hash, other), MISMATCH, `${other} reads ${hash} as its own`);
          } else {
            // Named wrongly, the hash is malformed for that scheme: unsupported, never a plain "wrong password".
            assertUnsupported(await verify(PASSWORD, hash, other), hash, PASSWORD);
          }
        }
        for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
          assertUnsupported(await verify(PASSWORD, hash, `salted-${algorithm}`), hash, PASSWORD);
        }
      },
    );
  }

  it('names the known formats it does not verify', async () => {
    const cases: readonly (readonly [hash: string, reason: RegExp])[] = [
      ['$2x$05$UIlrJcR7JMynnr9wEmZVReBzgcI2wn.0MUKo.XygizSVM3EtIX7e2', /\$2x\$/],
      ['$gy$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7', /gost-yescrypt/],
      ['!KGbVK4Ws1PPRq7jLOlKDz2HEjI1DJVgsnbKQIDSs', /usable credentials/],
      ['*', /usable credentials/],
      ['$3$$8846f7eaee8fb117ad06bdd830b7586c', /NT-Hash/],
      ['zFYE0BZyqAUN2', /DES/],
      ['_J9..CCCCXBrJUJV154M', /extended DES/],
      ['argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA', /argon2/],
      ['whirlpool$salt$abc', /Django/],
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
