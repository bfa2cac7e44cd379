import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Secret, TOTP, URI } from 'otpauth';
import { matchTotp, newTotpSecret, totpStep, totpUri } from '../../src/mfa/totp.js';
import { missingTool } from '../support/tools.js';

/**
 * TOTP against codes the code under test did not make: RFC 6238's own test vectors, and Debian's oathtool (OATH
 * Toolkit, a C implementation) run at test time for a fresh secret at chosen times.
 */

/** RFC 6238 appendix B's seed for HMAC-SHA-1: the ASCII digits, 20 bytes. */
const RFC_SECRET = Secret.fromUTF8('12345678901234567890').base32;

/** RFC 6238 appendix B, the SHA-1 rows: Unix time and the 8-digit TOTP. */
const RFC_SHA1_VECTORS: readonly [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

/** The 6-digit code of the same HOTP value: the value is taken mod 10^digits, so its last 6 digits. */
const sixDigits = (eightDigits: string) => eightDigits.slice(-6);

const at = (seconds: number) => new Date(seconds * 1000);

/** oathtool's code for the base32 secret at a time, with 6 digits unless told. */
function oathtool(secret: string, seconds: number, digits = 6): string {
  return execFileSync('oathtool', ['--totp', '-b', '-d', String(digits), secret, '--now', `@${String(seconds)}`], {
    encoding: 'utf8',
  }).trim();
}

describe('TOTP', () => {
  describe('RFC 6238 appendix B (SHA-1)', () => {
    it('the seed is the one the RFC names', () => {
      assert.equal(RFC_SECRET, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    });

    for (const [seconds, code] of RFC_SHA1_VECTORS) {
      it(`at ${String(seconds)}: ${code}, and its last 6 digits match at step ${String(Math.floor(seconds / 30))}`, () => {
        // The 8-digit vector checks the library's HOTP itself; matchTotp is fixed at 6 digits.
        const eight = new TOTP({ secret: Secret.fromBase32(RFC_SECRET), algorithm: 'SHA1', digits: 8, period: 30 });
        assert.equal(eight.generate({ timestamp: seconds * 1000 }), code);
        assert.equal(matchTotp(RFC_SECRET, sixDigits(code), at(seconds), 0), Math.floor(seconds / 30));
        assert.equal(totpStep(at(seconds)), Math.floor(seconds / 30));
      });
    }

    it(
      'oathtool gives the RFC vectors too (so its codes below are worth comparing with)',
      {
        skip: missingTool('oathtool'),
      },
      () => {
        for (const [seconds, code] of RFC_SHA1_VECTORS) {
          assert.equal(oathtool(RFC_SECRET, seconds, 8), code);
          assert.equal(oathtool(RFC_SECRET, seconds), sixDigits(code));
        }
      },
    );
  });

  describe("against oathtool's codes for a new secret", { skip: missingTool('oathtool') }, () => {
    const secret = newTotpSecret();
    /** 2026-12-07 12:00:00 UTC, the start of a step; and times inside and at the end of steps. */
    const TIMES = [1796644800, 1796644815, 1796644829, 1700000000, 2000000000];

    for (const seconds of TIMES) {
      const step = Math.floor(seconds / 30);
      it(`at ${new Date(seconds * 1000).toISOString()} (step ${String(step)})`, () => {
        const now = at(seconds);
        const code = oathtool(secret, seconds);
        assert.match(code, /^\d{6}$/);
        assert.equal(matchTotp(secret, code, now), step, 'the current code, its own step');
        assert.equal(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now), step, 'with a space');
        assert.equal(matchTotp(secret, ` ${code}\n`, now), step, 'with spaces around');
        assert.equal(matchTotp(secret, oathtool(secret, seconds - 30), now), step - 1, 'the previous step');
        assert.equal(matchTotp(secret, oathtool(secret, seconds + 30), now), step + 1, 'the next step');
        assert.equal(matchTotp(secret, oathtool(secret, seconds - 60), now), undefined, 'two steps back');
        assert.equal(matchTotp(secret, oathtool(secret, seconds + 60), now), undefined, 'two steps ahead');
        assert.equal(matchTotp(secret, oathtool(secret, seconds - 60), now, 2), step - 2, 'two back, window 2');
        assert.equal(matchTotp(secret, oathtool(secret, seconds + 30), now, 0), undefined, 'next step, window 0');
        assert.equal(matchTotp(secret, code, now, 0), step, 'the current code, window 0');
      });
    }

    it('moves to the next step exactly at the boundary, to the millisecond', () => {
      const boundary = 1796644800;
      const code = oathtool(secret, boundary);
      assert.equal(matchTotp(secret, code, new Date(boundary * 1000), 0), boundary / 30);
      assert.equal(matchTotp(secret, code, new Date(boundary * 1000 - 1), 0), undefined);
      assert.equal(matchTotp(secret, code, new Date(boundary * 1000 + 29_999), 0), boundary / 30);
      assert.equal(matchTotp(secret, code, new Date(boundary * 1000 + 30_000), 0), undefined);
    });

    it('refuses the right code for another secret', () => {
      const code = oathtool(newTotpSecret(), 1796644800);
      // One chance in a million that the two secrets share the code at that step: then there is nothing to refuse.
      const other = oathtool(secret, 1796644800);
      if (code !== other) assert.equal(matchTotp(secret, code, at(1796644800), 0), undefined);
    });
  });

  it('refuses malformed codes without throwing', () => {
    const now = at(1796644800);
    const good = new TOTP({ secret: Secret.fromBase32(RFC_SECRET) }).generate({ timestamp: now.getTime() });
    assert.equal(matchTotp(RFC_SECRET, good, now), totpStep(now), 'the well-formed code, for contrast');
    const malformed = [
      '',
      ' ',
      good.slice(0, 5),
      `${good}0`,
      `0${good}`,
      `${good.slice(0, 5)}a`,
      `-${good.slice(1)}`,
      `+${good.slice(1)}`,
      `${good.slice(0, 3)}-${good.slice(3)}`,
      `${good.slice(0, 3)}.${good.slice(3)}`,
      String(Number(good) + 0.5),
      good.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit))),
      good.replace(/\d/g, (digit) => String.fromCharCode(0x0660 + Number(digit))),
      'abcdef',
      '１２３４５６',
    ];
    for (const code of malformed) assert.equal(matchTotp(RFC_SECRET, code, now), undefined, JSON.stringify(code));
  });

  it('refuses a window that is not a small whole number (a programming error)', () => {
    const now = at(1796644800);
    for (const window of [-1, 1.5, 11, Number.NaN, Infinity]) {
      assert.throws(() => matchTotp(RFC_SECRET, '123456', now, window), RangeError, String(window));
    }
    assert.throws(() => matchTotp(RFC_SECRET, '123456', new Date(Number.NaN)), RangeError);
  });

  it('makes secrets of 20 random bytes in base32, different each time', () => {
    const secrets = Array.from({ length: 20 }, () => newTotpSecret());
    for (const secret of secrets) {
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.equal(Secret.fromBase32(secret).bytes.length, 20);
    }
    assert.equal(new Set(secrets).size, secrets.length);
  });

  describe('the otpauth URI', () => {
    it('carries the secret, issuer and account, SHA1, 6 digits and 30 s', () => {
      const secret = newTotpSecret();
      const uri = new URL(totpUri({ secret, issuer: 'Example IdP', accountName: 'alice@example.com' }));
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.host, 'totp');
      assert.equal(decodeURIComponent(uri.pathname), '/Example IdP:alice@example.com');
      assert.equal(uri.searchParams.get('secret'), secret);
      assert.equal(uri.searchParams.get('issuer'), 'Example IdP');
      assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
      assert.equal(uri.searchParams.get('digits'), '6');
      assert.equal(uri.searchParams.get('period'), '30');
    });

    it('reads back (otpauth parses it) to a TOTP that makes the same codes as matchTotp accepts', () => {
      const secret = newTotpSecret();
      const parsed = URI.parse(totpUri({ secret, issuer: 'Example', accountName: 'bob builder+1@example.com' }));
      assert.ok(parsed instanceof TOTP);
      assert.equal(parsed.issuer, 'Example');
      assert.equal(parsed.label, 'bob builder+1@example.com');
      assert.equal(parsed.secret.base32, secret);
      const now = at(1796644800);
      assert.equal(matchTotp(secret, parsed.generate({ timestamp: now.getTime() }), now, 0), totpStep(now));
    });
  });
});
