import { DIGEST_BYTES } from './digests.js';
import { decodeBase64, decodeHex } from './encoding.js';
import { MAX_DERIVED_KEY_BYTES, MAX_PBKDF2_ITERATIONS, MIN_DERIVED_KEY_BYTES } from './limits.js';
import type { LegacyHashOptions } from './options.js';
import { applyPattern } from './pattern.js';
import { iterationsProblem, type Pbkdf2Params } from './pbkdf2.js';
import { decodeSalt } from './salted-digest.js';
import { parsed, unsupported, type ParsedHash } from './verdict.js';

/**
 * PBKDF2 in a home-made form: the key hex or base64, the salt in the row's salt column or inside the value, the
 * iterations configured or inside the value (through `pattern`, e.g.
 * `^(?<iterations>\d+):(?<salt>[^:]+):(?<hash>.+)$`). The digest defaults to SHA-256; the key length is the stored
 * key's unless `keyLength` says what it must be.
 */

const DEFAULT_DIGEST = 'sha256';
const ITERATIONS = /^[1-9]\d{0,9}$/;

export function parsePbkdf2Custom(
  hash: string,
  options: LegacyHashOptions,
  saltText: string | undefined,
): ParsedHash<Pbkdf2Params> {
  const parts = options.pattern === undefined ? { hash } : applyPattern(options.pattern, hash);
  if (!parts) return unsupported('the hash does not match the configured pattern');
  const iterationsText = parts.iterations;
  if (iterationsText !== undefined && !ITERATIONS.test(iterationsText)) {
    return unsupported('the iterations in the hash are not a positive number');
  }
  const iterations = iterationsText === undefined ? options.iterations : Number(iterationsText);
  if (iterations === undefined) {
    return unsupported(
      'pbkdf2-custom needs iterations: set the iterations option or an iterations group in the pattern',
    );
  }
  const iterationsTooMany = iterationsProblem(iterations);
  if (iterationsTooMany !== undefined) return unsupported(iterationsTooMany);

  const expected = options.hashEncoding === 'hex' ? decodeHex(parts.hash) : decodeBase64(parts.hash, 'optional');
  if (!expected) return unsupported(`the key is not valid ${options.hashEncoding}`);
  if (options.keyLength !== undefined && expected.length !== options.keyLength) {
    return unsupported('the stored key is not of the configured keyLength');
  }
  if (options.keyLength === undefined && expected.length < MIN_DERIVED_KEY_BYTES) {
    return unsupported(`a key shorter than ${MIN_DERIVED_KEY_BYTES} bytes needs an explicit keyLength`);
  }
  if (expected.length > MAX_DERIVED_KEY_BYTES) return unsupported('the stored key is implausibly long');

  const digest = options.digest ?? DEFAULT_DIGEST;
  // Each block of the key costs the iterations again: the bound is on the work, not on the count alone.
  if (iterations * Math.ceil(expected.length / DIGEST_BYTES[digest]) > MAX_PBKDF2_ITERATIONS) {
    return unsupported(`pbkdf2 work above ${MAX_PBKDF2_ITERATIONS} iterations of one key block is refused`);
  }

  const salt = decodeSalt(parts.salt ?? saltText ?? '', options.saltEncoding);
  if (!salt) return unsupported(`the salt is not valid ${options.saltEncoding}`);
  return parsed('pbkdf2-custom', { digest, iterations, salt, expected });
}
