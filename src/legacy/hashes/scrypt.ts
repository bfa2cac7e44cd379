import { scrypt } from 'node:crypto';
import { decodePasslibBase64 } from './encoding.js';
import type { LegacyHashVerdict } from './legacy-hash.js';
import { MAX_SCRYPT_BLOCK_SIZE, MAX_SCRYPT_LOG2_N, MAX_SCRYPT_MEMORY_BYTES, MAX_SCRYPT_PARALLELISM } from './limits.js';
import { bytesEqual, unsupported, verdictOf } from './verdict.js';

/** passlib's format: `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<digest>`. */
const PASSLIB_SCRYPT =
  /^\$scrypt\$ln=([1-9]\d?),r=([1-9]\d{0,2}),p=([1-9]\d{0,2})\$([A-Za-z0-9+/.]*)\$([A-Za-z0-9+/.]+)$/;
/** passlib always writes a 32-byte key; any other length is a damaged value, not a choice. */
const DIGEST_BYTES = 32;

export async function verifyScrypt(password: string, hash: string): Promise<LegacyHashVerdict> {
  const parts = PASSLIB_SCRYPT.exec(hash);
  if (!parts) return unsupported('not a passlib scrypt hash ($scrypt$ln=..,r=..,p=..$salt$digest)');
  const [, log2N = '', blockSize = '', parallelism = '', saltText = '', digestText = ''] = parts;
  const salt = decodePasslibBase64(saltText);
  const expected = decodePasslibBase64(digestText);
  if (!salt || !expected) return unsupported('scrypt salt or digest is not valid base64');
  if (expected.length !== DIGEST_BYTES) return unsupported('scrypt digest has the wrong length');
  const N = 2 ** Number(log2N);
  const r = Number(blockSize);
  const p = Number(parallelism);
  if (Number(log2N) > MAX_SCRYPT_LOG2_N) return unsupported(`scrypt N above 2^${MAX_SCRYPT_LOG2_N} is refused`);
  if (r > MAX_SCRYPT_BLOCK_SIZE || p > MAX_SCRYPT_PARALLELISM || 128 * N * r > MAX_SCRYPT_MEMORY_BYTES) {
    return unsupported('scrypt block size, parallelism or memory beyond the allowed bounds is refused');
  }
  // What OpenSSL allocates: N + 2 blocks of 128·r bytes for V, plus 128·r·p for B; 1 MiB spare for the rest.
  const maxmem = 128 * r * (N + 2 + p) + 1024 * 1024;
  const actual = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, expected.length, { N, r, p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
  return verdictOf(bytesEqual(actual, expected));
}
