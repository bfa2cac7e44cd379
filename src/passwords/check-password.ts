import type { StoredPassword } from './stored-password.js';
import type { PasswordHasher } from './password-hasher.js';

export type PasswordCheck =
  /** `upgraded` is the bcrypt hash to store instead of a legacy one. */
  | { kind: 'match'; upgraded?: StoredPassword }
  | { kind: 'mismatch' }
  /** Imported without a password: only a password reset can set one. */
  | { kind: 'reset-required' }
  | { kind: 'unusable'; reason: string };

/** The presented password against whatever the account stores; every branch costs about one verification. */
export async function checkPassword(
  hasher: PasswordHasher,
  stored: StoredPassword,
  password: string,
): Promise<PasswordCheck> {
  switch (stored.kind) {
    case 'bcrypt':
      return (await hasher.verify(password, stored.hash)) ? { kind: 'match' } : { kind: 'mismatch' };
    case 'legacy': {
      const verdict = await hasher.verifyLegacy(password, stored.hash, stored.options, stored.salt);
      if (verdict.kind === 'unsupported') return { kind: 'unusable', reason: verdict.reason };
      if (verdict.kind === 'mismatch') return { kind: 'mismatch' };
      // The legacy hash has done its job once: from now on the account holds the IdP's own.
      return { kind: 'match', upgraded: { kind: 'bcrypt', hash: await hasher.hash(password) } };
    }
    case 'none':
      await hasher.verifyDecoy(password);
      return { kind: 'reset-required' };
  }
}
