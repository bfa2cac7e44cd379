import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import type { AccountStore } from '../store/store.js';

export interface SignedInAccount {
  account: Account;
  /** The session's id in the store (its `jti`), to tell this browser's session among the account's. */
  sessionId: string;
  /** Whether the sign-in is recent enough to change sign-in methods or delete the account. */
  recent: boolean;
}

/**
 * The account of the browser's IdP session, if any, for the user's own pages (/account/…). "Recent" is judged
 * against `recentSignInSeconds` (`mfa.recentSignInSeconds`): a session left open on a shared computer, or stolen,
 * must not be enough to change how the account signs in, or to erase it.
 */
export async function signedInAccount(
  ctx: Context,
  deps: { provider: Provider; accounts: AccountStore; recentSignInSeconds: number },
): Promise<SignedInAccount | undefined> {
  const session = await deps.provider.Session.get(ctx);
  const account = session.accountId ? await deps.accounts.findById(session.accountId) : undefined;
  if (!account) return undefined;
  const recent = Date.now() / 1000 - (session.authTime() ?? 0) <= deps.recentSignInSeconds;
  return { account, sessionId: session.jti, recent };
}
