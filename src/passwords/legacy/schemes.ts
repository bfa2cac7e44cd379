import { parseArgon2, verifyArgon2 } from './argon2.js';
import { parseBcrypt, verifyBcrypt } from './bcrypt.js';
import { parseCrypt } from './crypt.js';
import { parseCryptScrypt, verifyCryptScrypt } from './crypt-scrypt.js';
import { detectScheme } from './detect.js';
import { parseDjango, verifyDjango } from './django.js';
import { parseDrupal7, verifyDrupal7 } from './drupal.js';
import { parseLdap, verifyLdap } from './ldap.js';
import { parseMd5Crypt, verifyMd5Crypt } from './md5-crypt.js';
import type { LegacyHashOptions } from './options.js';
import { parsePbkdf2Custom } from './pbkdf2-custom.js';
import { parseDjangoPbkdf2, parsePasslibPbkdf2, verifyPbkdf2 } from './pbkdf2.js';
import { parsePhpass, verifyPhpass } from './phpass.js';
import { parseSaltedDigest, verifySaltedDigest } from './salted-digest.js';
import { parsePasslibScrypt, verifyScrypt } from './scrypt.js';
import { parseShaCrypt, verifyShaCrypt } from './sha-crypt.js';
import { bindCheck, unsupported, type ParsedHash, type PasswordCheck } from './verdict.js';
import { parseWerkzeug, verifyWerkzeug } from './werkzeug.js';
import { parseWordpress, verifyWordpress } from './wordpress.js';

/**
 * From a scheme option and a stored hash to the check that judges passwords against it, without any password.
 *
 * A named algorithm scheme (bcrypt, argon2, scrypt, pbkdf2) takes that algorithm in every self-describing form the
 * IdP reads, framework envelopes included, so a per-row name such as `pbkdf2_sha256` fits passlib, Django and
 * Werkzeug values alike; a framework scheme (django, werkzeug, wordpress, drupal7, ldap) takes what that framework
 * wrote and checks it as the framework did.
 */
export function parseStoredHash(
  hash: string,
  options: LegacyHashOptions,
  salt: string | undefined,
): ParsedHash<PasswordCheck> {
  switch (options.scheme) {
    case 'detect': {
      const detection = detectScheme(hash, options);
      if ('reason' in detection) return unsupported(detection.reason);
      const hashEncoding = detection.hashEncoding ?? options.hashEncoding;
      return parseStoredHash(hash, { ...options, scheme: detection.scheme, hashEncoding }, salt);
    }
    case 'bcrypt':
      return byEnvelope(hash, /^(?:bcrypt|bcrypt_sha256)\$/, /^\$wp/) ?? bindCheck(parseBcrypt(hash), verifyBcrypt);
    case 'argon2':
      return byEnvelope(hash, /^argon2\$/) ?? bindCheck(parseArgon2(hash), verifyArgon2);
    case 'scrypt':
      if (hash.startsWith('$7$')) return bindCheck(parseCryptScrypt(hash), verifyCryptScrypt);
      return byEnvelope(hash, /^scrypt\$/, undefined, /^scrypt:/) ?? bindCheck(parsePasslibScrypt(hash), verifyScrypt);
    case 'pbkdf2':
      return byEnvelope(hash, /^pbkdf2_/, undefined, /^pbkdf2:/) ?? bindCheck(parsePasslibPbkdf2(hash), verifyPbkdf2);
    case 'django-pbkdf2':
      return bindCheck(parseDjangoPbkdf2(hash), verifyPbkdf2);
    case 'sha512-crypt':
      return bindCheck(parseShaCrypt(hash, '6'), verifyShaCrypt);
    case 'sha256-crypt':
      return bindCheck(parseShaCrypt(hash, '5'), verifyShaCrypt);
    case 'md5-crypt':
      return bindCheck(parseMd5Crypt(hash, '1'), verifyMd5Crypt);
    case 'apr1':
      return bindCheck(parseMd5Crypt(hash, 'apr1'), verifyMd5Crypt);
    case 'phpass':
      return bindCheck(parsePhpass(hash), verifyPhpass);
    case 'ldap':
      return bindCheck(parseLdap(hash), verifyLdap);
    case 'crypt':
      return parseCrypt(hash);
    case 'yescrypt':
      return /^\$g?y\$/.test(hash) ? parseCrypt(hash) : unsupported('not a yescrypt hash ($y$…)');
    case 'django':
      return bindCheck(parseDjango(hash), verifyDjango);
    case 'werkzeug':
      return bindCheck(parseWerkzeug(hash), verifyWerkzeug);
    case 'wordpress':
      // WordPress bounds the password itself (4096 bytes, none at all for its MD5 branch).
      return bindCheck(parseWordpress(hash), verifyWordpress, true);
    case 'drupal7':
      // Drupal bounds the password itself (512 bytes after the U-step's md5).
      return bindCheck(parseDrupal7(hash), verifyDrupal7, true);
    case 'pbkdf2-custom':
      return bindCheck(parsePbkdf2Custom(hash, options, salt), verifyPbkdf2);
    case 'salted-md5':
      return bindCheck(parseSaltedDigest('md5', hash, options, salt), verifySaltedDigest);
    case 'salted-sha1':
      return bindCheck(parseSaltedDigest('sha1', hash, options, salt), verifySaltedDigest);
    case 'salted-sha256':
      return bindCheck(parseSaltedDigest('sha256', hash, options, salt), verifySaltedDigest);
    case 'salted-sha512':
      return bindCheck(parseSaltedDigest('sha512', hash, options, salt), verifySaltedDigest);
  }
}

/** The framework's own parser, when the hash is in one of the given envelopes (Django, WordPress, Werkzeug). */
function byEnvelope(
  hash: string,
  django: RegExp,
  wordpress?: RegExp,
  werkzeug?: RegExp,
): ParsedHash<PasswordCheck> | undefined {
  if (django.test(hash)) return bindCheck(parseDjango(hash), verifyDjango);
  if (wordpress?.test(hash) === true) return bindCheck(parseWordpress(hash), verifyWordpress, true);
  if (werkzeug?.test(hash) === true) return bindCheck(parseWerkzeug(hash), verifyWerkzeug);
  return undefined;
}
