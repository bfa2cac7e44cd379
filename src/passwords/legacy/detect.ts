import { UNPREFIXED_LENGTHS, type LegacyHashOptions, type LegacyHashScheme } from './options.js';

/** The scheme whose parser reads a hash; for a bare digest placed by length, also how it is written. */
export type Detection =
  | { scheme: Exclude<LegacyHashScheme, 'detect'>; hashEncoding?: LegacyHashOptions['hashEncoding'] }
  | { reason: string };

/** Longest prefix first where one is the start of another (`$argon2id$` before `$argon2i$`). */
const PREFIXES: readonly (readonly [prefix: string, scheme: Exclude<LegacyHashScheme, 'detect'>])[] = [
  ['$2a$', 'bcrypt'],
  ['$2b$', 'bcrypt'],
  ['$2y$', 'bcrypt'],
  ['$argon2id$', 'argon2'],
  ['$argon2i$', 'argon2'],
  ['$argon2d$', 'argon2'],
  ['$scrypt$', 'scrypt'],
  ['$7$', 'scrypt'],
  ['$pbkdf2$', 'pbkdf2'],
  ['$pbkdf2-sha256$', 'pbkdf2'],
  ['$pbkdf2-sha512$', 'pbkdf2'],
  ['pbkdf2_sha256$', 'django-pbkdf2'],
  ['pbkdf2_sha1$', 'django-pbkdf2'],
  // Django's other hashers; `sha1$` and `md5$` are Django's (Werkzeug before 2.3 wrote the same prefixes with an
  // HMAC behind them: name the werkzeug scheme for those).
  ['argon2$', 'django'],
  ['bcrypt_sha256$', 'django'],
  ['bcrypt$', 'django'],
  ['sha1$', 'django'],
  ['md5$', 'django'],
  ['scrypt$', 'django'],
  ['crypt$', 'django'],
  ['pbkdf2:', 'werkzeug'],
  ['scrypt:', 'werkzeug'],
  ['sha224$', 'werkzeug'],
  ['sha256$', 'werkzeug'],
  ['sha384$', 'werkzeug'],
  ['sha512$', 'werkzeug'],
  ['$6$', 'sha512-crypt'],
  ['$5$', 'sha256-crypt'],
  ['$1$', 'md5-crypt'],
  ['$apr1$', 'apr1'],
  ['$P$', 'phpass'],
  ['$H$', 'phpass'],
  ['$S$', 'drupal7'],
  ['U$', 'drupal7'],
  ['$wp', 'wordpress'],
  ['$y$', 'yescrypt'],
  ['$gy$', 'yescrypt'],
  ['{', 'ldap'],
];

/** Formats crypt(3) knows that are not verified here, each with the reason an operator is given. */
export const CRYPT_FORMATS_NOT_VERIFIED: readonly (readonly [pattern: RegExp, reason: string])[] = [
  [/^\$2x\$/, 'bcrypt $2x$ (the buggy pre-2011 crypt_blowfish variant) is not supported'],
  [/^\$3\$/, 'NT-Hash ($3$) is not supported'],
  [/^\$md5[$,]/, 'SunMD5 ($md5$) is not supported'],
  [/^\$sha1\$/, 'NetBSD sha1crypt ($sha1$) is not supported'],
  [/^[./0-9A-Za-z]{13}$/, 'traditional DES crypt is not supported'],
  [/^_[./0-9A-Za-z]{19}$/, 'BSDi extended DES crypt is not supported'],
];

/** Formats met in legacy stores that are known but not verified here: say which, so the operator is not left guessing. */
const KNOWN_UNSUPPORTED: readonly (readonly [pattern: RegExp, reason: string])[] = [
  [/^[!*]/, 'the value marks a locked account or one without usable credentials (Django !…, crypt(3) ! or *)'],
  ...CRYPT_FORMATS_NOT_VERIFIED,
  [/^[a-z][a-z0-9_]*\$/, 'this Django hasher is not supported'],
];

const BARE_DIGEST = /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128}|[A-Za-z0-9+/]{22,86}={0,2})$/;
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function detectScheme(
  hash: string,
  options: Pick<LegacyHashOptions, 'unprefixed' | 'unknownSchemeName'> = {},
): Detection {
  for (const [prefix, scheme] of PREFIXES) if (hash.startsWith(prefix)) return { scheme };
  const bare = placeByLength(hash, options.unprefixed);
  if (bare) return bare;
  for (const [pattern, reason] of KNOWN_UNSUPPORTED) if (pattern.test(hash)) return { reason };
  if (BARE_DIGEST.test(hash)) {
    if (options.unknownSchemeName === true) {
      return { reason: "the row's scheme name is not in the names table, and a bare digest does not describe itself" };
    }
    return {
      reason:
        'a bare digest cannot be recognised by its prefix: name the scheme (salted-md5, salted-sha1, salted-sha256 ' +
        'or salted-sha512, or map its length under unprefixed) and, if there is one, pass the salt',
    };
  }
  if (options.unknownSchemeName === true) {
    return { reason: "the row's scheme name is not in the names table, and the hash's format is not recognised" };
  }
  return { reason: 'unrecognised hash format; if it is a salted digest, name its salted-* scheme' };
}

function placeByLength(hash: string, unprefixed: LegacyHashOptions['unprefixed']): Detection | undefined {
  const length = String(hash.length);
  if (unprefixed === undefined || !Object.hasOwn(UNPREFIXED_LENGTHS, length)) return undefined;
  const { scheme, encoding } = UNPREFIXED_LENGTHS[length as keyof typeof UNPREFIXED_LENGTHS];
  if (unprefixed[length as keyof typeof UNPREFIXED_LENGTHS] !== scheme) return undefined;
  if (!(encoding === 'hex' ? HEX : BASE64).test(hash)) return undefined;
  return { scheme, hashEncoding: encoding };
}
