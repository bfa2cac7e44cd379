import { cryptAlphabetIndex, encodeCryptBase64, littleEndianGroups } from './encoding.js';
import { deriveScrypt, scryptParamsProblem, type ScryptParams } from './scrypt.js';
import { parsed, stringsEqual, unsupported, type ParsedHash } from './verdict.js';

/**
 * scrypt as crypt(3) writes it (`$7$`, libxcrypt and `mkpasswd -m scrypt`): one character of log2 N, five each of
 * r and p (30-bit little-endian), the salt, `$`, and a 32-byte key in 43 characters. libxcrypt feeds the salt to
 * scrypt as the characters themselves, not decoded, and takes everything up to the last `$` as salt.
 */
const CRYPT_SCRYPT = /^\$7\$([./0-9A-Za-z])([./0-9A-Za-z]{5})([./0-9A-Za-z]{5})([./0-9A-Za-z$]*)\$([./0-9A-Za-z]{43})$/;
const KEY_GROUPS = littleEndianGroups(32);

export type CryptScryptParams = { scrypt: ScryptParams; encoded: string };

/** libxcrypt's fixed-width 30-bit numbers: five characters, least significant first. */
function decode30(text: string): number {
  let value = 0;
  for (let i = text.length - 1; i >= 0; i--) value = value * 64 + (cryptAlphabetIndex(text.charAt(i)) ?? 0);
  return value;
}

export function parseCryptScrypt(hash: string): ParsedHash<CryptScryptParams> {
  const parts = CRYPT_SCRYPT.exec(hash);
  if (!parts) return unsupported('not a $7$ scrypt hash ($7$, N, r, p, salt, 43-character key)');
  const [, log2NChar = '', rText = '', pText = '', salt = '', encoded = ''] = parts;
  const log2N = cryptAlphabetIndex(log2NChar) ?? 0;
  if (log2N < 1) return unsupported('$7$ scrypt N is malformed');
  const [N, r, p] = [2 ** log2N, decode30(rText), decode30(pText)];
  const problem = scryptParamsProblem(N, r, p);
  if (problem !== undefined) return unsupported(problem);
  const scrypt = { N, r, p, salt: Buffer.from(salt, 'latin1'), expected: Buffer.alloc(32) };
  return parsed('crypt-scrypt', { scrypt, encoded });
}

export async function verifyCryptScrypt(password: string, params: CryptScryptParams): Promise<boolean> {
  const key = await deriveScrypt(password, params.scrypt);
  // Compared as crypt(3) output is: the re-encoded key against the stored characters.
  return stringsEqual(encodeCryptBase64(key, KEY_GROUPS), params.encoded);
}
