import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time recovery codes: what a user who lost their authenticator types instead of its code. Each is 10
 * characters of Crockford's base32 (digits and lower-case letters without i, l and o, which pass for 1, 1 and 0, and
 * without u), 50 random bits, shown as `xxxxx-xxxxx`.
 *
 * Only a hash is stored, and a fast one (SHA-256) is right here, unlike for passwords. A password is chosen by a
 * person, so a slow hash is what stands between a stolen hash and a dictionary of likely choices; these codes are
 * 50 bits from the random generator, with no likely choices to try first. Online, guesses go through the sign-in's
 * rate limits, which allow a vanishing part of 2^50. The account id salts the hash, so that from a stolen copy of
 * the store one search of 2^50 inputs cannot match every account's codes at once; each account would need its own
 * search, for a second factor only (the password is still needed). A typed code is still found by its hash among
 * the account's own codes.
 */

/** Crockford's base32 alphabet, lower case: 32 symbols, 5 bits each. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 10;
const GROUP = 5;
/** A normalised code: LENGTH symbols of ALPHABET. */
const SHAPE = /^[0-9a-hjkmnp-tv-z]{10}$/;

/** `count` distinct new codes, formatted for display (`xxxxx-xxxxx`). */
export function newRecoveryCodes(count = 10): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new RangeError('recovery codes: count must be a whole number from 1 to 100');
  }
  const codes = new Set<string>();
  // Two equal codes out of 2^50 are all but impossible; the set keeps "count distinct" true even so.
  while (codes.size < count) codes.add(newCode());
  return [...codes];
}

function newCode(): string {
  // 256 is a multiple of 32, so the low 5 bits of a random byte pick every symbol equally often.
  const symbols = [...randomBytes(LENGTH)].map((byte) => ALPHABET[byte & 31] ?? '');
  return `${symbols.slice(0, GROUP).join('')}-${symbols.slice(GROUP).join('')}`;
}

/**
 * The code as stored (hashed): lower case, without spaces and dashes, with the letters Crockford's base32 reads as
 * digits (o as 0; i and l as 1) replaced, since people type them for the digits. Undefined when what is left is not
 * 10 symbols of the alphabet: not a recovery code at all.
 */
export function normaliseRecoveryCode(code: string): string | undefined {
  const normal = code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  return SHAPE.test(normal) ? normal : undefined;
}

/**
 * SHA-256 (hex) of the account id and the normalised code: what a recovery-code factor stores, and what a typed code
 * is looked up by among the account's codes. Undefined when the input is not shaped like a recovery code (see
 * `normaliseRecoveryCode`), so a typo is told apart from a wrong code without a lookup.
 */
export function recoveryCodeHash(code: string, accountId: string): string | undefined {
  const normal = normaliseRecoveryCode(code);
  // A newline is in neither an account id nor a code, so (id, code) pairs cannot run into each other.
  return normal === undefined
    ? undefined
    : createHash('sha256').update(`${accountId}\n${normal}`, 'utf8').digest('hex');
}
