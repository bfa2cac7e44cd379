import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * The stored password formats and the synchronous work on them. This module runs inside the hashing worker threads
 * (see `password-hasher.ts`); nothing on the event loop calls it directly.
 *
 * bcrypt reads only the first 72 bytes of its input, so two passwords sharing those bytes would verify against each
 * other's hash. Passwords that fit are stored as plain bcrypt (`$2b$…`, portable to any other system); longer ones
 * are stored as `$bcrypt-sha256$` + bcrypt of base64(HMAC-SHA256(salt, password)). Keying the pre-hash with the
 * bcrypt salt keeps a leaked unsalted SHA-256 of the password from being tested against the stored hash directly.
 */

const BCRYPT_INPUT_LIMIT = 72;
const PREHASHED = '$bcrypt-sha256$';
const PLAIN_BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

export class UnsupportedPasswordHashError extends Error {
  constructor() {
    // The hash itself is never put in the message.
    super('stored password hash has an unsupported or malformed format');
    this.name = 'UnsupportedPasswordHashError';
  }
}

export function hashPasswordSync(password: string, cost: number): string {
  const salt = bcrypt.genSaltSync(cost);
  if (Buffer.byteLength(password, 'utf8') <= BCRYPT_INPUT_LIMIT) return bcrypt.hashSync(password, salt);
  return PREHASHED + bcrypt.hashSync(prehash(password, salt), salt);
}

export function verifyPasswordSync(password: string, stored: string): boolean {
  if (stored.startsWith(PREHASHED)) {
    const inner = stored.slice(PREHASHED.length);
    if (!PLAIN_BCRYPT.test(inner)) throw new UnsupportedPasswordHashError();
    return bcrypt.compareSync(prehash(password, inner.slice(0, 29)), inner);
  }
  if (!PLAIN_BCRYPT.test(stored)) throw new UnsupportedPasswordHashError();
  // A plain bcrypt hash was made from at most 72 bytes; a longer password can only "match" by truncation.
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_INPUT_LIMIT) return false;
  return bcrypt.compareSync(password, stored);
}

/** A hash of a random secret: verifying against it costs what a real verification costs and never succeeds. */
export function decoyHashSync(cost: number): string {
  return hashPasswordSync(randomBytes(32).toString('base64'), cost);
}

function prehash(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}
