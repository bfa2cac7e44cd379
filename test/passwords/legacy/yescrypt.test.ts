import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CRYPT_ALPHABET } from '../../../src/passwords/legacy/encoding.js';
import { parseYescrypt, verifyYescrypt } from '../../../src/passwords/legacy/yescrypt.js';
import { MATCH, MISMATCH, requires } from './reference-tools.js';
import { assertVerifies, encodeUint, mkpasswd, parsedParams, refusal, withParams } from './yescrypt-tools.js';

/**
 * yescrypt's quick checks (vectors at -R 1, damaged and absurd hashes, arbitrary fields); the real costs are in
 * yescrypt-costs.test.ts, in the slow tier. Helpers and the verification budget: yescrypt-tools.ts.
 */
describe('yescrypt ($y$, libxcrypt)', () => {
  it('verifies mkpasswd hashes of all sorts of passwords at -R 1 (j75)', requires('mkpasswd'), () => {
    const passwords = [
      '',
      'a',
      'password',
      'pässwörd €',
      '🔑 ключ 鍵',
      ' leading and trailing spaces ',
      'tabs\there\tand\tthere',
      'x'.repeat(63),
      'y'.repeat(64),
      'z'.repeat(65),
      '€'.repeat(70), // 210 bytes
      'long password '.repeat(20), // 280 bytes
    ];
    for (const password of passwords) {
      const hash = mkpasswd(password, 1);
      assert.ok(hash.startsWith('$y$j75$'), hash);
      assertVerifies(hash, password);
    }
  });

  it('reports damaged hashes as unsupported, never as a mismatch', requires('mkpasswd'), () => {
    const hash = mkpasswd('password', 1);
    const [, , params = '', salt = '', digest = ''] = hash.split('$');
    const damaged = [
      hash.slice(0, Math.ceil(hash.length / 2)),
      hash.slice(0, -1), // 42 characters
      `${hash}.`, // 44
      `${hash.slice(0, -1)}!`,
      `${hash.slice(0, -1)}z`, // the unused top bits of the last character set: not canonical
      `${hash}$`,
      ` ${hash}`,
      `$Y$${hash.slice(3)}`,
      `$y$$${hash.slice(3)}`,
      `$y$$${salt}$${digest}`, // no parameters
      `$y$${params}$${salt}${digest}`, // no separator
      `$y$${params}$${salt.slice(0, -1)}$${digest}`, // 21 characters: a lone character in the last group
      `$y$${params}$${salt.slice(0, -1)}z$${digest}`, // unused salt bits set: crypt(3) rejects this salt
      `$y$${params}$${'A'.repeat(88)}$${digest}`, // 66 bytes of salt
      `$y$${params}$${salt.replace(/^./, '_')}$${digest}`,
      `$y$${params}.$${salt}$${digest}`, // a `have` field announcing p, and no p
      `$y$${params}E.$${salt}$${digest}`, // `have` with unknown bits: crypt(3) skips them, no encoder writes them
    ];
    for (const value of damaged) refusal(value);
    assert.deepEqual(verifyYescrypt('password', parsedParams(hash)), MATCH);
  });

  it('refuses absurd or unsupported parameters at once, without running them', requires('mkpasswd'), () => {
    const hash = mkpasswd('password', 1);
    const absurd = [
      `j${encodeUint(63, 1)}5`, // N = 2^63
      `j${encodeUint(40, 1)}5`, // N = 2^40
      'jGT', // N = 2^19, r = 32: 2 GiB
      `j7${encodeUint(2 ** 29, 1)}`, // r = 2^29
      `j75.${encodeUint(2 ** 20, 2)}`, // p = 2^20
      `j75.${encodeUint(17, 2)}`, // p = 17
      `j75/${encodeUint(1000, 1)}`, // t = 1000
      `jFT/${encodeUint(2, 1)}`, // t = 2 at mkpasswd's costliest (1 GiB): beyond the work bound
      `j75${encodeUint(8, 1)}${encodeUint(20, 1)}`, // a ROM (NROM = 2^20)
      `j75${encodeUint(4, 1)}${encodeUint(1, 1)}`, // g = 1 (hash upgrades, which libxcrypt refuses)
      'i75', // other YESCRYPT_RW flavours, which libxcrypt does not implement
      'k75',
      `${encodeUint(258, 0)}75`, // no flavour at all
      '.75/.', // classic scrypt with a time factor
      `j/5.${encodeUint(4, 2)}`, // YESCRYPT_RW with N/p = 1
    ].map((params) => withParams(hash, params));
    const started = performance.now();
    const reasons = absurd.map((value) => refusal(value));
    const elapsed = performance.now() - started;
    // Running any of them would take many seconds to hours (or never end); a second is room for a loaded machine.
    assert.ok(elapsed < 1000, `refusals took ${elapsed} ms`);
    assert.ok(reasons.some((reason) => /ROM/.test(reason)));
    assert.ok(reasons.some((reason) => /memory/.test(reason)));
    assert.ok(reasons.some((reason) => /work/.test(reason)));

    // The costliest mkpasswd setting (-R 11: N = 2^18, r = 32, 1 GiB) is within the bounds; here only parsed.
    assert.deepEqual(parsedParams(withParams(hash, 'jFT')), { ...parsedParams(hash), log2N: 18, r: 32 });
    assert.ok(parsedParams(withParams(hash, `jFT/${encodeUint(1, 1)}`)));

    // Parameters built elsewhere are checked again before any work.
    const tooBig = { ...parsedParams(hash), log2N: 40 };
    const before = performance.now();
    const verdict = verifyYescrypt('password', tooBig);
    assert.equal(verdict.kind, 'unsupported');
    assert.ok(performance.now() - before < 1000);
  });

  it('reports gost-yescrypt ($gy$) as unsupported, with the reason', requires('mkpasswd'), () => {
    const gost = `$gy$${mkpasswd('password', 1).slice(3)}`;
    assert.match(refusal(gost), /gost-yescrypt.*Streebog/);
    assert.match(refusal('$gy$j9T$$'), /gost-yescrypt/);
  });

  it('never throws on arbitrary parameter fields, and what it accepts stays within the bounds', () => {
    const tail = `$Zm9vYmFy$${'A'.repeat(42)}.`;
    const alphabet = fc.constantFrom(...Array.from(CRYPT_ALPHABET));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, minLength: 1, maxLength: 12 }), fc.string(), (params, junk) => {
        for (const hash of [`$y$${params}${tail}`, `$y$${params}$${junk}`, `$y$${junk}${tail}`]) {
          const parsed = parseYescrypt(hash);
          if (parsed.kind === 'unsupported') continue;
          const { log2N, r, p, t } = parsed.params;
          assert.ok(128 * r * 2 ** log2N <= 2 ** 30 && p <= 16 && t <= 64 && 2 ** log2N / p >= 2);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads nothing but yescrypt', () => {
    for (const other of ['', '$', '$y$', '$7$CU..../....abc$def', '$6$salt$abc', '$2b$10$abc', 'y$j75$a$b']) {
      refusal(other);
    }
  });

  it('verifies with parameters that crossed a structured clone (as to a worker thread)', requires('mkpasswd'), () => {
    const hash = mkpasswd('pässwörd €', 1);
    const cloned = structuredClone(parsedParams(hash));
    assert.deepEqual(verifyYescrypt('pässwörd €', cloned), MATCH);
    assert.deepEqual(verifyYescrypt('passwörd €', cloned), MISMATCH);
  });
});
