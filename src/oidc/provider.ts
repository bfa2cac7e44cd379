import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Account as StoredAccount } from '../accounts/account.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import { createAdapter } from './adapter.js';
import { accountClaims, claimsForScopes, CLAIMS_BY_SCOPE } from './claims.js';
import type { SigningJwk } from './keys.js';
import { ACR_VALUES, loginPolicy, REQUIRE_MFA, REQUIRE_VERIFIED_EMAIL } from './login-policy.js';
import { ACCENT_COLOR, ACCENT_COLOR_PATTERN } from '../http/client-branding.js';
import { LOCALES } from '../i18n/locales.js';

/** The hosted pages oidc-provider renders itself (logout, errors) are drawn by the page layer. */
export interface ProviderPages {
  logout(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  loggedOut(ctx: KoaContextWithOIDC): Promise<void>;
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string | undefined }): Promise<void>;
}

export interface ProviderDependencies {
  config: Config;
  accounts: AccountStore;
  artifacts: ArtifactStore;
  /** The JWKS to start with (`providerJwks`); rotations replace it later (`useKeys`). */
  jwks: { keys: SigningJwk[] };
  cookieKeys: string[];
  pages: ProviderPages;
  logger: Logger;
  /**
   * The operators' side, given by the composition root (the protocol layer knows nothing of the console): its own
   * client, and the scope a token for the admin API resource carries.
   */
  admin: { consoleClient: ClientMetadata; apiScope: string };
}

/** Client metadata: a first-party client skips the consent page. */
export const FIRST_PARTY = 'first_party';
/** Client metadata: an API allowed to introspect tokens issued to other clients. */
export const INTROSPECT_ANY = 'introspect_any_token';
/** Client metadata: a client that may get tokens for the admin API (automation, with client credentials). */
export const ADMIN_API_CLIENT = 'admin_api';
/**
 * Client metadata: `false` lets a confidential client that cannot send PKCE (an old relying party) go without it.
 * PKCE is required of every client otherwise, as the OAuth 2.0 Security BCP (RFC 9700) asks.
 */
export const PKCE_REQUIRED = 'pkce_required';

/**
 * oidc-provider, configured: it owns the protocol (discovery, authorize, token, userinfo, revocation, introspection,
 * logout); this file only tells it where accounts, artifacts, keys and pages come from.
 */
export function createProvider(deps: ProviderDependencies): Provider {
  const { config } = deps;
  const adminApi = `${config.issuer}/admin/api`;
  const secureCookies = new URL(config.issuer).protocol === 'https:';

  // The stored account behind each account object this request's findAccount returned: the token endpoint reads the
  // account once, and its access token's claims come from that read rather than a second one a moment later.
  const storedAccounts = new WeakMap<object, StoredAccount>();
  const findAccount = async (_ctx: KoaContextWithOIDC, sub: string) => {
    const account = await deps.accounts.findById(sub);
    // A switched-off account's tokens stop working with it (refresh, userinfo), not only its sign-in.
    if (!account || account.disabled) return undefined;
    const found = { accountId: account.id, claims: () => accountClaims(account) };
    storedAccounts.set(found, account);
    return found;
  };

  const configuration: Configuration = {
    adapter: createAdapter(deps.artifacts),
    clients: [...config.clients, deps.admin.consoleClient, accountPagesClient(config)],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    extraClientMetadata: {
      properties: [
        FIRST_PARTY,
        INTROSPECT_ANY,
        ADMIN_API_CLIENT,
        PKCE_REQUIRED,
        REQUIRE_MFA,
        REQUIRE_VERIFIED_EMAIL,
        ACCENT_COLOR,
      ],
      validator(_ctx, key, value) {
        if (value === undefined) return;
        if (key === ACCENT_COLOR) {
          if (typeof value !== 'string' || !ACCENT_COLOR_PATTERN.test(value)) {
            throw new errors.InvalidClientMetadata(`${key} must be a colour as #rrggbb`);
          }
        } else if (typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
        }
      },
    },
    findAccount,
    // The languages of the hosted pages; a client's `ui_locales` picks one of them (src/i18n/).
    discovery: { claim_types_supported: ['normal'], ui_locales_supported: [...LOCALES] },
    fetch: privateNetworkFetch(new Set(config.privateNetworkOrigins)),
    // Authorization code only: no implicit or hybrid responses putting tokens in browser URLs.
    responseTypes: ['code'],
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])),
    // Declared, or oidc-provider drops `acr` altogether; the login result sets it (see `finishSignIn`).
    acrValues: [...ACR_VALUES],
    scopes: ['openid', 'offline_access', ...Object.keys(CLAIMS_BY_SCOPE).filter((s) => s !== 'openid')],
    // Put the scopes' claims in the ID token too, not only behind userinfo: most apps read the ID token alone.
    conformIdTokenClaims: false,
    jwks: deps.jwks,
    cookies: {
      keys: deps.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', secure: secureCookies },
      short: { httpOnly: true, sameSite: 'lax', secure: secureCookies },
    },
    pkce: {
      // Required of every client (S256 only); a confidential client may be let off by its metadata, a public never.
      required: (_ctx, client) => client.clientAuthMethod === 'none' || client.metadata()[PKCE_REQUIRED] !== false,
    },
    features: {
      // Automation for the admin API; only clients declared with grant_types client_credentials can use it.
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      // A client may revoke and introspect its own tokens; introspecting others' needs introspect_any_token.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) =>
          token.clientId === client.clientId ||
          (client.clientAuthMethod !== 'none' && client.metadata()[INTROSPECT_ANY] === true),
      },
      userinfo: { enabled: true },
      // OpenID Connect Back-Channel Logout 1.0, for clients that register a `backchannel_logout_uri`: signing out at
      // the IdP posts a logout token to each relying party the session signed in to.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => deps.pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => deps.pages.loggedOut(ctx),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          if (indicator === adminApi) {
            if (client.metadata()[ADMIN_API_CLIENT] !== true) throw new errors.InvalidTarget();
            return {
              scope: deps.admin.apiScope,
              audience: adminApi,
              accessTokenFormat: 'jwt',
              accessTokenTTL: 600,
              jwt: { sign: { alg: 'RS256' as const } },
            };
          }
          const server = config.resourceServers[indicator];
          if (!server) throw new errors.InvalidTarget();
          return {
            scope: server.scope,
            audience: server.audience ?? indicator,
            accessTokenFormat: server.accessTokenFormat,
            ...(server.accessTokenTTL ? { accessTokenTTL: server.accessTokenTTL } : {}),
            ...(server.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'RS256' as const } } } : {}),
          };
        },
      },
    },
    // Access tokens carry the same scope claims as the ID token: inside a JWT access token, and on introspection.
    // An access token for an API holds only the API's scopes, so the grant's OpenID scopes decide its claims.
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const found = ctx.oidc.account;
      const loaded = found?.accountId === token.accountId ? storedAccounts.get(found) : undefined;
      const account = loaded ?? (await deps.accounts.findById(token.accountId));
      if (!account) return undefined;
      const scopes = new Set([...(token.scope ?? '').split(' '), ...(ctx.oidc.grant?.getOIDCScope() ?? '').split(' ')]);
      return claimsForScopes(account, scopes);
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    loadExistingGrant: (ctx) => loadGrant(ctx, deps.artifacts),
    // The default policy, plus: a client or request that needs a second factor is not satisfied by a session without.
    interactions: {
      policy: loginPolicy({
        hasVerifiedEmail: async (accountId) => {
          const account = await deps.accounts.findById(accountId);
          return account?.email !== undefined && account.emailVerified;
        },
      }),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    renderError: (ctx, out) => deps.pages.error(ctx, out),
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      // Machine tokens (the admin API's automation) live as long as any other access token: a replaced signing key
      // stays published that long (src/oidc/signing-keys.ts), not oidc-provider's default ten minutes.
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
      Grant: config.ttl.grant,
    },
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  logProviderErrors(provider, deps.logger);
  return provider;
}

/**
 * The grant this sign-in goes on under: the one just given or this session's, else the one the user gave the client
 * in an earlier session (consent is remembered per user and client until revoked, not per browser session), else
 * for a first-party client one made on the spot.
 */
async function loadGrant(ctx: KoaContextWithOIDC, artifacts: ArtifactStore) {
  const { oidc } = ctx;
  const client = oidc.client;
  const session = oidc.session;
  if (!client || !session?.accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId
    ? await oidc.provider.Grant.find(grantId)
    : await rememberedGrant(oidc.provider, artifacts, session.accountId, client.clientId);
  if (existing && !grantId) session.grantIdFor(client.clientId, existing.jti);
  if (client.metadata()[FIRST_PARTY] !== true) return existing;

  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(oidc.requestParamOIDCScopes);
  grant.addOIDCClaims(oidc.requestParamClaims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(
      indicator,
      [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope)),
    );
  }
  await grant.save();
  return grant;
}

/** The newest live grant the account gave the client, in any session. */
async function rememberedGrant(provider: Provider, artifacts: ArtifactStore, accountId: string, clientId: string) {
  const grants = (await artifacts.findByAccount('Grant', accountId)).filter((grant) => grant.clientId === clientId);
  const newest = grants.sort((a, b) => Number(b.iat ?? 0) - Number(a.iat ?? 0))[0];
  return typeof newest?.jti === 'string' ? await provider.Grant.find(newest.jti) : undefined;
}

/**
 * oidc-provider's outgoing calls (back-channel logout tokens) go through a dispatcher that refuses private and
 * loopback addresses, against server-side request forgery; relying parties at origins the operator listed
 * (`privateNetworkOrigins`) live on such a network and are called without it.
 */
function privateNetworkFetch(allowed: ReadonlySet<string>): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (!allowed.has(url.origin) || !init) return fetch(input, init);
    // `dispatcher` is undici's option, set by oidc-provider; RequestInit's type does not name it.
    const withoutGuard: RequestInit & { dispatcher?: unknown } = { ...init };
    delete withoutGuard.dispatcher;
    return fetch(input, withoutGuard);
  };
}

function logProviderErrors(provider: Provider, logger: Logger) {
  const log = logger.child({ component: 'oidc' });
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    log.error({ err: error, path: ctx.path }, 'oidc-provider server error');
  });
  const logRejection = (event: string) => (_ctx: KoaContextWithOIDC, error: Error & { error_description?: string }) => {
    log.info({ error: error.message, description: error.error_description }, event);
  };
  provider.on('authorization.error', logRejection('authorization.error'));
  provider.on('grant.error', logRejection('grant.error'));
  provider.on('end_session.error', logRejection('end_session.error'));
  provider.on('userinfo.error', logRejection('userinfo.error'));
  // A relying party that did not take its logout token keeps its session: the operator's to know.
  provider.on(
    'backchannel.error',
    (_ctx: KoaContextWithOIDC, error: Error, client: { clientId: string }, accountId: string, sid: string) => {
      log.warn({ err: error, clientId: client.clientId, accountId, sid }, 'back-channel logout failed');
    },
  );
  provider.on('backchannel.success', (_ctx: KoaContextWithOIDC, client: { clientId: string }, accountId: string) => {
    log.info({ clientId: client.clientId, accountId }, 'back-channel logout delivered');
  });
}

/** The user's own pages' client (/account): like the console's, it only starts a sign-in to get a session. */
export const ACCOUNT_PAGES_CLIENT = 'idp-account';

function accountPagesClient(config: Config): ClientMetadata {
  return {
    client_id: ACCOUNT_PAGES_CLIENT,
    client_name: `Your ${config.productName} account`,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${config.issuer}/account/callback`],
    post_logout_redirect_uris: [`${config.issuer}/account/apps`],
    [FIRST_PARTY]: true,
  };
}
