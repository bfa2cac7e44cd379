import { parseBcrypt, verifyBcrypt } from './bcrypt.js';
import { parseCryptScrypt, verifyCryptScrypt } from './crypt-scrypt.js';
import { parseMd5Crypt, verifyMd5Crypt } from './md5-crypt.js';
import { parseShaCrypt, verifyShaCrypt } from './sha-crypt.js';
import { CRYPT_FORMATS_NOT_VERIFIED } from './detect.js';
import { bindCheck, parsed, unsupported, type ParsedHash, type PasswordCheck } from './verdict.js';
import { parseYescrypt, verifyYescrypt } from './yescrypt.js';

/**
 * A crypt(3) hash as glibc/libxcrypt's crypt() takes it, told by its prefix: what an LDAP `{CRYPT}` value, Django's
 * crypt hasher and PHP's password_verify (which falls back to crypt()) hold.
 */

export function parseCrypt(hash: string): ParsedHash<PasswordCheck> {
  if (/^\$2[aby]\$/.test(hash)) return bindCheck(parseBcrypt(hash), verifyBcrypt);
  if (hash.startsWith('$1$')) return bindCheck(parseMd5Crypt(hash, '1'), verifyMd5Crypt);
  if (hash.startsWith('$5$')) return bindCheck(parseShaCrypt(hash, '5'), verifyShaCrypt);
  if (hash.startsWith('$6$')) return bindCheck(parseShaCrypt(hash, '6'), verifyShaCrypt);
  if (hash.startsWith('$7$')) return bindCheck(parseCryptScrypt(hash), verifyCryptScrypt);
  if (hash.startsWith('$y$') || hash.startsWith('$gy$')) return yescrypt(hash);
  for (const [pattern, reason] of CRYPT_FORMATS_NOT_VERIFIED) if (pattern.test(hash)) return unsupported(reason);
  return unsupported('not a crypt(3) hash this IdP verifies ($1$, $5$, $6$, $2a$/$2b$/$2y$, $7$, $y$)');
}

/** yescrypt's module answers in its own terms; its parse refuses $gy$ (Streebog is not in Node) and ROMs. */
function yescrypt(hash: string): ParsedHash<PasswordCheck> {
  const result = parseYescrypt(hash);
  if (result.kind === 'unsupported') return unsupported(result.reason);
  const { params } = result;
  return parsed('yescrypt', {
    check(password: string) {
      const verdict = verifyYescrypt(password, params);
      // Its parse already checked what its verification checks again; a refusal here is an internal fault.
      if (verdict.kind === 'unsupported') throw new Error('yescrypt refused parameters it had parsed');
      return verdict.kind === 'match';
    },
  });
}
