import { pbkdf2 } from 'node:crypto';
import { DIGEST_BYTES, type DigestAlgorithm } from './digests.js';
import { decodeBase64, decodePasslibBase64 } from './encoding.js';
import type { LegacyHashVerdict } from './legacy-hash.js';
import { MAX_PBKDF2_ITERATIONS } from './limits.js';
import { bytesEqual, unsupported, verdictOf } from './verdict.js';

type Pbkdf2Digest = Extract<DigestAlgorithm, 'sha1' | 'sha256' | 'sha512'>;

/** passlib: `$pbkdf2$` (SHA-1), `$pbkdf2-sha256$`, `$pbkdf2-sha512$`, then `<rounds>$<ab64 salt>$<ab64 digest>`. */
const PASSLIB_PBKDF2 = /^\$pbkdf2(?:-(sha256|sha512))?\$([1-9]\d{0,9})\$([A-Za-z0-9+/.]*)\$([A-Za-z0-9+/.]+)$/;
/** Django: `pbkdf2_sha256$<iterations>$<salt as text>$<padded base64 digest>`. */
const DJANGO_PBKDF2 = /^pbkdf2_(sha256|sha1)\$([1-9]\d{0,9})\$([^$]+)\$([A-Za-z0-9+/=]+)$/;

export async function verifyPasslibPbkdf2(password: string, hash: string): Promise<LegacyHashVerdict> {
  const parts = PASSLIB_PBKDF2.exec(hash);
  if (!parts) return unsupported('not a passlib pbkdf2 hash ($pbkdf2[-sha256|-sha512]$rounds$salt$digest)');
  const [, digestName = 'sha1', iterations = '', saltText = '', digestText = ''] = parts;
  const salt = decodePasslibBase64(saltText);
  const expected = decodePasslibBase64(digestText);
  if (!salt || !expected) return unsupported('pbkdf2 salt or digest is not valid base64');
  return verifyPbkdf2(password, salt, Number(iterations), digestName as Pbkdf2Digest, expected);
}

export async function verifyDjangoPbkdf2(password: string, hash: string): Promise<LegacyHashVerdict> {
  const parts = DJANGO_PBKDF2.exec(hash);
  if (!parts) return unsupported('not a Django pbkdf2 hash (pbkdf2_sha256$ or pbkdf2_sha1$iterations$salt$digest)');
  const [, digestName = '', iterations = '', saltText = '', digestText = ''] = parts;
  const expected = decodeBase64(digestText, 'required');
  if (!expected) return unsupported('Django pbkdf2 digest is not valid base64');
  return verifyPbkdf2(
    password,
    Buffer.from(saltText, 'utf8'),
    Number(iterations),
    digestName as Pbkdf2Digest,
    expected,
  );
}

async function verifyPbkdf2(
  password: string,
  salt: Buffer,
  iterations: number,
  digest: Pbkdf2Digest,
  expected: Buffer,
): Promise<LegacyHashVerdict> {
  // Both formats store the full-length digest; a shorter one is truncation, not a choice.
  if (expected.length !== DIGEST_BYTES[digest]) return unsupported(`pbkdf2-${digest} digest has the wrong length`);
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    return unsupported(`pbkdf2 iterations above ${MAX_PBKDF2_ITERATIONS} are refused`);
  }
  const actual = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(password, salt, iterations, expected.length, digest, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
  return verdictOf(bytesEqual(actual, expected));
}
