import { parsePhpass, phpassLog2Count, verifyPhpass, type PhpassParams } from './phpass.js';
import { md5Hex, phpTrim } from './php.js';
import { parsed, unsupported, type ParsedHash } from './verdict.js';

/**
 * What Drupal 7's user_check_password accepts (includes/password.inc), after the login form has trimmed the
 * password (PHP trim(); user_save trims before hashing too):
 * - `$S$`: phpass-style SHA-512, 2^n rounds, the encoding cut to 55 characters;
 * - `$P$` and `$H$`: phpass MD5, as imported from Drupal 6 modules or phpBB;
 * - `U` before any of them: a Drupal 6 MD5 rehashed by user_update_7000, checked over md5(password);
 * - a password (after the U-step's md5) above 512 bytes matches nothing (DRUPAL_MAX_PASSWORD_LENGTH).
 */

const DRUPAL_S = /^\$S\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{43})$/;
const DRUPAL_MAX_PASSWORD_BYTES = 512;

export type Drupal7Params = { phpass: PhpassParams; upgraded: boolean };

export function parseDrupal7(hash: string): ParsedHash<Drupal7Params> {
  const upgraded = hash.startsWith('U$');
  const stored = upgraded ? hash.slice(1) : hash;
  let phpass: ParsedHash<PhpassParams>;
  if (stored.startsWith('$S$')) {
    const parts = DRUPAL_S.exec(stored);
    if (!parts) return unsupported('not a Drupal 7 $S$ hash ($S$, count, 8-character salt, 43 characters)');
    const [, countChar = '', salt = '', encoded = ''] = parts;
    const log2Count = phpassLog2Count(countChar);
    if (typeof log2Count === 'string') return unsupported(log2Count);
    phpass = parsed('drupal7', { algorithm: 'sha512', log2Count, salt, stored: encoded });
  } else if (stored.startsWith('$P$') || stored.startsWith('$H$')) {
    phpass = parsePhpass(stored);
  } else {
    return unsupported('Drupal 7 verifies only $S$, $P$ and $H$ hashes, each optionally U-prefixed');
  }
  if (phpass.kind === 'unsupported') return phpass;
  return parsed(upgraded ? 'drupal7-upgraded' : phpass.label, { phpass: phpass.params, upgraded });
}

export function verifyDrupal7(password: string, params: Drupal7Params): boolean {
  const trimmed = phpTrim(password);
  const input = params.upgraded ? md5Hex(trimmed) : trimmed;
  if (Buffer.byteLength(input, 'utf8') > DRUPAL_MAX_PASSWORD_BYTES) return false;
  return verifyPhpass(input, params.phpass);
}
