import { createHash } from 'node:crypto';
import { CRYPT_ALPHABET, encodeCryptBase64 } from './encoding.js';
import type { LegacyHashVerdict } from './legacy-hash.js';
import { MAX_PHPASS_LOG2_COUNT } from './limits.js';
import { stringsEqual, unsupported, verdictOf } from './verdict.js';

/**
 * phpass "portable" hashes (WordPress `$P$`, phpBB `$H$`): 2^n rounds of MD5(previous digest + password), n given by
 * the alphabet position of the fourth character, over an 8-character salt.
 */
const PHPASS = /^\$[PH]\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{22})$/;
/** phpass itself only writes counts from 2^7 to 2^30. */
const MIN_LOG2_COUNT = 7;
const MAX_VALID_LOG2_COUNT = 30;
// phpass packs consecutive little-endian 3-byte groups; as crypt-base64 groups, most significant byte first.
const GROUPS = [[2, 1, 0], [5, 4, 3], [8, 7, 6], [11, 10, 9], [14, 13, 12], [15]] as const;

export function verifyPhpass(password: string, hash: string): LegacyHashVerdict {
  const parts = PHPASS.exec(hash);
  if (!parts) return unsupported('not a phpass hash ($P$ or $H$, count, 8-character salt, 22-character digest)');
  const [, countChar = '', salt = '', stored = ''] = parts;
  const log2Count = CRYPT_ALPHABET.indexOf(countChar);
  if (log2Count < MIN_LOG2_COUNT || log2Count > MAX_VALID_LOG2_COUNT) {
    return unsupported('phpass iteration count is malformed');
  }
  if (log2Count > MAX_PHPASS_LOG2_COUNT)
    return unsupported(`phpass counts above 2^${MAX_PHPASS_LOG2_COUNT} are refused`);
  const passwordBytes = Buffer.from(password, 'utf8');
  let digest = createHash('md5').update(salt, 'latin1').update(passwordBytes).digest();
  for (let round = 2 ** log2Count; round > 0; round--) {
    digest = createHash('md5').update(digest).update(passwordBytes).digest();
  }
  return verdictOf(stringsEqual(encodeCryptBase64(digest, GROUPS), stored));
}
