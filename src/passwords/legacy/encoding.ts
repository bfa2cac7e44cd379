/**
 * Strict decoders for the text forms hashes are stored in. Anything that does not decode canonically is reported as
 * malformed: a truncated or hand-edited hash must never be read as a shorter (weaker) digest.
 */

const BASE64_BODY = /^[A-Za-z0-9+/]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** `optional`: padding may be absent, but when present it must be exactly right. */
export type Base64Padding = 'required' | 'forbidden' | 'optional';

export function decodeBase64(text: string, padding: Base64Padding): Buffer | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (!BASE64_BODY.test(body) || body.length % 4 === 1) return undefined;
  const paddingLength = text.length - body.length;
  const expectedPadding = (4 - (body.length % 4)) % 4;
  if (padding === 'forbidden' && paddingLength > 0) return undefined;
  if (padding === 'required' && paddingLength !== expectedPadding) return undefined;
  if (paddingLength > 0 && paddingLength !== expectedPadding) return undefined;
  const bytes = Buffer.from(body, 'base64');
  // Unused low bits must be zero, or two different strings would stand for one digest.
  if (bytes.toString('base64').replace(/=+$/, '') !== body) return undefined;
  return bytes;
}

/** passlib writes salts and digests unpadded, some with `.` in place of `+` ("adapted base64"); both are read. */
export function decodePasslibBase64(text: string): Buffer | undefined {
  if (text.includes('.') && text.includes('+')) return undefined;
  return decodeBase64(text.replaceAll('.', '+'), 'forbidden');
}

export function decodeHex(text: string): Buffer | undefined {
  return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** The alphabet of crypt(3) and phpass: note it is not base64's order. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * crypt(3)-style base64: each group lists byte indexes, most significant first, and yields one character per 6 bits
 * starting from the least significant (so a group of n bytes gives n + 1 characters). The schemes differ only in how
 * they shuffle the digest bytes into groups.
 */
export function encodeCryptBase64(bytes: Buffer, groups: readonly (readonly number[])[]): string {
  let text = '';
  for (const group of groups) {
    let value = 0;
    for (const index of group) value = (value << 8) | bytes.readUInt8(index);
    for (let count = group.length + 1; count > 0; count--) {
      text += CRYPT_ALPHABET.charAt(value & 0x3f);
      value >>>= 6;
    }
  }
  return text;
}

/**
 * Groups for bytes packed three at a time, least significant first (phpass, Drupal, libxcrypt's scrypt and
 * yescrypt): the trailing one or two bytes make a short group.
 */
export function littleEndianGroups(length: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < length; start += 3) {
    groups.push([start + 2, start + 1, start].filter((index) => index < length));
  }
  return groups;
}

/** The crypt-alphabet value of each character, or undefined for a character outside it. */
export function cryptAlphabetIndex(char: string): number | undefined {
  const index = CRYPT_ALPHABET.indexOf(char);
  return index < 0 || char.length !== 1 ? undefined : index;
}
