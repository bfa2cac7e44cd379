import { createRequire } from 'node:module';

/**
 * What a new password must be (sign-up, reset, a forced change), after NIST SP 800-63B: at least `minLength`
 * characters (8 or more), up to 1024, not one of the ~49,000 most common passwords (the list zxcvbn-ts ships), and
 * not the account's own username or email. No composition rules, no expiry. A sign-in is never refused by it:
 * migration must not lock anyone out (`passwords.requireChangeOfWeakLegacyPasswords` asks for a change instead).
 */

export const PASSWORD_MAX_LENGTH = 1024;

export interface PasswordContext {
  username?: string | undefined;
  email?: string | undefined;
}

/** Why a password is refused, in words for the person choosing it; undefined when it is fine. */
export type PasswordPolicy = (password: string, context?: PasswordContext) => string | undefined;

// Read at the first password chosen (a sign-up, a reset, a change), not at start: the set is about 3 MB of heap that
// an IdP mostly signing people in does not need.
let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    (createRequire(import.meta.url)('@zxcvbn-ts/language-common/src/passwords.json') as string[]).map((p) =>
      p.toLowerCase(),
    ),
  );
  return common;
}

export function createPasswordPolicy(minLength: number): PasswordPolicy {
  return (password, context = {}) => {
    // Code points, as NIST counts characters (a UTF-16 length would count some twice).
    const length = Array.from(password).length;
    if (length < minLength) return `must be at least ${String(minLength)} characters`;
    if (length > PASSWORD_MAX_LENGTH) return `must be at most ${String(PASSWORD_MAX_LENGTH)} characters`;
    const folded = password.normalize('NFKC').toLowerCase();
    if (commonPasswords().has(folded)) return 'is one of the most common passwords; choose one that is harder to guess';
    for (const own of [context.username, context.email]) {
      if (own && folded === own.normalize('NFKC').toLowerCase()) return 'must not be your username or email';
    }
    return undefined;
  };
}
