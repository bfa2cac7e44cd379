import type { Account } from '../accounts/account.js';

/** Which claims each scope releases; oidc-provider filters what `accountClaims` returns by these. */
export const CLAIMS_BY_SCOPE = {
  // `amr` (RFC 8176: how the user was authenticated, e.g. pwd, otp, mfa) and `acr` (which of the ACRs in
  // `login-policy.ts` that reached) are the session's, not the account's: oidc-provider fills them in, but releases
  // `amr` only when it is listed here, and `acr` otherwise only to a request that asks for it.
  openid: ['sub', 'acr', 'amr'],
  profile: ['preferred_username', 'name', 'given_name', 'family_name', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles'],
  /** How the account came to be: lets an app greet a user who was just moved from the old system. */
  migration: ['account_origin', 'migrated_at'],
} as const;

export type Claims = { sub: string } & Record<string, unknown>;

/** Every claim the account can supply; the protocol layer releases only those its scopes allow. */
export function accountClaims(account: Account): Claims {
  return {
    sub: account.id,
    preferred_username: account.username,
    name: account.name ?? ([account.givenName, account.familyName].filter(Boolean).join(' ') || undefined),
    given_name: account.givenName,
    family_name: account.familyName,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
    email: account.email,
    email_verified: account.email === undefined ? undefined : account.emailVerified,
    roles: account.roles,
    account_origin: account.origin,
    migrated_at: account.legacy ? Math.floor(account.legacy.migratedAt.getTime() / 1000) : undefined,
  };
}

/** The claims of the given scopes only, for tokens that carry claims themselves (JWT access tokens, introspection). */
export function claimsForScopes(account: Account, scopes: Iterable<string>): Record<string, unknown> {
  const all = accountClaims(account);
  const released: Record<string, unknown> = {};
  for (const scope of scopes) {
    const names: readonly string[] = (CLAIMS_BY_SCOPE as Record<string, readonly string[] | undefined>)[scope] ?? [];
    for (const name of names) if (name !== 'sub' && all[name] !== undefined) released[name] = all[name];
  }
  return released;
}
