import type { RecordEvent } from '../events/recorder.js';
import type { AccountStore, EventStore } from '../store/store.js';
import type { LegacyTombstones } from './legacy-tombstones.js';

/** Who asked for the erasure: the user on their account page, or an operator (console or admin API). */
export type ErasedBy = { kind: 'user' } | { kind: 'operator'; adminId: string };

/** False when there was no such account. */
export type EraseAccount = (accountId: string, by: ErasedBy) => Promise<boolean>;

export interface EraseDependencies {
  accounts: AccountStore;
  events: EventStore;
  tombstones: LegacyTombstones;
  /** Every session, grant and token of the account, relying parties told through the back channel. */
  endSessions: (accountId: string) => Promise<void>;
  record: RecordEvent;
  now?: () => Date;
}

/**
 * Erasure (GDPR art. 17), the one way an account is deleted. In this order, so that a failure part way leaves nothing
 * a user could not repeat: the tombstone of the legacy link first (while the account exists it changes nothing, since
 * the account itself answers for its legacy user), then its sessions, grants and tokens, then the account with its
 * second factors, then the personal data in its earlier events. What stays is the account's random id, in its events
 * and in the `account_deleted` event that the `user.deleted` webhook carries.
 */
export function createEraseAccount(deps: EraseDependencies): EraseAccount {
  const now = deps.now ?? (() => new Date());
  return async (accountId, by) => {
    const account = await deps.accounts.findById(accountId);
    if (!account) return false;
    if (account.legacy) await deps.tombstones.bury(account.legacy, now());
    await deps.endSessions(account.id);
    await deps.accounts.delete(account.id);
    await deps.events.eraseAccount(account.id);
    await deps.record({
      type: 'account_deleted',
      accountId: account.id,
      by: by.kind,
      ...(by.kind === 'operator' ? { adminId: by.adminId } : {}),
      ...(account.legacy ? { legacyTombstone: true } : {}),
    });
    return true;
  };
}
