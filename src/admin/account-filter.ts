import { normaliseLogin } from '../accounts/account.js';
import type { AccountStore } from '../store/store.js';

export type AccountFilter = { accountId: string } | { accountIdPrefix: string };

/**
 * Who "account" names in the console's event filter: an id, a username or email, or the short id the console shows.
 * Nothing when the text is empty; text that names no one still filters (to nothing), rather than showing everyone.
 */
export async function accountFilter(accounts: AccountStore, text: string): Promise<AccountFilter | undefined> {
  if (text === '') return undefined;
  if (await accounts.findById(text)) return { accountId: text };
  const byLogin = await accounts.findByLogin(normaliseLogin(text));
  if (byLogin) return { accountId: byLogin.id };
  return /^[0-9a-f-]{4,36}$/i.test(text) ? { accountIdPrefix: text.toLowerCase() } : { accountId: text };
}
