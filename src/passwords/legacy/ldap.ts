import { createHash } from 'node:crypto';
import { parseArgon2, verifyArgon2 } from './argon2.js';
import { parseCrypt } from './crypt.js';
import { DIGEST_BYTES, type DigestAlgorithm } from './digests.js';
import { decodeBase64 } from './encoding.js';
import { parsePasslibPbkdf2, verifyPbkdf2 } from './pbkdf2.js';
import type { HashLabel } from './labels.js';
import { bindCheck, bytesEqual, parsed, unsupported, type ParsedHash, type PasswordCheck } from './verdict.js';

/**
 * LDAP `userPassword` values (RFC 2307 style `{SCHEME}value`, scheme case-insensitive): plain and salted digests as
 * base64 of digest[+salt], `{CRYPT}` around a crypt(3) hash, the `{ARGON2}` / `{PBKDF2*}` forms of OpenLDAP's
 * modules and passlib, and Atlassian's `{PKCS5S2}`.
 */

const LDAP_VALUE = /^\{([A-Za-z0-9._-]+)\}([\s\S]*)$/;

const DIGEST_SCHEMES: Readonly<Record<string, { algorithm: DigestAlgorithm; salted: boolean; label: HashLabel }>> = {
  MD5: { algorithm: 'md5', salted: false, label: 'ldap-md5' },
  SMD5: { algorithm: 'md5', salted: true, label: 'ldap-smd5' },
  SHA: { algorithm: 'sha1', salted: false, label: 'ldap-sha' },
  SSHA: { algorithm: 'sha1', salted: true, label: 'ldap-ssha' },
  SHA256: { algorithm: 'sha256', salted: false, label: 'ldap-sha256' },
  SSHA256: { algorithm: 'sha256', salted: true, label: 'ldap-ssha256' },
  SHA384: { algorithm: 'sha384', salted: false, label: 'ldap-sha384' },
  SSHA384: { algorithm: 'sha384', salted: true, label: 'ldap-ssha384' },
  SHA512: { algorithm: 'sha512', salted: false, label: 'ldap-sha512' },
  SSHA512: { algorithm: 'sha512', salted: true, label: 'ldap-ssha512' },
};

/** passlib's ldap_pbkdf2_* are its `$pbkdf2…$` hashes with the prefix swapped. */
const PBKDF2_PREFIXES: Readonly<Record<string, string>> = {
  PBKDF2: '$pbkdf2$',
  'PBKDF2-SHA1': '$pbkdf2$',
  'PBKDF2-SHA256': '$pbkdf2-sha256$',
  'PBKDF2-SHA512': '$pbkdf2-sha512$',
};

/** Atlassian (Crowd, Confluence, Jira): base64 of a 16-byte salt and a 32-byte PBKDF2-HMAC-SHA1 key, 10000 rounds. */
const ATLASSIAN = { iterations: 10_000, saltBytes: 16, keyBytes: 32 };

export type LdapParams =
  | { kind: 'digest'; algorithm: DigestAlgorithm; salt: Buffer; expected: Buffer }
  | { kind: 'inner'; check: PasswordCheck };

export function parseLdap(hash: string): ParsedHash<LdapParams> {
  const parts = LDAP_VALUE.exec(hash);
  if (!parts) return unsupported('not an LDAP password value ({SCHEME} prefix)');
  const [, name = '', value = ''] = parts;
  const scheme = name.toUpperCase();

  const digestScheme = DIGEST_SCHEMES[scheme];
  if (digestScheme) return parseLdapDigest(value, digestScheme.algorithm, digestScheme.salted, digestScheme.label);
  const pbkdf2Prefix = PBKDF2_PREFIXES[scheme];
  if (pbkdf2Prefix !== undefined) return inner(bindCheck(parsePasslibPbkdf2(pbkdf2Prefix + value), verifyPbkdf2));
  if (scheme === 'PKCS5S2') return parseAtlassian(value);
  if (scheme === 'CRYPT') {
    const crypt = parseCrypt(value);
    return crypt.kind === 'unsupported' ? unsupported(`{CRYPT}: ${crypt.reason}`) : inner(crypt);
  }
  if (scheme === 'ARGON2') return inner(bindCheck(parseArgon2(value), verifyArgon2));
  if (scheme === 'CLEARTEXT' || scheme === 'PLAIN') return unsupported('cleartext LDAP passwords are not supported');
  return unsupported('this LDAP password scheme is not supported');
}

function inner(result: ParsedHash<PasswordCheck>): ParsedHash<LdapParams> {
  return result.kind === 'parsed' ? parsed(result.label, { kind: 'inner', check: result.params }) : result;
}

function parseLdapDigest(
  value: string,
  algorithm: DigestAlgorithm,
  salted: boolean,
  label: HashLabel,
): ParsedHash<LdapParams> {
  const decoded = decodeBase64(value, 'required');
  const size = DIGEST_BYTES[algorithm];
  if (!decoded) return unsupported(`LDAP ${algorithm} value is not valid base64`);
  // Salted values are digest followed by a non-empty salt; unsalted ones are the digest alone.
  if (salted ? decoded.length <= size : decoded.length !== size) {
    return unsupported(`LDAP ${algorithm} value has the wrong length`);
  }
  return parsed(label, {
    kind: 'digest',
    algorithm,
    salt: decoded.subarray(size),
    expected: decoded.subarray(0, size),
  });
}

function parseAtlassian(value: string): ParsedHash<LdapParams> {
  const decoded = decodeBase64(value, 'required');
  if (decoded?.length !== ATLASSIAN.saltBytes + ATLASSIAN.keyBytes) {
    return unsupported('Atlassian {PKCS5S2} value is not 48 bytes of base64');
  }
  const params = {
    digest: 'sha1' as const,
    iterations: ATLASSIAN.iterations,
    salt: decoded.subarray(0, ATLASSIAN.saltBytes),
    expected: decoded.subarray(ATLASSIAN.saltBytes),
  };
  return parsed('atlassian-pbkdf2-sha1', {
    kind: 'inner',
    check: { check: (password) => verifyPbkdf2(password, params) },
  });
}

export function verifyLdap(password: string, params: LdapParams): boolean | Promise<boolean> {
  if (params.kind === 'inner') return params.check.check(password);
  const actual = createHash(params.algorithm).update(password, 'utf8').update(params.salt).digest();
  return bytesEqual(actual, params.expected);
}
