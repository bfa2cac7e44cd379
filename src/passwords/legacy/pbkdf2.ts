import { pbkdf2 } from 'node:crypto';
import { DIGEST_BYTES, type DigestAlgorithm } from './digests.js';
import { decodeBase64, decodePasslibBase64 } from './encoding.js';
import { MAX_PBKDF2_ITERATIONS } from './limits.js';
import { bytesEqual, parsed, unsupported, type ParsedHash } from './verdict.js';

/** What one PBKDF2 verification needs; the stored key's length is the length derived. */
export type Pbkdf2Params = { digest: DigestAlgorithm; iterations: number; salt: Buffer; expected: Buffer };

/** passlib: `$pbkdf2$` (SHA-1), `$pbkdf2-sha256$`, `$pbkdf2-sha512$`, then `<rounds>$<ab64 salt>$<ab64 digest>`. */
const PASSLIB_PBKDF2 = /^\$pbkdf2(?:-(sha256|sha512))?\$([1-9]\d{0,9})\$([A-Za-z0-9+/.]*)\$([A-Za-z0-9+/.]+)$/;
/** Django: `pbkdf2_sha256$<iterations>$<salt as text>$<padded base64 digest>`. */
const DJANGO_PBKDF2 = /^pbkdf2_(sha256|sha1)\$([1-9]\d{0,9})\$([^$]+)\$([A-Za-z0-9+/=]+)$/;

export function iterationsProblem(iterations: number): string | undefined {
  return iterations > MAX_PBKDF2_ITERATIONS
    ? `pbkdf2 iterations above ${MAX_PBKDF2_ITERATIONS} are refused`
    : undefined;
}

export function parsePasslibPbkdf2(hash: string): ParsedHash<Pbkdf2Params> {
  const parts = PASSLIB_PBKDF2.exec(hash);
  if (!parts) return unsupported('not a passlib pbkdf2 hash ($pbkdf2[-sha256|-sha512]$rounds$salt$digest)');
  const [, digestName = 'sha1', iterations = '', saltText = '', digestText = ''] = parts;
  const digest = digestName as 'sha1' | 'sha256' | 'sha512';
  const salt = decodePasslibBase64(saltText);
  const expected = decodePasslibBase64(digestText);
  if (!salt || !expected) return unsupported('pbkdf2 salt or digest is not valid base64');
  const problem = fullLengthProblem(expected, digest) ?? iterationsProblem(Number(iterations));
  if (problem !== undefined) return unsupported(problem);
  return parsed(`pbkdf2-${digest}`, { digest, iterations: Number(iterations), salt, expected });
}

export function parseDjangoPbkdf2(hash: string): ParsedHash<Pbkdf2Params> {
  const parts = DJANGO_PBKDF2.exec(hash);
  if (!parts) return unsupported('not a Django pbkdf2 hash (pbkdf2_sha256$ or pbkdf2_sha1$iterations$salt$digest)');
  const [, digestName = '', iterations = '', saltText = '', digestText = ''] = parts;
  const digest = digestName as 'sha1' | 'sha256';
  const expected = decodeBase64(digestText, 'required');
  if (!expected) return unsupported('Django pbkdf2 digest is not valid base64');
  const problem = fullLengthProblem(expected, digest) ?? iterationsProblem(Number(iterations));
  if (problem !== undefined) return unsupported(problem);
  const params = { digest, iterations: Number(iterations), salt: Buffer.from(saltText, 'utf8'), expected };
  return parsed(`django-pbkdf2-${digest}`, params);
}

/** Both formats store the full-length digest; a shorter one is truncation, not a choice. */
function fullLengthProblem(expected: Buffer, digest: DigestAlgorithm): string | undefined {
  return expected.length === DIGEST_BYTES[digest] ? undefined : `pbkdf2-${digest} digest has the wrong length`;
}

export async function verifyPbkdf2(password: string | Buffer, params: Pbkdf2Params): Promise<boolean> {
  const { digest, iterations, salt, expected } = params;
  const actual = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(password, salt, iterations, expected.length, digest, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
  return bytesEqual(actual, expected);
}
