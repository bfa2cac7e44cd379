import { z } from 'zod';
import { verifyArgon2 } from './argon2.js';
import { verifyBcrypt } from './bcrypt.js';
import { detectScheme, type SelfDescribingScheme } from './detect.js';
import { verifyLdap } from './ldap.js';
import { MAX_PASSWORD_BYTES } from './limits.js';
import { verifyMd5Crypt } from './md5-crypt.js';
import { verifyDjangoPbkdf2, verifyPasslibPbkdf2 } from './pbkdf2.js';
import { verifyPhpass } from './phpass.js';
import { verifySaltedDigest } from './salted-digest.js';
import { verifyScrypt } from './scrypt.js';
import { verifyShaCrypt } from './sha-crypt.js';
import { unsupported, verdictOf } from './verdict.js';

/**
 * Legacy password hashes verified by the IdP itself (SQL and LDAP connectors read the stored hash; the IdP checks
 * the presented password against it). Runs inside the hashing worker threads, never on the event loop.
 */

export const legacyHashSchemes = [
  'detect',
  'bcrypt',
  'argon2',
  'scrypt',
  'pbkdf2',
  'django-pbkdf2',
  'sha512-crypt',
  'sha256-crypt',
  'md5-crypt',
  'apr1',
  'phpass',
  'ldap',
  'salted-md5',
  'salted-sha1',
  'salted-sha256',
  'salted-sha512',
] as const;

export const legacyHashOptionsSchema = z.strictObject({
  /** `detect` reads the scheme from the hash's prefix; the salted-* schemes must be named. */
  scheme: z.enum(legacyHashSchemes).default('detect'),
  /** For salted-*: where the salt goes relative to the password, and how salt and digest are written. */
  saltPosition: z.enum(['prefix', 'suffix']).default('suffix'),
  saltEncoding: z.enum(['utf8', 'hex', 'base64']).default('utf8'),
  hashEncoding: z.enum(['hex', 'base64']).default('hex'),
});
export type LegacyHashOptions = z.infer<typeof legacyHashOptionsSchema>;

export type LegacyHashVerdict =
  | { kind: 'match' }
  | { kind: 'mismatch' }
  /** Unknown scheme or malformed hash: never an accept. `reason` never contains the hash. */
  | { kind: 'unsupported'; reason: string };

type Verifier = (password: string, hash: string) => LegacyHashVerdict | Promise<LegacyHashVerdict>;

const VERIFIERS: Readonly<Record<SelfDescribingScheme, Verifier>> = {
  bcrypt: verifyBcrypt,
  argon2: verifyArgon2,
  scrypt: verifyScrypt,
  pbkdf2: verifyPasslibPbkdf2,
  'django-pbkdf2': verifyDjangoPbkdf2,
  'sha512-crypt': (password, hash) => verifyShaCrypt(password, hash, '6'),
  'sha256-crypt': (password, hash) => verifyShaCrypt(password, hash, '5'),
  'md5-crypt': (password, hash) => verifyMd5Crypt(password, hash, '1'),
  apr1: (password, hash) => verifyMd5Crypt(password, hash, 'apr1'),
  phpass: verifyPhpass,
  ldap: verifyLdap,
};

/** `salt` is the separate salt value (salted-* schemes), when the legacy store keeps it in its own column. */
export async function verifyLegacyHash(
  password: string,
  hash: string,
  options: LegacyHashOptions,
  salt?: string,
): Promise<LegacyHashVerdict> {
  // The values come from a database, a directory or another thread: check at run time what the types promise.
  const inputs: readonly unknown[] = [password, hash, salt];
  if (typeof inputs[0] !== 'string') return unsupported('the password is not a string');
  if (typeof inputs[1] !== 'string') return unsupported('the stored hash is not a string');
  if (inputs[2] !== undefined && typeof inputs[2] !== 'string') return unsupported('the salt is not a string');
  const parsedOptions = legacyHashOptionsSchema.safeParse(options);
  if (!parsedOptions.success) return unsupported('invalid legacy hash options');
  const { scheme } = parsedOptions.data;

  // Fixed-width CHAR columns and LDIF exports pad with blanks; no hash format has leading or trailing whitespace.
  const stored = hash.trim();
  if (stored === '') return unsupported('the stored hash is empty');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return verdictOf(false);

  try {
    switch (scheme) {
      case 'salted-md5':
        return verifySaltedDigest('md5', password, stored, parsedOptions.data, salt);
      case 'salted-sha1':
        return verifySaltedDigest('sha1', password, stored, parsedOptions.data, salt);
      case 'salted-sha256':
        return verifySaltedDigest('sha256', password, stored, parsedOptions.data, salt);
      case 'salted-sha512':
        return verifySaltedDigest('sha512', password, stored, parsedOptions.data, salt);
      case 'detect': {
        const detection = detectScheme(stored);
        if ('reason' in detection) return unsupported(detection.reason);
        return await VERIFIERS[detection.scheme](password, stored);
      }
      default:
        return await VERIFIERS[scheme](password, stored);
    }
  } catch {
    // Whatever failed, the message could quote the hash; the operator gets a fixed text and the user is not let in.
    return unsupported('the hash could not be verified (the hashing library rejected it)');
  }
}

const SALTED_DIGEST = /^(?:[0-9a-fA-F]{32,128}|[A-Za-z0-9+/]{22,88}={0,2})$/;

/**
 * Whether a hash looks like the configured scheme, without verifying anything (no password is at hand, e.g. at a
 * bulk import). Undefined when it does; otherwise why not, without quoting the hash.
 */
export function legacyHashFormatProblem(hash: string, options: LegacyHashOptions): string | undefined {
  const stored = hash.trim();
  if (stored === '') return 'the hash is empty';
  if (options.scheme.startsWith('salted-')) {
    return SALTED_DIGEST.test(stored) ? undefined : `the hash is not a ${options.hashEncoding} digest`;
  }
  const detection = detectScheme(stored);
  if ('reason' in detection) return detection.reason;
  if (options.scheme !== 'detect' && detection.scheme !== options.scheme) {
    return `the hash is ${detection.scheme}, not ${options.scheme}`;
  }
  return undefined;
}
