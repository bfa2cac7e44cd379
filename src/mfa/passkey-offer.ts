import type { Account } from '../accounts/account.js';
import type { RecordEvent } from '../events/recorder.js';
import type { AccountStore } from '../store/store.js';
import type { Passkeys } from './passkeys.js';

/**
 * The offer of a passkey at the end of a sign-in with a password: the moment a user has just proved their (often
 * legacy) password is the best moment to move them beyond it. Made right after the just-in-time migration and at
 * every later password sign-in, until the account has a passkey or the user says not to ask again.
 */
export interface PasskeyOffer {
  /**
   * The account, when it is to be offered a passkey now: offers are on, the IdP can do passkeys, the browser said
   * it can too, the sign-in did not use a passkey, the account has none and has not declined.
   */
  offerTo(accountId: string, signIn: { amr: readonly string[]; browserReady: boolean }): Promise<Account | undefined>;
  /** The user's answer: a passkey added, not now (asked again next time), or never again. */
  answered(accountId: string, answer: PasskeyOfferAnswer, at?: Date): Promise<void>;
}

export type PasskeyOfferAnswer = 'added' | 'later' | 'declined';

/** RFC 8176 methods that mean a passkey took part in the sign-in. */
const PASSKEY_METHODS = new Set(['hwk', 'swk']);

export function createPasskeyOffer(deps: {
  /** `mfa.offerPasskeyAfterSignIn`. */
  enabled: boolean;
  passkeys: Pick<Passkeys, 'available' | 'list'>;
  accounts: AccountStore;
  record: RecordEvent;
}): PasskeyOffer {
  const on = deps.enabled && deps.passkeys.available;
  return {
    async offerTo(accountId, { amr, browserReady }) {
      if (!on || !browserReady || amr.some((method) => PASSKEY_METHODS.has(method))) return undefined;
      const account = await deps.accounts.findById(accountId);
      if (!account || account.passkeyOfferDeclinedAt) return undefined;
      return (await deps.passkeys.list(accountId)).length === 0 ? account : undefined;
    },
    async answered(accountId, answer, at = new Date()) {
      if (answer === 'declined') await deps.accounts.declinePasskeyOffer(accountId, at);
      await deps.record({ type: 'passkey_offer_answered', accountId, answer });
    },
  };
}
