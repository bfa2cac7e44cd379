import type { LegacyHashOptions } from './legacy-hash.js';

/** The schemes a hash names by its own prefix; the salted-* digests carry no prefix and must be configured. */
export type SelfDescribingScheme = Exclude<LegacyHashOptions['scheme'], 'detect' | `salted-${string}`>;

export type Detection = { scheme: SelfDescribingScheme } | { reason: string };

const PREFIXES: readonly (readonly [prefix: string, scheme: SelfDescribingScheme])[] = [
  ['$2a$', 'bcrypt'],
  ['$2b$', 'bcrypt'],
  ['$2y$', 'bcrypt'],
  ['$argon2id$', 'argon2'],
  ['$argon2i$', 'argon2'],
  ['$argon2d$', 'argon2'],
  ['$scrypt$', 'scrypt'],
  ['$pbkdf2$', 'pbkdf2'],
  ['$pbkdf2-sha256$', 'pbkdf2'],
  ['$pbkdf2-sha512$', 'pbkdf2'],
  ['pbkdf2_sha256$', 'django-pbkdf2'],
  ['pbkdf2_sha1$', 'django-pbkdf2'],
  ['$6$', 'sha512-crypt'],
  ['$5$', 'sha256-crypt'],
  ['$1$', 'md5-crypt'],
  ['$apr1$', 'apr1'],
  ['$P$', 'phpass'],
  ['$H$', 'phpass'],
  ['{', 'ldap'],
];

/** Formats met in legacy stores that are known but not verified here: say which, so the operator is not left guessing. */
const KNOWN_UNSUPPORTED: readonly (readonly [pattern: RegExp, reason: string])[] = [
  [/^\$2x\$/, 'bcrypt $2x$ (crypt_blowfish bug-compatible variant) is not supported'],
  [/^\$g?y\$/, 'yescrypt ($y$, $gy$) is not supported'],
  [/^\$7\$/, 'scrypt in the $7$ format is not supported; only passlib $scrypt$ is'],
  [/^\$S\$/, 'Drupal 7 $S$ (SHA-512 phpass) is not supported'],
  [/^\$wp/, 'WordPress 6.8+ $wp$ (bcrypt of HMAC-SHA384) is not supported'],
  [/^[./0-9A-Za-z]{13}$/, 'traditional DES crypt is not supported'],
  [/^_[./0-9A-Za-z]{19}$/, 'BSDi extended DES crypt is not supported'],
  [/^[a-z][a-z0-9_]*\$/, 'this Django hasher is not supported; only pbkdf2_sha256 and pbkdf2_sha1 are'],
  [
    /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/,
    'a bare hex digest cannot be recognised by its prefix: name the scheme (salted-md5, salted-sha1, salted-sha256 ' +
      'or salted-sha512) and, if there is one, pass the salt',
  ],
];

export function detectScheme(hash: string): Detection {
  for (const [prefix, scheme] of PREFIXES) if (hash.startsWith(prefix)) return { scheme };
  for (const [pattern, reason] of KNOWN_UNSUPPORTED) if (pattern.test(hash)) return { reason };
  return { reason: 'unrecognised hash format; if it is a salted digest, name its salted-* scheme' };
}
