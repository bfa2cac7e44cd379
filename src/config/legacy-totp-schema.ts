import { z } from 'zod';

/**
 * How the legacy store writes its users' TOTP secrets (`migration.legacyTotp`): the text form of the key, and the
 * encryption around it, if any, with the keys to open it.
 */

/** A Laravel key as `APP_KEY` holds it (`base64:…`), or its raw text; AES-128 or AES-256. */
const laravelKey = z
  .string()
  .min(1)
  .refine((text) => [16, 32].includes(laravelKeyBytes(text).length), 'must be 16 or 32 bytes (APP_KEY, "base64:…")');

/** The bytes of a Laravel key: `base64:` then base64, or the text itself (Laravel takes both). */
export function laravelKeyBytes(text: string): Buffer {
  return text.startsWith('base64:') ? Buffer.from(text.slice('base64:'.length), 'base64') : Buffer.from(text, 'utf8');
}

const aesKey = z
  .string()
  .refine((text) => Buffer.from(text, 'base64').length === 32, 'must be 32 bytes in base64')
  .describe('32 bytes, base64.');

export const legacyTotpSchema = z
  .strictObject({
    encoding: z
      .enum(['base32', 'hex', 'base64', 'text', 'bytes'])
      .default('base32')
      .describe(
        'How the secret is written: `base32` (what authenticator apps show; most systems), `hex` (django-otp), ' +
          '`base64`, `text` (the key is the text itself, as Keycloak keeps it) or `bytes` (a binary column: the ' +
          'key is its bytes).',
      ),
    encryption: z
      .discriminatedUnion('format', [
        z.strictObject({
          format: z.literal('laravel'),
          keys: z
            .array(laravelKey)
            .min(1)
            .describe('APP_KEY, then any previous keys (Laravel 9+ `APP_PREVIOUS_KEYS`), e.g. `["${APP_KEY}"]`.'),
        }),
        z.strictObject({
          format: z.literal('aes-256-gcm'),
          keys: z.array(aesKey).min(1).describe('Keys to try, newest first, e.g. `["${LEGACY_TOTP_KEY}"]`.'),
          encoding: z
            .enum(['base64', 'hex'])
            .default('base64')
            .describe('How the sealed value is written: 12-byte nonce, ciphertext, 16-byte tag, in that order.'),
        }),
      ])
      .optional()
      .describe(
        "The legacy store keeps the secrets encrypted: `laravel` (Laravel's `encrypt()`, as Fortify stores " +
          '`two_factor_secret`: AES-CBC with its HMAC, or AES-GCM) or `aes-256-gcm` (nonce, ciphertext and tag ' +
          "concatenated, as Go's `gcm.Seal(nonce, nonce, …)` writes). A value no key opens: migrated without it.",
      ),
  })
  .prefault({});
export type LegacyTotpFormat = z.infer<typeof legacyTotpSchema>;
