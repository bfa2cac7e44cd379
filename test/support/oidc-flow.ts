import * as oidc from 'openid-client';
import { RP_REDIRECT, TEST_CLIENTS } from './harness.js';

/**
 * A real OIDC client (openid-client) plus a cookie-keeping HTTP user agent that fills in the hosted pages the way a
 * browser without JavaScript would. Redirects are followed by hand so each step can be asserted.
 */

export type ClientName = keyof typeof TEST_CLIENTS;

export async function discover(issuer: string, client: ClientName = 'firstParty'): Promise<oidc.Configuration> {
  const { client_id, client_secret } = TEST_CLIENTS[client];
  return oidc.discovery(
    new URL(issuer),
    client_id,
    client_secret === undefined ? { token_endpoint_auth_method: 'none' } : client_secret,
    client_secret === undefined ? oidc.None() : undefined,
    // Test servers are plain http on loopback.
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

/** The scope the test flows and the benchmark ask for: every claim the IdP has. */
export const SIGN_IN_SCOPE = 'openid profile email roles migration';

/** Keeps the cookies `Set-Cookie` lines set in `jar`, and drops the ones they expire. */
export function keepCookies(jar: Map<string, string>, setCookieLines: readonly string[]): void {
  for (const line of setCookieLines) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

/** The `Cookie` header that sends every cookie in `jar`. */
export function cookieHeader(jar: ReadonlyMap<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** The CSRF field of a hosted page's form. */
export function csrfFieldOf(html: string): string | undefined {
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1];
}

export class UserAgent {
  readonly #cookies = new Map<string, string>();
  /** Sent with every request (an `x-forwarded-for`, to stand for another address behind a trusted proxy). */
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: { headers?: Record<string, string> } = {}) {
    this.#headers = options.headers ?? {};
  }

  /** The CSRF field of the last page read; sent with every form, as a browser filling that page's form would. */
  #csrf = '';

  /** The CSRF field a form on the last page read would carry. */
  get csrf(): string {
    return this.#csrf;
  }

  /**
   * `form` is encoded as a browser would, with the page's CSRF field; `raw` is sent byte for byte with the given
   * content type, for input no browser would send.
   */
  async request(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      raw?: { body: string | Uint8Array<ArrayBuffer>; type?: string };
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html', ...this.#headers };
    if (this.#cookies.size > 0) headers.cookie = cookieHeader(this.#cookies);
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams({ ...(this.#csrf ? { csrf: this.#csrf } : {}), ...init.form }).toString();
    } else if (init.raw) {
      if (init.raw.type !== undefined) headers['content-type'] = init.raw.type;
      body = init.raw.body;
    }
    const response = await fetch(url, {
      method: init.method ?? (init.form || init.raw ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    keepCookies(this.#cookies, response.headers.getSetCookie());
    // (A null-body status cannot be rebuilt with a body, and has no page to read.)
    if (!response.headers.get('content-type')?.includes('text/html') || [204, 205, 304].includes(response.status)) {
      return response;
    }
    // Read once and handed on as a fresh response: cloning would tee the body stream, which costs more.
    const html = await response.text();
    const csrf = csrfFieldOf(html);
    if (csrf) this.#csrf = csrf;
    return new Response(html, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /**
   * Requests `url` (a form when given) and follows every redirect, to any host, as a browser would (across the IdP
   * and a relying party such as Apache's mod_auth_openidc), until a page is shown.
   */
  async browse(url: string, form?: Record<string, string>): Promise<{ response: Response; url: string }> {
    let response = await this.request(url, form ? { form } : {});
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      current = new URL(location, current).href;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  /** Follows redirects until one leaves the IdP (the client's redirect URI) or a page is shown. */
  async follow(response: Response, base: string): Promise<{ response: Response; url: string }> {
    let current = response;
    let url = '';
    for (let hops = 0; hops < 10; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return { response: current, url };
      url = new URL(location, base).href;
      if (!url.startsWith(base)) return { response: current, url };
      current = await this.request(url);
    }
    throw new Error('too many redirects');
  }
}

export interface SignInAttempt {
  /** Status of the answer to the sign-in form. */
  status: number;
  /** The page shown when the sign-in did not complete. */
  page: string;
  tokens?: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  agent: UserAgent;
}

export interface SignInOptions {
  client?: ClientName;
  scope?: string;
  resource?: string;
  /** Approve the consent page if it is shown (third-party clients). */
  consent?: boolean;
  /** Post the sign-in form to another IdP process on the same store (its base URL) instead of the issuer. */
  loginBase?: string;
  agent?: UserAgent;
  /** The client's configuration from an earlier discovery, to skip fetching it again (the benchmark's load). */
  config?: oidc.Configuration;
  /** More parameters of the authorization request (`ui_locales`, `login_hint`, …). */
  params?: Record<string, string>;
}

/** Starts an authorization request and returns the hosted page it lands on. */
export async function beginAuthorization(issuer: string, options: SignInOptions = {}) {
  const config = options.config ?? (await discover(issuer, options.client));
  const agent = options.agent ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: RP_REDIRECT,
    scope: options.scope ?? SIGN_IN_SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(options.resource ? { resource: options.resource } : {}),
    ...options.params,
  });
  const landed = await agent.follow(await agent.request(url.href), issuer);
  return { config, agent, verifier, state, nonce, interactionUrl: landed.url, page: landed.response };
}

/** The whole authorization code flow with PKCE through the hosted sign-in page. */
export async function signIn(
  issuer: string,
  login: string,
  password: string,
  options: SignInOptions = {},
): Promise<SignInAttempt> {
  const start = await beginAuthorization(issuer, options);
  const { agent } = start;
  const loginUrl = options.loginBase ? start.interactionUrl.replace(issuer, options.loginBase) : start.interactionUrl;
  const posted = await agent.request(`${loginUrl}/login`, { form: { login, password } });
  if (posted.status !== 303) return { status: posted.status, page: await posted.text(), agent };
  let next = await agent.follow(posted, issuer);
  if (next.url.startsWith(`${issuer}/interaction/`)) {
    if (!options.consent) return { status: next.response.status, page: await next.response.text(), agent };
    next = await agent.follow(await agent.request(`${next.url}/confirm`, { form: {} }), issuer);
  }
  const tokens = await finishAuthorization(start, next.url);
  return { status: posted.status, page: '', tokens, agent };
}

export async function finishAuthorization(
  start: { config: oidc.Configuration; verifier: string; state: string; nonce: string },
  callbackUrl: string,
) {
  if (!callbackUrl.startsWith(RP_REDIRECT)) throw new Error(`expected a redirect to the client, got ${callbackUrl}`);
  return oidc.authorizationCodeGrant(start.config, new URL(callbackUrl), {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
}
