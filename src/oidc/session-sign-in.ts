import { createHash, randomBytes } from 'node:crypto';

/**
 * Where the IdP's own pages (the console, a user's /account pages) send a browser that has no session: an
 * authorization request of their own first-party client. They need only the session the sign-in leaves behind, so
 * the PKCE verifier is never used, and the code the callback gets is never redeemed.
 */
export function sessionSignInUrl(client: { clientId: string; redirectUri: string; state?: string }): string {
  const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
  const params = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(client.state === undefined ? {} : { state: client.state }),
  });
  return `/auth?${params.toString()}`;
}
