import { z } from 'zod';
import { hashPatternProblem } from './hash-pattern-rule.js';

/**
 * How a legacy store's hashes are to be read (`legacy.hash` of the SQL connector, and every imported account that
 * keeps its legacy hash). Stored with those accounts, so a field added here must be optional with a default: options
 * stored before it must still parse. The hashing code (src/passwords/legacy/) re-exports these; the schema lives
 * here so that the configuration depends on nothing else in src/.
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

/** The HMAC digests `pbkdf2-custom` may name; src/passwords/legacy/options.ts checks they are the ones it computes. */
export const HASH_OPTION_DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

/** The most PBKDF2 iterations an option may ask for; the same bound as verification's (checked where both meet). */
export const MAX_OPTION_PBKDF2_ITERATIONS = 10_000_000;

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
    const problem = hashPatternProblem(source);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: `pattern ${problem}` });
  });

/** Every option as an operator may write it; defaults are added by `legacyHashOptionsSchema` only. */
export const legacyHashOptionFields = {
  scheme: z
    .enum(legacyHashSchemes)
    .describe('How hashes are read; `detect` reads the scheme from each hash itself (prefix or envelope).'),
  saltPosition: z
    .enum(['prefix', 'suffix'])
    .describe('For salted digests: whether the salt goes before or after the password.'),
  saltEncoding: z.enum(['utf8', 'hex', 'base64']).describe('For salted digests: how the salt is written.'),
  hashEncoding: z
    .enum(['hex', 'base64'])
    .describe('For salted digests and `pbkdf2-custom`: how the digest is written.'),
  pattern: pattern.describe(
    'For salted-* and pbkdf2-custom: a regular expression whose named groups `hash` (required), `salt` and ' +
      '`iterations` take one stored value apart.',
  ),
  digest: z.enum(HASH_OPTION_DIGESTS).describe('For pbkdf2-custom: the HMAC digest; sha256 when unset.'),
  iterations: z
    .number()
    .int()
    .min(1)
    .max(MAX_OPTION_PBKDF2_ITERATIONS)
    .describe('For pbkdf2-custom: the iteration count, unless the pattern reads it from each value.'),
  keyLength: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .describe('For pbkdf2-custom: the key length in bytes every stored key must have; unset, the stored key’s own.'),
  unprefixed: z
    .partialRecord(z.enum(unprefixedLengths), z.enum(saltedDigestSchemes))
    .superRefine((map, context) => {
      for (const [length, scheme] of Object.entries(map) as [UnprefixedLength, SaltedDigestScheme][]) {
        if (UNPREFIXED_LENGTHS[length].scheme !== scheme) {
          context.addIssue({
            code: 'custom',
            path: [length],
            message: `${length} characters is a ${UNPREFIXED_LENGTHS[length].scheme} digest`,
          });
        }
      }
    })
    .describe(
      'For detect: bare digests placed by their length in characters, e.g. `{ "32": "salted-md5" }`; none by default.',
    ),
  unknownSchemeName: z
    .boolean()
    .describe(
      'Set by `hashOptionsForRow` (never by an operator) when a row named a scheme the table does not know: ' +
        'detection then says so when it cannot place the hash, rather than only that the hash is bare.',
    ),
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

/** Scheme names are compared trimmed and case-insensitively, in the configuration as in the rows. */
export function normaliseSchemeName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * A connector's hash configuration: its base options (for rows that name no scheme, and the salt and encodings
 * every row shares) and `names`, per-row scheme names merged over the built-in ones.
 */
export const legacyHashConfigSchema = legacyHashOptionsSchema.omit({ unknownSchemeName: true }).extend({
  names: z
    .record(z.string().min(1), partialLegacyHashOptionsSchema)
    .default({})
    .transform((names) =>
      Object.fromEntries(Object.entries(names).map(([name, options]) => [normaliseSchemeName(name), options])),
    )
    .describe(
      'What the values of the scheme column mean: options per scheme name (trimmed, case-insensitive), merged over ' +
        'the built-in names (`md5`, `sha1`, `bcrypt`, `pbkdf2_sha256` …).',
    ),
});
export type LegacyHashConfig = z.infer<typeof legacyHashConfigSchema>;
