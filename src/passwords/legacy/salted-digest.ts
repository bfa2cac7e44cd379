import { createHash } from 'node:crypto';
import { DIGEST_BYTES } from './digests.js';
import { decodeBase64, decodeHex } from './encoding.js';
import type { LegacyHashOptions } from './options.js';
import { applyPattern } from './pattern.js';
import { bytesEqual, parsed, unsupported, type ParsedHash } from './verdict.js';

/**
 * Home-grown schemes: digest(salt + password) or digest(password + salt), the salt kept in its own column, inside
 * the value (through `pattern`), or none. Nothing in the stored value says which, so the operator names the scheme
 * and the salt's place and encoding.
 */

export type SaltedDigestAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

export type SaltedDigestParams = {
  algorithm: SaltedDigestAlgorithm;
  salt: Buffer;
  saltPosition: LegacyHashOptions['saltPosition'];
  expected: Buffer;
};

export function parseSaltedDigest(
  algorithm: SaltedDigestAlgorithm,
  hash: string,
  options: LegacyHashOptions,
  saltText: string | undefined,
): ParsedHash<SaltedDigestParams> {
  let digestText = hash;
  let saltSource = saltText;
  if (options.pattern !== undefined) {
    const parts = applyPattern(options.pattern, hash);
    if (!parts) return unsupported('the hash does not match the configured pattern');
    if (parts.iterations !== undefined) return unsupported('a salted digest has no iterations; the pattern names some');
    digestText = parts.hash;
    saltSource = parts.salt ?? saltText;
  }
  const size = DIGEST_BYTES[algorithm];
  const expected = options.hashEncoding === 'hex' ? decodeHex(digestText) : decodeBase64(digestText, 'optional');
  if (expected?.length !== size) {
    return unsupported(`not a ${options.hashEncoding} ${algorithm} digest (${size} bytes)`);
  }
  const salt = decodeSalt(saltSource ?? '', options.saltEncoding);
  if (!salt) return unsupported(`the salt is not valid ${options.saltEncoding}`);
  const label = salt.length > 0 ? (`salted-${algorithm}` as const) : algorithm;
  return parsed(label, { algorithm, salt, saltPosition: options.saltPosition, expected });
}

export function verifySaltedDigest(password: string, params: SaltedDigestParams): boolean {
  const { algorithm, salt, saltPosition, expected } = params;
  const passwordBytes = Buffer.from(password, 'utf8');
  const input = saltPosition === 'prefix' ? [salt, passwordBytes] : [passwordBytes, salt];
  return bytesEqual(createHash(algorithm).update(Buffer.concat(input)).digest(), expected);
}

export function decodeSalt(text: string, encoding: LegacyHashOptions['saltEncoding']): Buffer | undefined {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'hex':
      return decodeHex(text);
    case 'base64':
      return decodeBase64(text, 'optional');
  }
}
