import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { legacyTotpSchema, type LegacyTotpFormat } from '../../src/config/legacy-totp-schema.js';
import { legacyTotpReader } from '../../src/migration/legacy-totp.js';
import { createProfileTransformer } from '../../src/migration/transform.js';
import { LARAVEL_ENCRYPTION, missingTool, PYTHON } from '../support/tools.js';

/**
 * Legacy TOTP secrets as other systems write them (`migration.legacyTotp`): other encodings than base32, and
 * encrypted with the operator's key, the encrypted values made by the systems' own code (Laravel's Encrypter from
 * Debian's php-illuminate-encryption, as Fortify stores `two_factor_secret`; Python's cryptography for AES-GCM).
 */

/** RFC 6238's test key "12345678901234567890" (20 bytes), and its base32, what the factor keeps. */
const KEY = Buffer.from('12345678901234567890');
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VALID = { kind: 'valid', secret: SECRET } as const;
const INVALID = { kind: 'invalid' } as const;

const reader = (format: Record<string, unknown>) => legacyTotpReader(legacyTotpSchema.parse(format));

describe('legacy TOTP secrets in other encodings', () => {
  it('reads hex (django-otp), base64, text (Keycloak) and binary columns to the same key', () => {
    assert.deepEqual(reader({ encoding: 'hex' })(KEY.toString('hex')), VALID);
    assert.deepEqual(reader({ encoding: 'hex' })(KEY.toString('hex').toUpperCase()), VALID);
    assert.deepEqual(reader({ encoding: 'base64' })(KEY.toString('base64')), VALID);
    assert.deepEqual(reader({ encoding: 'base64' })(KEY.toString('base64url')), VALID);
    assert.deepEqual(reader({ encoding: 'text' })('12345678901234567890'), VALID);
    assert.deepEqual(reader({ encoding: 'bytes' })(Buffer.from(KEY)), VALID, 'a bytea / BLOB of the key');
    // The default, base32, also from a binary column holding the text.
    assert.deepEqual(reader({})(Buffer.from(SECRET)), VALID);
    assert.deepEqual(reader({})(SECRET), VALID);
  });

  it('calls what is not a key of that encoding unusable, and nothing at all absent', () => {
    for (const [encoding, value] of [
      ['hex', 'abc'],
      ['hex', 'zz'.repeat(20)],
      ['hex', '31'.repeat(9)], // 9 bytes: too short
      ['base64', '!!!!'.repeat(8)],
      ['text', 'short'],
      ['bytes', KEY.toString('hex')], // text where a binary column was promised
      ['bytes', Buffer.alloc(200)], // far too long
      ['base32', 42],
    ] as const) {
      assert.deepEqual(reader({ encoding })(value), INVALID, `${encoding} ${String(value)}`);
    }
    for (const absent of [undefined, null, '', Buffer.alloc(0)])
      assert.equal(reader({ encoding: 'hex' })(absent), undefined);
  });
});

/** Laravel's own `encrypt()` / `encryptString()` under `cipher`, run by PHP. */
function laravelEncrypt(key: Buffer, cipher: string, value: string, serialize: boolean): string {
  const code = `require '${LARAVEL_ENCRYPTION}';
    $e = new Illuminate\\Encryption\\Encrypter(base64_decode($argv[1]), $argv[2]);
    echo $argv[3] === 'serialize' ? $e->encrypt($argv[4]) : $e->encryptString($argv[4]);`;
  const run = spawnSync(
    'php',
    ['-r', code, '--', key.toString('base64'), cipher, serialize ? 'serialize' : 'string', value],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe("Laravel's encrypt(), as Fortify keeps two_factor_secret", { skip: missingTool('laravel') }, () => {
  const key256 = randomBytes(32);
  const key128 = randomBytes(16);
  const laravel = (...keys: Buffer[]) =>
    reader({ encryption: { format: 'laravel', keys: keys.map((key) => `base64:${key.toString('base64')}`) } });

  it("opens AES-CBC (with Laravel's MAC) and AES-GCM, 256 and 128 bits, serialised or not", () => {
    for (const [cipher, key] of [
      ['AES-256-CBC', key256],
      ['AES-256-GCM', key256],
      ['AES-128-CBC', key128],
      ['AES-128-GCM', key128],
    ] as const) {
      for (const serialize of [true, false]) {
        const stored = laravelEncrypt(key, cipher, SECRET, serialize);
        assert.deepEqual(laravel(key)(stored), VALID, `${cipher} ${serialize ? 'encrypt' : 'encryptString'}`);
      }
    }
    // Fortify's own secrets: 16 base32 characters (Google2FA's default), 80 bits.
    assert.deepEqual(laravel(key256)(laravelEncrypt(key256, 'AES-256-CBC', 'JBSWY3DPEHPK3PXP', true)), {
      kind: 'valid',
      secret: 'JBSWY3DPEHPK3PXP',
    });
  });

  it('opens values made under a previous APP_KEY, and refuses a wrong key or a forged MAC', () => {
    const old = randomBytes(32);
    const stored = laravelEncrypt(old, 'AES-256-CBC', SECRET, true);
    assert.deepEqual(laravel(key256, old)(stored), VALID, 'APP_KEY first, then the previous one');
    assert.deepEqual(laravel(key256)(stored), INVALID);

    const payload = JSON.parse(Buffer.from(stored, 'base64').toString()) as { mac: string };
    const forged = Buffer.from(JSON.stringify({ ...payload, mac: '0'.repeat(64) })).toString('base64');
    assert.deepEqual(laravel(old)(forged), INVALID, 'the MAC is checked before anything is decrypted');
    assert.deepEqual(laravel(old)('not a payload'), INVALID);
  });

  it('carries the secret through the mapping and the transform of a profile', async () => {
    const transform = await createProfileTransformer({
      mapping: { legacyId: 'id', username: 'name', email: 'email', totpSecret: 'two_factor_secret' },
      emailRequired: true,
      legacyTotp: legacyTotpSchema.parse({
        encryption: { format: 'laravel', keys: [`base64:${key256.toString('base64')}`] },
      }) satisfies LegacyTotpFormat,
    });
    const outcome = await transform({
      id: 7,
      name: 'taylor',
      email: 'taylor@example.com',
      two_factor_secret: laravelEncrypt(key256, 'AES-256-CBC', SECRET, true),
    });
    assert.ok(outcome.kind === 'valid');
    assert.deepEqual(outcome.totp, VALID);
    assert.ok(!JSON.stringify(outcome.profile).includes(SECRET), 'the secret is not in the profile');
  });
});

/** AES-256-GCM by Python's cryptography: nonce, then ciphertext and tag (what AESGCM.encrypt returns). */
function pythonSeal(key: Buffer, value: Buffer, encoding: 'base64' | 'hex'): string {
  const code = `import sys, os, base64
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = base64.b64decode(sys.argv[1]); nonce = os.urandom(12)
sealed = nonce + AESGCM(key).encrypt(nonce, base64.b64decode(sys.argv[2]), None)
print(sealed.hex() if sys.argv[3] == 'hex' else base64.b64encode(sealed).decode())`;
  const run = spawnSync(PYTHON, ['-c', code, key.toString('base64'), value.toString('base64'), encoding], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

describe('AES-256-GCM sealed secrets (nonce, ciphertext, tag)', { skip: missingTool('python-cryptography') }, () => {
  const key = randomBytes(32);
  const gcm = (encoding: 'base64' | 'hex', ...keys: Buffer[]) =>
    reader({ encryption: { format: 'aes-256-gcm', encoding, keys: keys.map((k) => k.toString('base64')) } });

  it('opens them in base64 and hex, with the key among several, around base32 or raw key bytes', () => {
    assert.deepEqual(gcm('base64', key)(pythonSeal(key, Buffer.from(SECRET), 'base64')), VALID);
    assert.deepEqual(gcm('hex', randomBytes(32), key)(pythonSeal(key, Buffer.from(SECRET), 'hex')), VALID);
    const raw = legacyTotpReader(
      legacyTotpSchema.parse({
        encoding: 'bytes',
        encryption: { format: 'aes-256-gcm', keys: [key.toString('base64')] },
      }),
    );
    assert.deepEqual(raw(pythonSeal(key, KEY, 'base64')), VALID);
  });

  it('refuses a wrong key, a changed byte and a value too short to be sealed', () => {
    const sealed = Buffer.from(pythonSeal(key, Buffer.from(SECRET), 'base64'), 'base64');
    assert.deepEqual(gcm('base64', randomBytes(32))(sealed.toString('base64')), INVALID);
    const changed = Buffer.from(sealed);
    changed[15] = (changed[15] ?? 0) ^ 1;
    assert.deepEqual(gcm('base64', key)(changed.toString('base64')), INVALID);
    assert.deepEqual(gcm('base64', key)(sealed.subarray(0, 20).toString('base64')), INVALID);
  });
});
