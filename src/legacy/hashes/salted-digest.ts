import { createHash } from 'node:crypto';
import { DIGEST_BYTES, type DigestAlgorithm } from './digests.js';
import { decodeBase64, decodeHex } from './encoding.js';
import type { LegacyHashOptions, LegacyHashVerdict } from './legacy-hash.js';
import { bytesEqual, unsupported, verdictOf } from './verdict.js';

/**
 * Home-grown schemes: digest(salt + password) or digest(password + salt), the salt kept in its own column (or none).
 * Nothing in the stored value says which, so the operator names the scheme and the salt's place and encoding.
 */

export type SaltedDigestAlgorithm = Exclude<DigestAlgorithm, 'sha384'>;

export function verifySaltedDigest(
  algorithm: SaltedDigestAlgorithm,
  password: string,
  hash: string,
  options: LegacyHashOptions,
  saltText: string | undefined,
): LegacyHashVerdict {
  const size = DIGEST_BYTES[algorithm];
  const expected = options.hashEncoding === 'hex' ? decodeHex(hash) : decodeBase64(hash, 'optional');
  if (expected?.length !== size) {
    return unsupported(`not a ${options.hashEncoding} ${algorithm} digest (${size} bytes)`);
  }
  const salt = decodeSalt(saltText ?? '', options.saltEncoding);
  if (!salt) return unsupported(`the salt is not valid ${options.saltEncoding}`);
  const passwordBytes = Buffer.from(password, 'utf8');
  const input = options.saltPosition === 'prefix' ? [salt, passwordBytes] : [passwordBytes, salt];
  const actual = createHash(algorithm).update(Buffer.concat(input)).digest();
  return verdictOf(bytesEqual(actual, expected));
}

function decodeSalt(text: string, encoding: LegacyHashOptions['saltEncoding']): Buffer | undefined {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'hex':
      return decodeHex(text);
    case 'base64':
      return decodeBase64(text, 'optional');
  }
}
