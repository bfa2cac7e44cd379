import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HASH_LABELS } from '../../../src/passwords/legacy/labels.js';
import { inspectLegacyHash, type LegacyHashOptions } from '../../../src/passwords/legacy/legacy-hash.js';
import { options, verifyWith } from './reference-tools.js';

/**
 * Inspection without a password, as the pre-flight scan runs it over every row of a store and the bulk import over
 * every record. (Every verification elsewhere in the suite also checks inspection against its verdict: see
 * verifyWith in reference-tools.ts.)
 */

/** Hashes at the top of the work bounds: verifying any of them takes seconds; inspecting must not. */
const COSTLY = [
  '$2b$16$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui',
  '$argon2id$v=19$m=1048576,t=64,p=16$c29tZXNhbHRzb21lc2FsdA$iECgHnTsSXMygq2awA8jWQUIOtcPYt+hVaY7y/c6CpU',
  '$scrypt$ln=20,r=8,p=1$Zuw9R0iJMca4F+I8ByCEcA$pydcnJKSEk96jCjwgMkHRHMcvmRU4cYHuGWt59lb9YY',
  '$pbkdf2-sha256$10000000$aU0JQeid817Lec9Zi5FSqg$owUMgIKob014ge.Dd.HRBWULa3hOFSvCIFh3H5UGsJI',
  `$6$rounds=10000000$salt$${'x'.repeat(86)}`,
  `$S$Lzzzzzzzz${'x'.repeat(43)}`,
  `scrypt:1048576:8:1$salt$${'ab'.repeat(64)}`,
];

describe('inspecting a stored hash without the password', () => {
  it('is cheap: no key derivation, whatever the cost parameters', () => {
    for (const hash of COSTLY) assert.equal(inspectLegacyHash(hash, options()).kind, 'judgeable', hash);
    const started = performance.now();
    for (let round = 0; round < 5000; round++) {
      for (const hash of COSTLY) inspectLegacyHash(hash, options());
    }
    // 35,000 inspections; one real verification of any of these would take longer than this alone.
    assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
  });

  it('labels with the fixed vocabulary only', () => {
    for (const hash of COSTLY) {
      const inspection = inspectLegacyHash(hash, options());
      assert.ok(inspection.kind === 'judgeable' && Object.hasOwn(HASH_LABELS, inspection.label));
    }
    for (const [label, description] of Object.entries(HASH_LABELS)) {
      assert.match(label, /^[a-z0-9-]+$/);
      assert.ok(description.length > 10, label);
    }
  });

  it('refuses what verification refuses before looking at the scheme', () => {
    const asString = (value: unknown) => value as string;
    assert.equal(inspectLegacyHash(asString(null), options()).kind, 'unsupported');
    assert.equal(inspectLegacyHash('  \n', options()).kind, 'unsupported');
    assert.equal(inspectLegacyHash(`$6$${'x'.repeat(2000)}`, options()).kind, 'unsupported');
    assert.equal(
      inspectLegacyHash('$1$salt$abc', { scheme: 'nope' } as unknown as LegacyHashOptions).kind,
      'unsupported',
    );
    assert.equal(inspectLegacyHash('abcdef', options(), asString(42)).kind, 'unsupported');
  });

  it('says unsupported exactly when verification does, for arbitrary values behind real prefixes', async () => {
    const prefixes = [
      '',
      '$2b$04$',
      '$argon2id$v=19$m=8,t=1,p=1$',
      '$scrypt$ln=4,r=8,p=1$',
      '$7$',
      '$pbkdf2-sha256$1000$',
      'pbkdf2_sha256$1000$',
      'pbkdf2:sha256:1000$',
      'scrypt:16:8:1$',
      'sha256$',
      'md5$',
      'sha1$$',
      'bcrypt_sha256$',
      '$6$',
      '$1$',
      '$apr1$',
      '$P$B',
      '$S$D',
      'U$S$D',
      '$wp$2y$04$',
      '{SSHA}',
      '{CRYPT}$6$',
      '{PKCS5S2}',
      '$y$',
    ];
    const schemes = ['detect', 'wordpress', 'drupal7', 'django', 'werkzeug', 'crypt'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.string({ maxLength: 100 }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...schemes),
        async (prefix, rest, password, scheme) => {
          const verdict = await verifyWith(password, prefix + rest, options({ scheme }));
          assert.notEqual(verdict.kind, 'match');
        },
      ),
      { numRuns: 400 },
    );
  });
});
