import { createHash } from 'node:crypto';
import { cryptAlphabetIndex, encodeCryptBase64, littleEndianGroups } from './encoding.js';
import { MAX_PHPASS_LOG2_COUNT } from './limits.js';
import { parsed, stringsEqual, unsupported, type ParsedHash } from './verdict.js';

/**
 * phpass "portable" hashes (WordPress `$P$`, phpBB `$H$`): 2^n rounds of MD5(previous digest + password), n given by
 * the alphabet position of the fourth character, over an 8-character salt. Drupal 7's `$S$` is the same with
 * SHA-512, its encoded digest cut to 43 characters.
 */
const PHPASS = /^\$([PH])\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{22})$/;
/** phpass (and Drupal) only take counts from 2^7 to 2^30. */
const MIN_LOG2_COUNT = 7;
const MAX_VALID_LOG2_COUNT = 30;

export type PhpassParams = {
  algorithm: 'md5' | 'sha512';
  log2Count: number;
  salt: string;
  /** The stored encoded digest, compared with as many characters of the computed one. */
  stored: string;
};

/** The iteration count of a phpass-style setting, or why it cannot be used. */
export function phpassLog2Count(countChar: string): number | string {
  const log2Count = cryptAlphabetIndex(countChar) ?? -1;
  if (log2Count < MIN_LOG2_COUNT || log2Count > MAX_VALID_LOG2_COUNT) return 'phpass iteration count is malformed';
  if (log2Count > MAX_PHPASS_LOG2_COUNT) return `phpass counts above 2^${MAX_PHPASS_LOG2_COUNT} are refused`;
  return log2Count;
}

/** `$P$` and `$H$`; `idents` narrows them (WordPress 6.8 reads only `$P$` with phpass). */
export function parsePhpass(hash: string, idents: readonly ('P' | 'H')[] = ['P', 'H']): ParsedHash<PhpassParams> {
  const parts = PHPASS.exec(hash);
  if (!parts || !idents.some((ident) => ident === parts[1])) {
    return unsupported('not a phpass hash ($P$ or $H$, count, 8-character salt, 22-character digest)');
  }
  const [, , countChar = '', salt = '', stored = ''] = parts;
  const log2Count = phpassLog2Count(countChar);
  if (typeof log2Count === 'string') return unsupported(log2Count);
  return parsed('phpass', { algorithm: 'md5', log2Count, salt, stored });
}

const MD5_GROUPS = littleEndianGroups(16);
const SHA512_GROUPS = littleEndianGroups(64);

export function verifyPhpass(password: string | Buffer, params: PhpassParams): boolean {
  const { algorithm, log2Count, salt, stored } = params;
  const passwordBytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  let digest = createHash(algorithm).update(salt, 'latin1').update(passwordBytes).digest();
  for (let round = 2 ** log2Count; round > 0; round--) {
    digest = createHash(algorithm).update(digest).update(passwordBytes).digest();
  }
  const encoded = encodeCryptBase64(digest, algorithm === 'md5' ? MD5_GROUPS : SHA512_GROUPS);
  // The parsers fix the stored length (22, or 43 for Drupal), so a prefix comparison never shrinks to nothing.
  return stored.length > 0 && stringsEqual(encoded.slice(0, stored.length), stored);
}
