import { createHash } from 'node:crypto';
import { encodeCryptBase64 } from './encoding.js';
import { MAX_SHA_CRYPT_ROUNDS } from './limits.js';
import { parsed, stringsEqual, unsupported, type ParsedHash } from './verdict.js';

/**
 * SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`), after Ulrich Drepper's specification as glibc implements it.
 *
 * Implemented here rather than with `unixcrypt`: unixcrypt 3.0.4 computes a wrong digest for any password whose
 * length is an exact multiple of the digest size (32 or 64 bytes, common for generated passwords), which would lock
 * those users out. The test suite checks such lengths against `openssl passwd`.
 */

type ShaCryptVariant = 'sha256' | 'sha512';

const SHA_CRYPT = /^\$([56])\$(?:rounds=([1-9]\d{0,9})\$)?([!-#%-~]{0,16})\$([./0-9A-Za-z]+)$/;
const DEFAULT_ROUNDS = 5000;
/** glibc raises lower counts to 1000 and writes that, so a smaller stored count cannot come from a real crypt. */
const MIN_ROUNDS = 1000;

// Byte order of the final encoding, from the specification (most significant byte of each group first).
// prettier-ignore
const SHA256_GROUPS = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17],
  [18, 28, 8], [9, 19, 29], [31, 30],
] as const;
// prettier-ignore
const SHA512_GROUPS = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7],
  [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57],
  [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41], [63],
] as const;

const VARIANTS = {
  '5': { variant: 'sha256', encodedLength: 43 },
  '6': { variant: 'sha512', encodedLength: 86 },
} as const;

export type ShaCryptParams = { variant: ShaCryptVariant; salt: string; rounds: number; stored: string };

export function parseShaCrypt(hash: string, id: '5' | '6'): ParsedHash<ShaCryptParams> {
  const parts = SHA_CRYPT.exec(hash);
  const { variant, encodedLength } = VARIANTS[id];
  if (parts?.[1] !== id || parts[4]?.length !== encodedLength) {
    return unsupported(`not a ${variant}-crypt hash ($${id}$[rounds=N$]salt$digest)`);
  }
  const [, , roundsText, salt = '', stored = ''] = parts;
  const rounds = roundsText === undefined ? DEFAULT_ROUNDS : Number(roundsText);
  if (rounds < MIN_ROUNDS) return unsupported(`${variant}-crypt rounds below ${MIN_ROUNDS} are malformed`);
  if (rounds > MAX_SHA_CRYPT_ROUNDS) {
    return unsupported(`${variant}-crypt rounds above ${MAX_SHA_CRYPT_ROUNDS} are refused`);
  }
  return parsed(id === '6' ? 'sha512-crypt' : 'sha256-crypt', { variant, salt, rounds, stored });
}

export function verifyShaCrypt(password: string, params: ShaCryptParams): boolean {
  const { variant, salt, rounds, stored } = params;
  const digest = shaCryptDigest(variant, Buffer.from(password, 'utf8'), Buffer.from(salt, 'latin1'), rounds);
  const groups = variant === 'sha512' ? SHA512_GROUPS : SHA256_GROUPS;
  return stringsEqual(encodeCryptBase64(digest, groups), stored);
}

function shaCryptDigest(variant: ShaCryptVariant, password: Buffer, salt: Buffer, rounds: number): Buffer {
  const hash = () => createHash(variant);
  const alternate = hash().update(password).update(salt).update(password).digest();

  const initial = hash().update(password).update(salt).update(repeatTo(alternate, password.length));
  for (let bits = password.length; bits > 0; bits >>= 1) initial.update(bits % 2 === 1 ? alternate : password);
  let digest = initial.digest();

  const passwordDigest = hash();
  for (let i = 0; i < password.length; i++) passwordDigest.update(password);
  const p = repeatTo(passwordDigest.digest(), password.length);

  const saltDigest = hash();
  for (let i = 0; i < 16 + digest.readUInt8(0); i++) saltDigest.update(salt);
  const s = repeatTo(saltDigest.digest(), salt.length);

  for (let round = 0; round < rounds; round++) {
    const odd = round % 2 === 1;
    const next = hash().update(odd ? p : digest);
    if (round % 3 !== 0) next.update(s);
    if (round % 7 !== 0) next.update(p);
    digest = next.update(odd ? digest : p).digest();
  }
  return digest;
}

/** `block` repeated (and cut) to `length` bytes. */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += block.length) block.copy(out, offset, 0, length - offset);
  return out;
}
