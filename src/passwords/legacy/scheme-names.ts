import {
  legacyHashConfigSchema,
  normaliseSchemeName as normaliseName,
  type LegacyHashConfig,
} from '../../config/hash-options-schema.js';
import { legacyHashOptionsSchema, type LegacyHashOptions, type PartialLegacyHashOptions } from './options.js';

export { legacyHashConfigSchema, type LegacyHashConfig };

/**
 * Stores that kept several eras of hashes side by side name each row's scheme in a column ("md5", "bcrypt",
 * "pbkdf2_sha256" …). These are the names operators find there, mapped to hash options; the connector's own entries
 * (`names`) are merged over them. Names are compared trimmed and case-insensitively.
 */
export const BUILT_IN_SCHEME_NAMES: Readonly<Record<string, PartialLegacyHashOptions>> = {
  // Bare digests: salted when the row has a salt, the salt's place and the encodings from the connector's options.
  md5: { scheme: 'salted-md5' },
  sha1: { scheme: 'salted-sha1' },
  sha256: { scheme: 'salted-sha256' },
  sha512: { scheme: 'salted-sha512' },
  bcrypt: { scheme: 'bcrypt' },
  argon2: { scheme: 'argon2' },
  argon2id: { scheme: 'argon2' },
  argon2i: { scheme: 'argon2' },
  scrypt: { scheme: 'scrypt' },
  pbkdf2: { scheme: 'pbkdf2' },
  pbkdf2_sha256: { scheme: 'pbkdf2' },
  pbkdf2_sha1: { scheme: 'pbkdf2' },
  pbkdf2_sha512: { scheme: 'pbkdf2' },
  sha512crypt: { scheme: 'sha512-crypt' },
  sha512_crypt: { scheme: 'sha512-crypt' },
  sha256crypt: { scheme: 'sha256-crypt' },
  sha256_crypt: { scheme: 'sha256-crypt' },
  md5crypt: { scheme: 'md5-crypt' },
  md5_crypt: { scheme: 'md5-crypt' },
  apr1: { scheme: 'apr1' },
  phpass: { scheme: 'phpass' },
  wordpress: { scheme: 'wordpress' },
  drupal7: { scheme: 'drupal7' },
  drupal: { scheme: 'drupal7' },
  django: { scheme: 'django' },
  werkzeug: { scheme: 'werkzeug' },
  flask: { scheme: 'werkzeug' },
  yescrypt: { scheme: 'yescrypt' },
  ldap: { scheme: 'ldap' },
  ssha: { scheme: 'ldap' },
  crypt: { scheme: 'crypt' },
};

export type RowHashOptions = LegacyHashOptions | { unsupported: string };

/**
 * The options for one row, from the scheme name in its column: none (null, empty) → the base options; a known name
 * → the base merged with that name's options; an unknown name → detection, which still reads self-describing
 * hashes and, for one it cannot place, says the name was unknown.
 */
export function hashOptionsForRow(config: LegacyHashConfig, rowSchemeName: unknown): RowHashOptions {
  const { names, ...base } = config;
  const name = nameOf(rowSchemeName);
  if (name === undefined) return { unsupported: 'the scheme name column holds neither text nor a number' };
  if (name === '') return base;
  const own = Object.hasOwn(names, name) ? names[name] : undefined;
  const builtIn = Object.hasOwn(BUILT_IN_SCHEME_NAMES, name) ? BUILT_IN_SCHEME_NAMES[name] : undefined;
  if (own === undefined && builtIn === undefined) return { ...base, scheme: 'detect', unknownSchemeName: true };
  const merged = legacyHashOptionsSchema.safeParse({ ...base, ...builtIn, ...own });
  return merged.success ? merged.data : { unsupported: "the options for the row's scheme name are invalid" };
}

/** The name as compared: text trimmed and lower-cased; numbers (enumerated columns) as their digits. */
function nameOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return normaliseName(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return normaliseName(value.toString('utf8'));
  return undefined;
}
