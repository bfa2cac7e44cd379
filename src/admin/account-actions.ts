import type { Account } from '../accounts/account.js';
import type { EraseAccount } from '../erasure/erase-account.js';
import type { AdminAction } from '../events/event.js';
import type { RecordEvent } from '../events/recorder.js';
import type { EndSessions } from '../oidc/end-sessions.js';
import type { AccountStore, FactorStore } from '../store/store.js';

/**
 * What an identity team does to one account on day one: switch it off and on, make its user choose a new password,
 * end its sessions and grants everywhere, delete it. Each is recorded as an `admin_action` with the operator, in the
 * account's own history too.
 */
export type AccountAction =
  'disable' | 'enable' | 'require-password-reset' | 'revoke-sessions' | 'reset-factors' | 'delete';
export const ACCOUNT_ACTIONS: readonly AccountAction[] = [
  'disable',
  'enable',
  'require-password-reset',
  'revoke-sessions',
  'reset-factors',
  'delete',
];

export type AccountActionOutcome = { kind: 'done'; account: Account | undefined } | { kind: 'not-found' };

export type ActOnAccount = (action: AccountAction, accountId: string, adminId: string) => Promise<AccountActionOutcome>;

const RECORDED_AS: Record<AccountAction, AdminAction> = {
  disable: 'account_disabled',
  enable: 'account_enabled',
  'require-password-reset': 'password_reset_required',
  'revoke-sessions': 'sessions_revoked',
  'reset-factors': 'factors_reset',
  delete: 'account_deleted',
};

export function createAccountActions(deps: {
  accounts: AccountStore;
  /** Ends the account's sessions, grants and tokens, telling relying parties through the back channel. */
  endSessions: EndSessions;
  factors: FactorStore;
  /** Deleting is erasing: the account, its sessions and the personal data in its events (accounts/erase-account.ts). */
  erase: EraseAccount;
  record: RecordEvent;
  now?: () => Date;
}): ActOnAccount {
  const now = deps.now ?? (() => new Date());
  return async (action, accountId, adminId) => {
    const account = await deps.accounts.findById(accountId);
    if (!account) return { kind: 'not-found' };
    switch (action) {
      case 'disable':
        await deps.accounts.setDisabled(account.id, true, now());
        // Switched off means signed out everywhere too.
        await deps.endSessions(account.id);
        break;
      case 'enable':
        await deps.accounts.setDisabled(account.id, false, now());
        break;
      case 'require-password-reset':
        // Its password no longer works; "Forgot your password?" sets a new one. Its sessions end with it.
        await deps.accounts.updatePassword(account.id, { kind: 'none' }, now());
        await deps.endSessions(account.id);
        break;
      case 'revoke-sessions':
        await deps.endSessions(account.id);
        break;
      case 'reset-factors': {
        // A user who lost their phone and their recovery codes: the password alone signs in again, until they set
        // up a new app. Its sessions end too, so whoever holds one must sign in with what is left.
        const removed = await deps.factors.remove(account.id);
        await deps.endSessions(account.id);
        if (removed > 0) await deps.record({ type: 'factor_removed', accountId: account.id, factor: 'all', adminId });
        break;
      }
      case 'delete':
        await deps.erase(account.id, { kind: 'operator', adminId });
        break;
    }
    await deps.record({ type: 'admin_action', adminId, action: RECORDED_AS[action], accountId: account.id });
    return { kind: 'done', account: action === 'delete' ? undefined : await deps.accounts.findById(account.id) };
  };
}
