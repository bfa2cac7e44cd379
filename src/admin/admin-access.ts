import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Context } from 'koa';
import type { ClientMetadata } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import type { Config } from '../config/schema.js';
import type { SigningJwk } from '../oidc/keys.js';
import type { SigningKeys } from '../oidc/signing-keys.js';
import { FIRST_PARTY } from '../oidc/provider.js';
import type { AccountStore } from '../store/store.js';

/**
 * Who may operate the IdP. The console uses the IdP's own sign-in (its session cookie, after an authorization
 * request of the internal console client); the API takes JWT access tokens for the admin API resource with the
 * "admin" scope: a user's (who must be an admin) or an automation client's (client credentials). No second
 * password system.
 */

export const ADMIN_CONSOLE_CLIENT = 'idp-admin-console';
export const ADMIN_SCOPE = 'admin';

/**
 * The console's own client: it only ever starts a sign-in so the browser gets an IdP session (the console reads the
 * session; it needs no tokens). Public, so it has no secret to keep, and PKCE is required of it.
 */
export function adminConsoleClient(config: Pick<Config, 'issuer' | 'productName'>): ClientMetadata {
  return {
    client_id: ADMIN_CONSOLE_CLIENT,
    client_name: `${config.productName} console`,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${config.issuer}/admin/callback`],
    post_logout_redirect_uris: [`${config.issuer}/admin`],
    [FIRST_PARTY]: true,
  };
}

export type Admin =
  { kind: 'account'; account: Account; id: string } | { kind: 'client'; clientId: string; id: string };

export interface AdminAccess {
  readonly apiResource: string;
  /** The signed-in admin of this browser, if the IdP session belongs to one; `session` when signed in at all. */
  consoleAdmin(ctx: Context): Promise<{ admin?: Admin; signedIn: boolean; sessionUid?: string }>;
  /**
   * The admin behind a bearer token, or why not: `invalid_token` (401) for a token that proves nothing,
   * `insufficient_scope` (403) for a valid token of someone who may not operate the IdP (RFC 6750).
   */
  apiAdmin(authorization: string): Promise<Admin | { problem: string; error: 'invalid_token' | 'insufficient_scope' }>;
  isAdmin(account: Account): boolean;
}

export function createAdminAccess(deps: {
  config: Config;
  provider: Provider;
  accounts: AccountStore;
  /** The IdP's own signing keys: admin API tokens are JWTs it signed. */
  signingKeys: Pick<SigningKeys, 'current'>;
}): AdminAccess {
  const roles = new Set(deps.config.admin.roles);
  const accountIds = new Set(deps.config.admin.accountIds);
  const apiResource = `${deps.config.issuer}/admin/api`;
  // Built again only when the published keys change (a rotation): tokens signed by a key still published verify.
  let verifier: { published: readonly SigningJwk[]; keys: ReturnType<typeof createLocalJWKSet> } | undefined;
  const publicKeys = () => {
    const { published } = deps.signingKeys.current();
    if (verifier?.published !== published) {
      const keys = published.map(({ kty, crv, x, y, n, e, kid, alg, use }) => ({
        kty,
        crv,
        x,
        y,
        n,
        e,
        kid,
        alg,
        use,
      }));
      verifier = { published, keys: createLocalJWKSet({ keys }) };
    }
    return verifier.keys;
  };
  const isAdmin = (account: Account) => account.roles.some((role) => roles.has(role)) || accountIds.has(account.id);

  return {
    apiResource,
    isAdmin,

    async consoleAdmin(ctx) {
      const session = await deps.provider.Session.get(ctx);
      const accountId = session.accountId;
      if (!accountId) return { signedIn: false };
      const account = await deps.accounts.findById(accountId);
      if (!account) return { signedIn: false };
      return {
        signedIn: true,
        sessionUid: session.uid,
        ...(isAdmin(account) ? { admin: { kind: 'account', account, id: account.id } as const } : {}),
      };
    },

    async apiAdmin(authorization) {
      const token = /^Bearer (\S+)$/i.exec(authorization)?.[1];
      const invalid = (problem: string) => ({ problem, error: 'invalid_token' as const });
      const forbidden = (problem: string) => ({ problem, error: 'insufficient_scope' as const });
      if (!token) return invalid('a bearer access token is required');
      let claims;
      try {
        ({ payload: claims } = await jwtVerify(token, publicKeys(), {
          issuer: deps.config.issuer,
          audience: apiResource,
        }));
      } catch {
        return invalid('the access token is invalid or expired');
      }
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
      if (!scopes.includes(ADMIN_SCOPE)) return forbidden(`the access token lacks the "${ADMIN_SCOPE}" scope`);
      if (typeof claims.sub === 'string' && claims.sub !== claims.client_id) {
        const account = await deps.accounts.findById(claims.sub);
        if (!account) return invalid('the user of this token no longer exists');
        if (!isAdmin(account)) return forbidden('the user of this token is not an operator');
        return { kind: 'account', account, id: account.id };
      }
      const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
      return clientId ? { kind: 'client', clientId, id: `client:${clientId}` } : invalid('the token names no one');
    },
  };
}
