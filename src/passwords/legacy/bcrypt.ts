import bcrypt from 'bcryptjs';
import { MAX_BCRYPT_COST } from './limits.js';
import { parsed, unsupported, type ParsedHash } from './verdict.js';

/**
 * bcrypt `$2a$`, `$2b$`, `$2y$`. Every implementation a legacy system used (PHP password_verify, libxcrypt,
 * OpenBSD, passlib, htpasswd, bcryptjs) reads only the first 72 bytes of the password, cutting even through a
 * multi-byte character: a longer password whose first 72 bytes are right was accepted there and is accepted here.
 * The IdP's own new hash, made once the user is in, covers the whole password.
 */

const BCRYPT = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

// 22 characters carry the 16-byte salt and 31 the 23-byte digest; the bits left over must be zero, which only
// these characters allow. Every implementation re-encodes what it decoded, so any other could never match.
const SALT_LAST = /[.Oeu]$/;
const DIGEST_LAST = /[.CGKOSWaeimquy26]$/;

export type BcryptParams = { cost: string; salt: string; digest: string };

export function parseBcrypt(hash: string): ParsedHash<BcryptParams> {
  if (hash.startsWith('$2x$')) {
    // $2x$ marks hashes made with crypt_blowfish's sign-extension bug on bytes above 0x7f; no library here
    // reproduces it, and an inspection without the password cannot know whether the bug mattered.
    return unsupported('bcrypt $2x$ (the buggy pre-2011 crypt_blowfish variant) is not supported');
  }
  const parts = BCRYPT.exec(hash);
  if (!parts) return unsupported('not a bcrypt hash ($2a$, $2b$ or $2y$, two-digit cost, 53 characters)');
  const [, , cost = '', salt = '', digest = ''] = parts;
  if (Number(cost) < 4) return unsupported('bcrypt cost below 4 is malformed');
  if (Number(cost) > MAX_BCRYPT_COST) return unsupported(`bcrypt cost above ${MAX_BCRYPT_COST} is refused`);
  if (!SALT_LAST.test(salt) || !DIGEST_LAST.test(digest)) {
    return unsupported('bcrypt salt or digest is not canonically encoded, so no password can match it');
  }
  return parsed('bcrypt', { cost, salt, digest });
}

export function verifyBcrypt(password: string, params: BcryptParams): boolean {
  // $2a$, $2b$ and $2y$ compute the same function in every implementation the hashes come from; one spelling keeps
  // us independent of which of them a library accepts. bcryptjs reads the UTF-8 bytes up to the 72nd, as they do.
  return bcrypt.compareSync(password, `$2b$${params.cost}$${params.salt}${params.digest}`);
}
