import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import { ACCOUNT_PAGES_CLIENT } from '../oidc/provider.js';
import { accountPageState, sessionSignInUrl, type AccountPage } from '../oidc/session-sign-in.js';
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

/** Where a page of /account sends a browser to sign in; `again`: a fresh sign-in whatever the session (`max_age=0`). */
export function accountSignInUrl(issuer: string, page: AccountPage, again = false): string {
  return sessionSignInUrl({
    clientId: ACCOUNT_PAGES_CLIENT,
    redirectUri: `${issuer}/account/callback`,
    state: accountPageState(page),
    ...(again ? { maxAge: 0 } : {}),
  });
}

/**
 * The signed-in account for `page`, or undefined once the browser has been sent to sign in (and back to `page`).
 * `recent`: the page changes how the account signs in, or erases it, so an older session signs in again first.
 */
export async function accountForPage(
  ctx: Context,
  deps: { issuer: string; provider: Provider; accounts: AccountStore; recentSignInSeconds: number },
  page: AccountPage,
  recent = false,
): Promise<SignedInAccount | undefined> {
  const signed = await signedInAccount(ctx, deps);
  if (!signed || (recent && !signed.recent)) {
    ctx.redirect(accountSignInUrl(deps.issuer, page, signed !== undefined));
    return undefined;
  }
  return signed;
}
