import { z } from 'zod';
import { DIGEST_ALGORITHMS, DIGEST_BYTES } from './digests.js';
import { MAX_PBKDF2_ITERATIONS } from './limits.js';
import { patternProblem } from './pattern.js';

/**
 * How a legacy store's hashes are to be read. Stored with every imported account that keeps its legacy hash, so a
 * field added here must be optional with a default: options stored before it must still parse.
 */

export const legacyHashSchemes = [
  /** The scheme is read from the hash itself (prefix or envelope); bare digests only through `unprefixed`. */
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
  /** Any crypt(3) format ($1$, $5$, $6$, $2b$, $7$, $y$ …), as glibc/libxcrypt's crypt() would take it. */
  'crypt',
  'yescrypt',
  /** Everything Django's own hashers write (`algorithm$…`, bare unsalted MD5). */
  'django',
  /** Everything Werkzeug (Flask) writes: `pbkdf2:…`, `scrypt:…`, and before 2.3 `<digest>$salt$hex`. */
  'werkzeug',
  /** Exactly what WordPress 6.8's wp_check_password accepts. */
  'wordpress',
  /** Exactly what Drupal 7's user_check_password accepts ($S$, U$…, $P$, $H$). */
  'drupal7',
  /** PBKDF2 in a home-made form: digest, iterations, encodings and pattern as configured. */
  'pbkdf2-custom',
] as const;
export type LegacyHashScheme = (typeof legacyHashSchemes)[number];

export const saltedDigestSchemes = ['salted-md5', 'salted-sha1', 'salted-sha256', 'salted-sha512'] as const;
export type SaltedDigestScheme = (typeof saltedDigestSchemes)[number];

/** Bare digests by their length in characters: hex (32/40/64/128) or padded base64 (24/28/44/88). */
export const UNPREFIXED_LENGTHS = {
  '32': { scheme: 'salted-md5', encoding: 'hex' },
  '40': { scheme: 'salted-sha1', encoding: 'hex' },
  '64': { scheme: 'salted-sha256', encoding: 'hex' },
  '128': { scheme: 'salted-sha512', encoding: 'hex' },
  '24': { scheme: 'salted-md5', encoding: 'base64' },
  '28': { scheme: 'salted-sha1', encoding: 'base64' },
  '44': { scheme: 'salted-sha256', encoding: 'base64' },
  '88': { scheme: 'salted-sha512', encoding: 'base64' },
} as const satisfies Record<string, { scheme: SaltedDigestScheme; encoding: 'hex' | 'base64' }>;
type UnprefixedLength = keyof typeof UNPREFIXED_LENGTHS;
const unprefixedLengths = Object.keys(UNPREFIXED_LENGTHS) as [UnprefixedLength, ...UnprefixedLength[]];

const pattern = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((source, context) => {
    const problem = patternProblem(source);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: `pattern ${problem}` });
  });

/** Every option as an operator may write it; defaults are added by `legacyHashOptionsSchema` only. */
export const legacyHashOptionFields = {
  scheme: z.enum(legacyHashSchemes),
  /** For salted digests: where the salt goes relative to the password, and how salt and digest are written. */
  saltPosition: z.enum(['prefix', 'suffix']),
  saltEncoding: z.enum(['utf8', 'hex', 'base64']),
  hashEncoding: z.enum(['hex', 'base64']),
  /** For salted-* and pbkdf2-custom: named groups `hash` (required), `salt` and `iterations` within one value. */
  pattern,
  /** For pbkdf2-custom: the HMAC digest (default sha256), iterations, and key length (default: the stored one's). */
  digest: z.enum(DIGEST_ALGORITHMS as [keyof typeof DIGEST_BYTES, ...(keyof typeof DIGEST_BYTES)[]]),
  iterations: z.number().int().min(1).max(MAX_PBKDF2_ITERATIONS),
  keyLength: z.number().int().min(1).max(1024),
  /** For detect: bare digests placed by their length, e.g. `{ "32": "salted-md5" }`; none by default. */
  unprefixed: z.partialRecord(z.enum(unprefixedLengths), z.enum(saltedDigestSchemes)).superRefine((map, context) => {
    for (const [length, scheme] of Object.entries(map) as [UnprefixedLength, SaltedDigestScheme][]) {
      if (UNPREFIXED_LENGTHS[length].scheme !== scheme) {
        context.addIssue({
          code: 'custom',
          path: [length],
          message: `${length} characters is a ${UNPREFIXED_LENGTHS[length].scheme} digest`,
        });
      }
    }
  }),
  /**
   * Set by `hashOptionsForRow` when the row named a scheme the table does not know: detection then says so when
   * it cannot place the hash, rather than only that the hash is bare.
   */
  unknownSchemeName: z.boolean(),
};

export const legacyHashOptionsSchema = z.strictObject({
  scheme: legacyHashOptionFields.scheme.default('detect'),
  saltPosition: legacyHashOptionFields.saltPosition.default('suffix'),
  saltEncoding: legacyHashOptionFields.saltEncoding.default('utf8'),
  hashEncoding: legacyHashOptionFields.hashEncoding.default('hex'),
  pattern: legacyHashOptionFields.pattern.optional(),
  digest: legacyHashOptionFields.digest.optional(),
  iterations: legacyHashOptionFields.iterations.optional(),
  keyLength: legacyHashOptionFields.keyLength.optional(),
  unprefixed: legacyHashOptionFields.unprefixed.optional(),
  unknownSchemeName: legacyHashOptionFields.unknownSchemeName.optional(),
});
export type LegacyHashOptions = z.infer<typeof legacyHashOptionsSchema>;

/** Options as a partial overlay (the per-name entries of `legacyHashConfigSchema`): nothing filled in. */
export const partialLegacyHashOptionsSchema = z
  .strictObject(legacyHashOptionFields)
  .omit({ unknownSchemeName: true })
  .partial();
export type PartialLegacyHashOptions = z.infer<typeof partialLegacyHashOptionsSchema>;
