import { MAX_HASH_CHARS, MAX_PASSWORD_BYTES } from './limits.js';
import { legacyHashOptionsSchema, type LegacyHashOptions } from './options.js';
import { parseStoredHash } from './schemes.js';
import {
  unsupported,
  verdictOf,
  type HashInspection,
  type LegacyHashVerdict,
  type ParsedHash,
  type PasswordCheck,
} from './verdict.js';

/**
 * Legacy password hashes verified by the IdP itself (SQL and LDAP connectors, import files and HTTP listings hand
 * over the stored hash; the IdP checks the presented password against it). Verification runs inside the hashing
 * worker threads, never on the event loop; inspection needs no password and no key derivation, so the pre-flight
 * scan and the bulk import can run it over every stored hash.
 *
 * For any stored hash, options and salt, inspect says unsupported exactly when verify would, for every password,
 * with the same reason: every refusal is decided while parsing. (Only a hashing library failing at verification,
 * which parsing rules out for every format it accepts, would still turn up there, as a fixed text.)
 */

// The config loader and the connectors read the options, and the verdict's type, from here.
export { legacyHashOptionsSchema, legacyHashSchemes, type LegacyHashOptions } from './options.js';
export type { LegacyHashVerdict } from './verdict.js';

/** `salt` is the separate salt value (salted-* schemes), when the legacy store keeps it in its own column. */
export async function verifyLegacyHash(
  password: string,
  hash: string,
  options: LegacyHashOptions,
  salt?: string,
): Promise<LegacyHashVerdict> {
  if (typeof (password as unknown) !== 'string') return unsupported('the password is not a string');
  try {
    const judged = judge(hash, options, salt);
    if (judged.kind === 'unsupported') return judged;
    const check = judged.params;
    // A sign-in body may carry hundreds of KiB: beyond what any real password is, it is wrong without hashing.
    if (check.limitsPassword !== true && Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      return verdictOf(false);
    }
    return verdictOf(await check.check(password));
  } catch {
    // Whatever failed, the message could quote the hash; the operator gets a fixed text and the user is not let in.
    return unsupported('the hash could not be verified (the hashing library rejected it)');
  }
}

/** Whether a stored hash can be judged, and under which label a report groups it; never runs a key derivation. */
export function inspectLegacyHash(hash: string, options: LegacyHashOptions, salt?: string): HashInspection {
  try {
    const judged = judge(hash, options, salt);
    return judged.kind === 'parsed' ? { kind: 'judgeable', label: judged.label } : judged;
  } catch {
    return unsupported('the hash could not be read');
  }
}

function judge(hash: string, options: LegacyHashOptions, salt: string | undefined): ParsedHash<PasswordCheck> {
  // The values come from a database, a directory or another thread: check at run time what the types promise.
  if (typeof (hash as unknown) !== 'string') return unsupported('the stored hash is not a string');
  if (salt !== undefined && typeof (salt as unknown) !== 'string') return unsupported('the salt is not a string');
  const parsedOptions = legacyHashOptionsSchema.safeParse(options);
  if (!parsedOptions.success) return unsupported('invalid legacy hash options');
  // Fixed-width CHAR columns and LDIF exports pad with blanks; no hash format has leading or trailing whitespace.
  const stored = hash.trim();
  if (stored === '') return unsupported('the stored hash is empty');
  if (stored.length > MAX_HASH_CHARS) return unsupported(`a stored hash above ${MAX_HASH_CHARS} characters is refused`);
  return parseStoredHash(stored, parsedOptions.data, salt);
}
