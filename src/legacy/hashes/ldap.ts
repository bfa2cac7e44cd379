import { createHash } from 'node:crypto';
import { verifyArgon2 } from './argon2.js';
import { verifyBcrypt } from './bcrypt.js';
import { detectScheme } from './detect.js';
import { DIGEST_BYTES, type DigestAlgorithm } from './digests.js';
import { decodeBase64 } from './encoding.js';
import type { LegacyHashVerdict } from './legacy-hash.js';
import { verifyMd5Crypt } from './md5-crypt.js';
import { verifyPasslibPbkdf2 } from './pbkdf2.js';
import { verifyShaCrypt } from './sha-crypt.js';
import { bytesEqual, unsupported, verdictOf } from './verdict.js';

/**
 * LDAP `userPassword` values (RFC 2307 style `{SCHEME}value`, scheme case-insensitive): plain and salted digests as
 * base64 of digest[+salt], `{CRYPT}` around a crypt(3) hash, and the `{ARGON2}` / `{PBKDF2*}` forms of OpenLDAP's
 * modules and passlib.
 */

const LDAP_VALUE = /^\{([A-Za-z0-9._-]+)\}([\s\S]*)$/;

const DIGEST_SCHEMES: Readonly<Record<string, { algorithm: DigestAlgorithm; salted: boolean }>> = {
  MD5: { algorithm: 'md5', salted: false },
  SMD5: { algorithm: 'md5', salted: true },
  SHA: { algorithm: 'sha1', salted: false },
  SSHA: { algorithm: 'sha1', salted: true },
  SHA256: { algorithm: 'sha256', salted: false },
  SSHA256: { algorithm: 'sha256', salted: true },
  SHA384: { algorithm: 'sha384', salted: false },
  SSHA384: { algorithm: 'sha384', salted: true },
  SHA512: { algorithm: 'sha512', salted: false },
  SSHA512: { algorithm: 'sha512', salted: true },
};

/** passlib's ldap_pbkdf2_* are its `$pbkdf2…$` hashes with the prefix swapped. */
const PBKDF2_PREFIXES: Readonly<Record<string, string>> = {
  PBKDF2: '$pbkdf2$',
  'PBKDF2-SHA1': '$pbkdf2$',
  'PBKDF2-SHA256': '$pbkdf2-sha256$',
  'PBKDF2-SHA512': '$pbkdf2-sha512$',
};

export async function verifyLdap(password: string, hash: string): Promise<LegacyHashVerdict> {
  const parts = LDAP_VALUE.exec(hash);
  if (!parts) return unsupported('not an LDAP password value ({SCHEME} prefix)');
  const [, label = '', value = ''] = parts;
  const scheme = label.toUpperCase();

  const digestScheme = DIGEST_SCHEMES[scheme];
  if (digestScheme) return verifyLdapDigest(password, value, digestScheme.algorithm, digestScheme.salted);
  const pbkdf2Prefix = PBKDF2_PREFIXES[scheme];
  if (pbkdf2Prefix !== undefined) return verifyPasslibPbkdf2(password, pbkdf2Prefix + value);
  if (scheme === 'CRYPT') return verifyCrypt(password, value);
  if (scheme === 'ARGON2') return verifyArgon2(password, value);
  if (scheme === 'CLEARTEXT' || scheme === 'PLAIN') return unsupported('cleartext LDAP passwords are not supported');
  return unsupported('this LDAP password scheme is not supported');
}

function verifyLdapDigest(
  password: string,
  value: string,
  algorithm: DigestAlgorithm,
  salted: boolean,
): LegacyHashVerdict {
  const decoded = decodeBase64(value, 'required');
  const size = DIGEST_BYTES[algorithm];
  if (!decoded) return unsupported(`LDAP ${algorithm} value is not valid base64`);
  // Salted values are digest followed by a non-empty salt; unsalted ones are the digest alone.
  if (salted ? decoded.length <= size : decoded.length !== size) {
    return unsupported(`LDAP ${algorithm} value has the wrong length`);
  }
  const expected = decoded.subarray(0, size);
  const salt = decoded.subarray(size);
  const actual = createHash(algorithm).update(password, 'utf8').update(salt).digest();
  return verdictOf(bytesEqual(actual, expected));
}

/** `{CRYPT}` holds whatever the directory server's crypt(3) wrote; the ones verified here are told by prefix. */
function verifyCrypt(password: string, value: string): LegacyHashVerdict {
  const detection = detectScheme(value);
  if ('reason' in detection) return unsupported(`{CRYPT}: ${detection.reason}`);
  switch (detection.scheme) {
    case 'md5-crypt':
      return verifyMd5Crypt(password, value, '1');
    case 'sha256-crypt':
      return verifyShaCrypt(password, value, '5');
    case 'sha512-crypt':
      return verifyShaCrypt(password, value, '6');
    case 'bcrypt':
      return verifyBcrypt(password, value);
    default:
      return unsupported('{CRYPT} holds something other than a crypt(3) hash');
  }
}
