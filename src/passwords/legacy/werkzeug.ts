import { createHash, createHmac } from 'node:crypto';
import { DIGEST_BYTES } from './digests.js';
import { decodeHex } from './encoding.js';
import { WERKZEUG_DIGESTS, type WerkzeugDigest } from './labels.js';
import { iterationsProblem, verifyPbkdf2, type Pbkdf2Params } from './pbkdf2.js';
import { deriveScrypt, scryptParamsProblem, type ScryptParams } from './scrypt.js';
import { bytesEqual, parsed, unsupported, type ParsedHash } from './verdict.js';

/**
 * Werkzeug's (Flask's) `method$salt$hex`, as check_password_hash reads it: the salt is text, the key lowercase hex.
 * - `pbkdf2:<digest>:<iterations>`: PBKDF2-HMAC, key as long as the digest.
 * - `scrypt:<N>:<r>:<p>` (2.3+): hashlib.scrypt's 64-byte key, under Werkzeug's memory rule maxmem = 132·N·r·p.
 * - before 2.3, `<digest>` alone: HMAC-<digest> keyed by the salt, or with an empty salt the plain digest.
 */

const WERKZEUG = /^([a-z0-9:_]+)\$([^$]*)\$([0-9a-f]+)$/;
const PBKDF2_METHOD = /^pbkdf2:([a-z0-9_]+)(?::(\d+))?$/;
const SCRYPT_METHOD = /^scrypt(?::(\d{1,10}):(\d{1,10}):(\d{1,10}))?$/;
/** Werkzeug's scrypt defaults (when the method names no parameters) and its fixed key length. */
const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 };
const SCRYPT_KEY_BYTES = 64;
/** hashlib.scrypt refuses a maxmem above C's INT_MAX. */
const INT_MAX = 2 ** 31 - 1;

export type WerkzeugParams =
  | { kind: 'pbkdf2'; pbkdf2: Pbkdf2Params }
  | { kind: 'scrypt'; scrypt: ScryptParams }
  | { kind: 'hmac'; digest: WerkzeugDigest; salt: Buffer; expected: Buffer };

function werkzeugDigest(name: string): WerkzeugDigest | undefined {
  return WERKZEUG_DIGESTS.find((digest) => digest === name);
}

export function parseWerkzeug(hash: string): ParsedHash<WerkzeugParams> {
  const parts = WERKZEUG.exec(hash);
  if (!parts) return unsupported('not a Werkzeug hash (method$salt$lowercase hex)');
  const [, method = '', saltText = '', hex = ''] = parts;
  const salt = Buffer.from(saltText, 'utf8');
  const expected = decodeHex(hex);
  if (!expected) return unsupported('the Werkzeug key is not whole bytes of hex');

  const pbkdf2 = PBKDF2_METHOD.exec(method);
  if (pbkdf2) {
    const [, digestName = '', iterationsText] = pbkdf2;
    const digest = werkzeugDigest(digestName);
    if (!digest) return unsupported('this Werkzeug pbkdf2 digest is not supported');
    // Werkzeug has always written the count; without one it used its version's default, which is not known here.
    if (iterationsText === undefined) return unsupported('Werkzeug pbkdf2 without an iteration count is not supported');
    const iterations = Number(iterationsText);
    if (iterations < 1) return unsupported('Werkzeug pbkdf2 iterations must be at least 1');
    if (expected.length !== DIGEST_BYTES[digest]) return unsupported('the Werkzeug pbkdf2 key has the wrong length');
    const problem = iterationsProblem(iterations);
    if (problem !== undefined) return unsupported(problem);
    return parsed(`werkzeug-pbkdf2-${digest}`, { kind: 'pbkdf2', pbkdf2: { digest, iterations, salt, expected } });
  }

  const scrypt = SCRYPT_METHOD.exec(method);
  if (scrypt) {
    const [, nText, rText, pText] = scrypt;
    const { N, r, p } =
      nText === undefined ? SCRYPT_DEFAULTS : { N: Number(nText), r: Number(rText), p: Number(pText) };
    if (expected.length !== SCRYPT_KEY_BYTES) return unsupported('the Werkzeug scrypt key has the wrong length');
    const problem = scryptParamsProblem(N, r, p) ?? werkzeugMemoryProblem(N, r, p);
    if (problem !== undefined) return unsupported(problem);
    return parsed('werkzeug-scrypt', { kind: 'scrypt', scrypt: { N, r, p, salt, expected } });
  }

  const digest = werkzeugDigest(method);
  if (digest) {
    if (expected.length !== DIGEST_BYTES[digest]) return unsupported('the Werkzeug digest has the wrong length');
    const label = salt.length > 0 ? (`werkzeug-hmac-${digest}` as const) : (`werkzeug-${digest}` as const);
    return parsed(label, { kind: 'hmac', digest, salt, expected });
  }
  if (method === 'plain') return unsupported('Werkzeug plain (cleartext) passwords are not supported');
  return unsupported('this Werkzeug hash method is not supported');
}

/**
 * Werkzeug passes maxmem = 132·N·r·p to hashlib.scrypt, which OpenSSL compares with what it allocates
 * (128·r·(N + 2) + 128·r·p): parameters beyond it raised an error in Werkzeug, so no password was ever accepted.
 */
function werkzeugMemoryProblem(N: number, r: number, p: number): string | undefined {
  const maxmem = 132 * N * r * p;
  if (maxmem > INT_MAX || 128 * r * (N + 2) + 128 * r * p > maxmem) {
    return "scrypt parameters beyond Werkzeug's memory rule (Werkzeug itself could not verify them)";
  }
  return undefined;
}

export async function verifyWerkzeug(password: string, params: WerkzeugParams): Promise<boolean> {
  switch (params.kind) {
    case 'pbkdf2':
      return verifyPbkdf2(password, params.pbkdf2);
    case 'scrypt':
      return bytesEqual(await deriveScrypt(password, params.scrypt), params.scrypt.expected);
    case 'hmac': {
      const { digest, salt, expected } = params;
      const actual =
        salt.length > 0
          ? createHmac(digest, salt).update(password, 'utf8').digest()
          : createHash(digest).update(password, 'utf8').digest();
      return bytesEqual(actual, expected);
    }
  }
}
