import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CRYPT_ALPHABET } from '../../../src/passwords/legacy/encoding.js';
import { parseYescrypt, verifyYescrypt, type YescryptParams } from '../../../src/passwords/legacy/yescrypt.js';
import { assertUnsupported, MATCH, MISMATCH, requires, run } from './reference-tools.js';

/**
 * Vectors come from libxcrypt at test time: Debian's mkpasswd for what shadow files hold (random salts, costs -R 1
 * to 7), and crypt(3) itself, called through perl, for settings mkpasswd cannot write (its -S is refused for
 * yescrypt): fixed, empty and 64-byte salts, p, t, classic and WORM flavours, multi-character fields.
 *
 * Budget, one verification on a 2 GHz core: -R 1 ≈ 25 ms, -R 5 (default) ≈ 330 ms, -R 7 ≈ 1.3 s; -R 11 (1 GiB)
 * ≈ 30 s is only parsed here, not run.
 */

function mkpasswd(password: string, cost?: number): string {
  return run('mkpasswd', ['-m', 'yescrypt', ...(cost === undefined ? [] : ['-R', String(cost)]), password]);
}

/** crypt(3) with a full setting, through Debian's perl, which links libxcrypt like mkpasswd does. */
function libxcrypt(password: string, setting: string): string {
  return run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, setting]);
}

function probeLibxcrypt(): { skip: string | false } {
  const probe = spawnSync('perl', ['-e', 'print crypt("x", q($y$j75$$))'], { encoding: 'utf8' });
  return { skip: probe.status === 0 && probe.stdout.startsWith('$y$j75$$') ? false : 'skipped: no perl on libxcrypt' };
}

/** yescrypt's variable-length integer (encode64_uint32 of yescrypt-common.c), to write parameters by hand. */
function encodeUint(value: number, min: number): string {
  let rest = value - min;
  let start = 0;
  let end = 47;
  let chars = 1;
  let bits = 0;
  while (rest >= (end + 1 - start) * 2 ** bits) {
    rest -= (end + 1 - start) * 2 ** bits;
    start = end + 1;
    end = start + Math.floor((62 - end) / 2);
    chars++;
    bits += 6;
  }
  let text = CRYPT_ALPHABET.charAt(start + Math.floor(rest / 2 ** bits));
  while (--chars > 0) {
    bits -= 6;
    text += CRYPT_ALPHABET.charAt(Math.floor(rest / 2 ** bits) % 64);
  }
  return text;
}

/** The hash with its parameter field replaced (salt and hash kept). */
function withParams(hash: string, params: string): string {
  return hash.replace(/^\$y\$[^$]+\$/, () => `$y$${params}$`);
}

function parsedParams(hash: string): YescryptParams {
  const parsed = parseYescrypt(hash);
  if (parsed.kind !== 'parsed') assert.fail(`expected ${hash} to parse, got: ${parsed.reason}`);
  assert.equal(parsed.label, 'yescrypt');
  return parsed.params;
}

function refusal(hash: string, password = 'password'): string {
  const parsed = parseYescrypt(hash);
  if (parsed.kind === 'parsed') assert.fail(`expected ${hash} to be refused`);
  return assertUnsupported(parsed, hash, password);
}

/** One digest character changed, in a full 4-character group so the encoding stays canonical. */
function tamperDigest(hash: string): string {
  const at = hash.length - 20;
  return hash.slice(0, at) + (hash[at] === '.' ? '/' : '.') + hash.slice(at + 1);
}

/** The right password matches; a wrong one, one a character shorter and a tampered digest do not. */
function assertVerifies(hash: string, password: string): void {
  const params = parsedParams(hash);
  assert.deepEqual(verifyYescrypt(password, params), MATCH, `should match ${hash} (${JSON.stringify(password)})`);
  assert.deepEqual(verifyYescrypt(`${password}x`, params), MISMATCH);
  if (password !== '') assert.deepEqual(verifyYescrypt(Array.from(password).slice(0, -1).join(''), params), MISMATCH);
  assert.deepEqual(verifyYescrypt(password, parsedParams(tamperDigest(hash))), MISMATCH);
}

const SHADOW_HASH = /^\$y\$j[./0-9A-Za-z]{2}\$[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$/;

describe('yescrypt ($y$, libxcrypt)', () => {
  it(
    'verifies mkpasswd hashes at the default cost (j9T: N = 4096, r = 32, with the prehash pass)',
    requires('mkpasswd'),
    () => {
      for (const password of ['pässwörd €', 'correct horse battery staple', 'tab\tand  two spaces ']) {
        const hash = mkpasswd(password);
        assert.match(hash, SHADOW_HASH);
        assert.ok(hash.startsWith('$y$j9T$'), hash);
        assertVerifies(hash, password);
      }
    },
  );

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

  it('matches at every mkpasswd cost from -R 1 to -R 7 (64 MiB), with new random salts', requires('mkpasswd'), () => {
    const settings: string[] = [];
    for (let cost = 1; cost <= 7; cost++) {
      const hash = mkpasswd('correct horse', cost);
      assert.match(hash, SHADOW_HASH);
      settings.push(hash.slice(0, 7));
      const params = parsedParams(hash);
      assert.deepEqual(verifyYescrypt('correct horse', params), MATCH, hash);
      if (cost === 7) assert.deepEqual(verifyYescrypt('correct horsf', params), MISMATCH);
    }
    assert.deepEqual(settings, ['$y$j75$', '$y$j85$', '$y$j7T$', '$y$j8T$', '$y$j9T$', '$y$jAT$', '$y$jBT$']);
  });

  it('verifies settings only crypt(3) writes: fixed salts, p, t, classic and WORM flavours', probeLibxcrypt(), () => {
    const settings = [
      '$y$j75$$', // empty salt
      '$y$j75$a.$', // one-byte salt
      `$y$j75$${'A'.repeat(85)}.$`, // 64-byte salt, the most yescrypt_r decodes
      '$y$j7.$Zm9vYmFy$', // r = 1
      '$y$j/5$Zm9vYmFy$', // N = 4, the least with p = 1
      '$y$j5k/$Zm9vYmFy$', // r = 50, a two-character field
      '$y$j75..$Zm9vYmFy$', // p = 2
      '$y$j75./$Zm9vYmFy$', // p = 3: N/p not a power of two, the last thread takes the rest
      '$y$j75/.$Zm9vYmFy$', // t = 1
      '$y$j75/0$Zm9vYmFy$', // t = 3
      '$y$j750./$Zm9vYmFy$', // p = 2, t = 2
      '$y$jAT..$Zm9vYmFy$', // N = 8192, r = 32, p = 2: the prehash pass with two threads
      '$y$.75$Zm9vYmFy$', // classic scrypt
      '$y$.75./$Zm9vYmFy$', // classic scrypt, p = 3
      '$y$/75$Zm9vYmFy$', // YESCRYPT_WORM
      '$y$/75/.$Zm9vYmFy$', // WORM, t = 1
      '$y$/750./$Zm9vYmFy$', // WORM, p = 2, t = 2
    ];
    for (const setting of settings) {
      const hash = libxcrypt('pässwörd €', setting);
      assert.ok(hash.startsWith(setting) && hash.length === setting.length + 43, `crypt refused ${setting}: ${hash}`);
      assertVerifies(hash, 'pässwörd €');
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
