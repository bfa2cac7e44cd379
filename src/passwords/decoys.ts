import { randomBytes } from 'node:crypto';
import type { LegacyHashOptions } from './legacy/legacy-hash.js';
import type { PasswordHasher } from './password-hasher.js';

/**
 * Decoys: verifications spent where no real hash exists (an unknown login), so that response time does not tell known
 * logins from unknown ones. The IdP's own decoy (a bcrypt hash no password matches) is `PasswordHasher.verifyDecoy`;
 * this is the legacy-scheme one, for a connector that verifies stored hashes itself.
 */

const DIGEST_BYTES: Partial<Record<LegacyHashOptions['scheme'], number>> = {
  'salted-md5': 16,
  'salted-sha1': 20,
  'salted-sha256': 32,
  'salted-sha512': 64,
};

/**
 * A stored hash no password matches, with the options to check it: a plain digest for the salted-* schemes (as cheap
 * as theirs), otherwise one of the IdP's own bcrypt hashes (a slow scheme's cost, whatever the configured one reads).
 */
export async function legacyDecoyHash(
  options: LegacyHashOptions,
  hasher: PasswordHasher,
): Promise<{ hash: string; salt?: string; options: LegacyHashOptions }> {
  if (!options.scheme.startsWith('salted-') || options.pattern !== undefined) {
    return { hash: await hasher.hash(randomBytes(18).toString('base64')), options: { ...options, scheme: 'bcrypt' } };
  }
  const digest = randomBytes(DIGEST_BYTES[options.scheme] ?? 64);
  return { hash: digest.toString(options.hashEncoding), salt: randomBytes(8).toString('hex'), options };
}
