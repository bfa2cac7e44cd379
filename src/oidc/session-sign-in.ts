import { createHash, randomBytes } from 'node:crypto';

/**
 * Where the IdP's own pages (the console, a user's /account pages) send a browser that has no session: an
 * authorization request of their own first-party client. They need only the session the sign-in leaves behind, so
 * the PKCE verifier is never used, and the code the callback gets is never redeemed.
 */
export function sessionSignInUrl(client: {
  clientId: string;
  redirectUri: string;
  state?: string;
  /** Ask for a sign-in at most this old: 0 signs in again whatever the session (before changing sign-in methods). */
  maxAge?: number;
}): string {
  const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
  const params = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(client.state === undefined ? {} : { state: client.state }),
    ...(client.maxAge === undefined ? {} : { max_age: String(client.maxAge) }),
  });
  return `/auth?${params.toString()}`;
}

/**
 * The user's own pages. Each asks for a sign-in with its name as the `state`, so that the callback returns to it
 * (the security and delete pages ask again, for a recent sign-in, before a change).
 */
export const ACCOUNT_PAGES = {
  profile: '/account',
  apps: '/account/apps',
  security: '/account/security',
  sessions: '/account/sessions',
  delete: '/account/delete',
} as const;
export type AccountPage = keyof typeof ACCOUNT_PAGES;

/** Where the callback goes back to for a `state`: the page that asked, or the profile. */
export function accountPageOf(state: unknown): string {
  const page = typeof state === 'string' && state.startsWith('account-') ? state.slice('account-'.length) : '';
  return Object.hasOwn(ACCOUNT_PAGES, page) ? ACCOUNT_PAGES[page as AccountPage] : ACCOUNT_PAGES.profile;
}

export const accountPageState = (page: AccountPage) => `account-${page}`;
