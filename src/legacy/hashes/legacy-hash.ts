import { z } from 'zod';

/**
 * Legacy password hashes verified by the IdP itself (SQL and LDAP connectors read the stored hash; the IdP checks
 * the presented password against it). Runs inside the hashing worker threads, never on the event loop.
 */

export const legacyHashSchemes = [
  'detect',
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
  'salted-md5',
  'salted-sha1',
  'salted-sha256',
  'salted-sha512',
] as const;

export const legacyHashOptionsSchema = z.strictObject({
  /** `detect` reads the scheme from the hash's prefix; the salted-* schemes must be named. */
  scheme: z.enum(legacyHashSchemes).default('detect'),
  /** For salted-*: where the salt goes relative to the password, and how salt and digest are written. */
  saltPosition: z.enum(['prefix', 'suffix']).default('suffix'),
  saltEncoding: z.enum(['utf8', 'hex', 'base64']).default('utf8'),
  hashEncoding: z.enum(['hex', 'base64']).default('hex'),
});
export type LegacyHashOptions = z.infer<typeof legacyHashOptionsSchema>;

export type LegacyHashVerdict =
  | { kind: 'match' }
  | { kind: 'mismatch' }
  /** Unknown scheme or malformed hash: never an accept. `reason` never contains the hash. */
  | { kind: 'unsupported'; reason: string };

/** `salt` is the separate salt value (salted-* schemes), when the legacy store keeps it in its own column. */
export function verifyLegacyHash(
  _password: string,
  _hash: string,
  _options: LegacyHashOptions,
  _salt?: string,
): Promise<LegacyHashVerdict> {
  return Promise.resolve({ kind: 'unsupported', reason: 'not implemented yet' });
}
