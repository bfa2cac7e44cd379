import { createHmac } from 'node:crypto';
import { parseArgon2, verifyArgon2 } from './argon2.js';
import { parseBcrypt, verifyBcrypt, type BcryptParams } from './bcrypt.js';
import { parseCrypt } from './crypt.js';
import { parsePhpass, verifyPhpass } from './phpass.js';
import { md5Hex, phpTrim } from './php.js';
import { bindCheck, parsed, stringsEqual, unsupported, type ParsedHash, type PasswordCheck } from './verdict.js';

/**
 * What WordPress 6.8's wp_check_password accepts, branch by branch, after wp_authenticate has trimmed the password
 * (PHP trim(): blanks, NUL and vertical tab at either end; wp_hash_password trims too):
 * - a stored value of at most 32 characters is compared with md5(password), whatever the password's length;
 * - a password above 4096 bytes matches nothing else;
 * - `$wp…` is bcrypt over base64(HMAC-SHA384(password, key "wp-sha384")) (6.8+);
 * - `$P$` is phpass (`new PasswordHash(8, true)`);
 * - anything else goes to PHP's password_verify: bcrypt, argon2i/argon2id, or crypt() ($1$, $5$, $6$ …).
 */

const WP_MAX_PASSWORD_BYTES = 4096;
const MD5_HEX = /^[0-9a-f]{32}$/;

export type WordpressParams =
  | { kind: 'md5'; stored: string }
  | { kind: 'wp-bcrypt'; bcrypt: BcryptParams }
  | { kind: 'other'; check: PasswordCheck };

export function parseWordpress(hash: string): ParsedHash<WordpressParams> {
  if (Buffer.byteLength(hash, 'utf8') <= 32) {
    if (!MD5_HEX.test(hash)) {
      return unsupported('WordPress compares a value of 32 characters or fewer with an MD5; this one is none');
    }
    return parsed('md5', { kind: 'md5', stored: hash });
  }
  if (hash.startsWith('$wp')) {
    const inner = parseBcrypt(hash.slice('$wp'.length));
    if (inner.kind === 'unsupported') return unsupported(`WordPress $wp: ${inner.reason}`);
    return parsed('wordpress-bcrypt', { kind: 'wp-bcrypt', bcrypt: inner.params });
  }
  const other = hash.startsWith('$P$') ? bindCheck(parsePhpass(hash, ['P']), verifyPhpass) : parsePasswordVerify(hash);
  return other.kind === 'parsed' ? parsed(other.label, { kind: 'other', check: other.params }) : other;
}

/** What PHP's password_verify takes: its own bcrypt and argon2i/argon2id, and its crypt() for $1$, $5$, $6$. */
function parsePasswordVerify(hash: string): ParsedHash<PasswordCheck> {
  if (hash.startsWith('$argon2d$')) return unsupported("PHP's password_verify does not verify argon2d");
  if (hash.startsWith('$argon2')) return bindCheck(parseArgon2(hash), verifyArgon2);
  if (hash.startsWith('$H$')) {
    return unsupported('WordPress 6.8 does not verify phpBB $H$ hashes (name the phpass scheme)');
  }
  // PHP's crypt() is PHP's own, not the system's: it has no scrypt ($7$) nor yescrypt ($y$, $gy$).
  if (/^\$(?:7|y|gy)\$/.test(hash)) return unsupported("PHP's password_verify does not verify $7$ or $y$ hashes");
  return parseCrypt(hash);
}

export async function verifyWordpress(password: string, params: WordpressParams): Promise<boolean> {
  const trimmed = phpTrim(password);
  if (params.kind === 'md5') return stringsEqual(md5Hex(trimmed), params.stored);
  if (Buffer.byteLength(trimmed, 'utf8') > WP_MAX_PASSWORD_BYTES) return false;
  if (params.kind === 'other') return params.check.check(trimmed);
  const prehash = createHmac('sha384', 'wp-sha384').update(trimmed, 'utf8').digest('base64');
  return verifyBcrypt(prehash, params.bcrypt);
}
