import { scrypt } from 'node:crypto';
import { decodePasslibBase64 } from './encoding.js';
import {
  MAX_DERIVED_KEY_BYTES,
  MAX_SCRYPT_BLOCK_SIZE,
  MAX_SCRYPT_LOG2_N,
  MAX_SCRYPT_MEMORY_BYTES,
  MAX_SCRYPT_PARALLELISM,
  MIN_DERIVED_KEY_BYTES,
} from './limits.js';
import { bytesEqual, parsed, unsupported, type ParsedHash } from './verdict.js';

/** scrypt's work parameters, the salt as the bytes fed to it, and the stored key. */
export type ScryptParams = { N: number; r: number; p: number; salt: Buffer; expected: Buffer };

/**
 * Why these parameters cannot be run, or undefined: beyond the work bounds, or a combination OpenSSL itself
 * rejects (N a power of two above 1, N below 2^(16·r)), so that a parsed hash never fails at verification.
 */
export function scryptParamsProblem(N: number, r: number, p: number): string | undefined {
  if (!(N >= 2) || !Number.isInteger(Math.log2(N))) return 'scrypt N is not a power of two above 1';
  if (r < 1 || p < 1) return 'scrypt block size and parallelism must be at least 1';
  if (N > 2 ** MAX_SCRYPT_LOG2_N) return `scrypt N above 2^${MAX_SCRYPT_LOG2_N} is refused`;
  if (r > MAX_SCRYPT_BLOCK_SIZE || p > MAX_SCRYPT_PARALLELISM || 128 * N * r > MAX_SCRYPT_MEMORY_BYTES) {
    return 'scrypt block size, parallelism or memory beyond the allowed bounds is refused';
  }
  if (16 * r < 53 && N >= 2 ** (16 * r)) return 'scrypt N is too large for its block size (malformed)';
  return undefined;
}

/** The stored key's length, checked where the format leaves it open. */
export function scryptKeyProblem(expected: Buffer): string | undefined {
  if (expected.length < MIN_DERIVED_KEY_BYTES) {
    return `scrypt key shorter than ${MIN_DERIVED_KEY_BYTES} bytes is refused`;
  }
  if (expected.length > MAX_DERIVED_KEY_BYTES) return 'scrypt key is implausibly long';
  return undefined;
}

/** passlib's format: `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<key>`. */
const PASSLIB_SCRYPT =
  /^\$scrypt\$ln=([1-9]\d?),r=([1-9]\d{0,2}),p=([1-9]\d{0,2})\$([A-Za-z0-9+/.]*)\$([A-Za-z0-9+/.]+)$/;

/**
 * passlib itself writes 32-byte keys, but the format is also written by hand-made code with other lengths; any key
 * from 16 bytes up is read as the length it has.
 */
export function parsePasslibScrypt(hash: string): ParsedHash<ScryptParams> {
  const parts = PASSLIB_SCRYPT.exec(hash);
  if (!parts) return unsupported('not a passlib scrypt hash ($scrypt$ln=..,r=..,p=..$salt$key)');
  const [, log2N = '', blockSize = '', parallelism = '', saltText = '', keyText = ''] = parts;
  const salt = decodePasslibBase64(saltText);
  const expected = decodePasslibBase64(keyText);
  if (!salt || !expected) return unsupported('scrypt salt or key is not valid base64');
  const [N, r, p] = [2 ** Number(log2N), Number(blockSize), Number(parallelism)];
  const problem = scryptKeyProblem(expected) ?? scryptParamsProblem(N, r, p);
  if (problem !== undefined) return unsupported(problem);
  return parsed('scrypt', { N, r, p, salt, expected });
}

export async function verifyScrypt(password: string, params: ScryptParams): Promise<boolean> {
  return bytesEqual(await deriveScrypt(password, params), params.expected);
}

/** The key of `expected`'s length; the password as UTF-8 text, or as bytes when a scheme transforms it first. */
export function deriveScrypt(password: string | Buffer, params: ScryptParams): Promise<Buffer> {
  const { N, r, p, salt, expected } = params;
  // What OpenSSL allocates: N + 2 blocks of 128·r bytes for V, plus 128·r·p for B; 1 MiB spare for the rest.
  const maxmem = 128 * r * (N + 2 + p) + 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, expected.length, { N, r, p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
