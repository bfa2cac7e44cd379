import type { Account } from '../accounts/account.js';
import type { RecordEvent } from '../events/recorder.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';

/**
 * A weak legacy password replaced at sign-in (`passwords.requireChangeOfWeakLegacyPasswords`): the sign-in is
 * right, but it does not complete until a password the policy accepts is chosen. The change is bound to the
 * sign-in's interaction, so only the browser that signed in can make it.
 */
export interface WeakLegacyPassword {
  /**
   * Whether this password must be replaced before the sign-in completes. Judged at every sign-in, not only the
   * migrating one, so a user who walks away from the change is asked again; passwords chosen here already passed the
   * policy, so in practice only migrated legacy passwords are caught.
   */
  isWeak(password: string, profile: { username: string; email?: string | undefined }): boolean;
  /**
   * Signed in, but not let through yet: the choice of a new password waits on this interaction. `amr` is how the
   * sign-in was authenticated so far (a second factor already passed), carried to its end.
   */
  require(interactionUid: string, accountId: string, amr: readonly string[]): Promise<void>;
  /** The account whose change waits on this interaction, if one does. */
  pendingFor(interactionUid: string): Promise<Account | undefined>;
  change(interactionUid: string, account: Account, password: string): Promise<WeakPasswordChangeOutcome>;
}

export type WeakPasswordChangeOutcome =
  | { kind: 'changed'; accountId: string; amr: string[] }
  /** `problem` completes "The new password …". */
  | { kind: 'refused'; problem: string }
  /** Already changed (a second submission) or expired. */
  | { kind: 'not-pending' };

const PASSWORD_CHANGE = 'PasswordChange';
const PASSWORD_CHANGE_TTL_SECONDS = 600;

export function createWeakLegacyPassword(deps: {
  policy: PasswordPolicy;
  hasher: PasswordHasher;
  accounts: AccountStore;
  artifacts: ArtifactStore;
  record: RecordEvent;
}): WeakLegacyPassword {
  return {
    isWeak: (password, profile) =>
      deps.policy(password, { username: profile.username, email: profile.email }) !== undefined,
    require: (interactionUid, accountId, amr) =>
      deps.artifacts.upsert(PASSWORD_CHANGE, interactionUid, { accountId, amr: [...amr] }, PASSWORD_CHANGE_TTL_SECONDS),
    async pendingFor(interactionUid) {
      const pending = await deps.artifacts.find(PASSWORD_CHANGE, interactionUid);
      const accountId = typeof pending?.accountId === 'string' ? pending.accountId : undefined;
      return accountId ? await deps.accounts.findById(accountId) : undefined;
    },
    async change(interactionUid, account, password) {
      const problem = deps.policy(password, { username: account.username, email: account.email });
      if (problem) return { kind: 'refused', problem };
      const hash = await deps.hasher.hash(password);
      // Taken, not just read: of two submissions racing, one changes the password and the other finds nothing.
      const pending = await deps.artifacts.take(PASSWORD_CHANGE, interactionUid);
      if (!pending) return { kind: 'not-pending' };
      await deps.accounts.updatePassword(account.id, { kind: 'bcrypt', hash }, new Date());
      await deps.record({ type: 'password_changed', accountId: account.id, reason: 'weak_legacy_password' });
      const amr = Array.isArray(pending.amr) ? pending.amr.filter((m): m is string => typeof m === 'string') : [];
      return { kind: 'changed', accountId: account.id, amr: amr.length > 0 ? amr : ['pwd'] };
    },
  };
}
