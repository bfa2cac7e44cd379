import { createHash, randomBytes } from 'node:crypto';
import { RP_REDIRECT } from '../test/support/harness.js';
import { csrfFieldOf, SIGN_IN_SCOPE } from '../test/support/oidc-flow.js';
import { send as sendLean, type Answer } from './lean-http.js';

/**
 * The benchmark's load generator: the whole authorization code flow with PKCE through the hosted sign-in page, on
 * node:http with kept-alive connections (`lean-http.ts`). It shares the machine's cores with the IdP, so it does no
 * more than a client must: it checks the state, the code's exchange and the ID token's nonce and subject, and leaves
 * signature checks to the test suite's openid-client flows. fetch and openid-client cost about 5 ms of CPU per
 * sign-in here; this costs about a third of that, which is CPU the IdP keeps.
 */

export interface LeanClient {
  client_id: string;
  client_secret: string;
}

/** The `Authorization` header of a confidential client at the token endpoint (client_secret_basic). */
export function basicAuthorization(client: LeanClient): string {
  return `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** One request as the hosted pages' browser sends it: the jar's cookies, kept from the answer; HTML accepted. */
const send = (
  url: URL,
  jar: Map<string, string>,
  options: { form?: Record<string, string>; authorization?: string } = {},
) => sendLean(url, { jar, accept: 'text/html', ...options });

/** Follows the IdP's own redirects; returns the last answer and where it pointed (the client's redirect URI). */
async function follow(answer: Answer, issuer: string, jar: Map<string, string>): Promise<{ answer: Answer; url: URL }> {
  let current = answer;
  let url = new URL(issuer);
  for (let hops = 0; hops < 10; hops++) {
    if (current.status < 300 || current.status >= 400) return { answer: current, url };
    url = new URL(current.location, issuer);
    if (url.origin !== issuer) return { answer: current, url };
    current = await send(url, jar);
  }
  throw new Error('too many redirects');
}

/**
 * Signs `login` in and returns the token response; throws unless the flow ended with tokens for a subject. The first
 * party client is assumed, so no consent page is expected. `secondFactorCode` answers the second step (a TOTP code) when the
 * account has a second factor.
 */
export async function leanSignIn(
  issuer: string,
  client: LeanClient,
  login: string,
  password: string,
  secondFactorCode?: () => string,
): Promise<{ access_token: string; refresh_token?: string; id_token: string }> {
  const jar = new Map<string, string>();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const authorization = new URL(`${issuer}/auth`);
  authorization.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: RP_REDIRECT,
    scope: SIGN_IN_SCOPE,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();

  const page = await follow(await send(authorization, jar), issuer, jar);
  const csrf = csrfFieldOf(page.answer.body);
  if (page.answer.status !== 200 || !csrf) throw new Error(`no sign-in page: ${String(page.answer.status)}`);
  let posted = await send(new URL(`${page.url.href}/login`), jar, { form: { csrf, login, password } });
  const secondStep = secondFactorCode && posted.status === 200 ? csrfFieldOf(posted.body) : undefined;
  if (secondFactorCode && secondStep) {
    posted = await send(new URL(`${page.url.href}/second-factor`), jar, {
      form: { csrf: secondStep, code: secondFactorCode() },
    });
  }
  if (posted.status !== 303) throw new Error(`sign-in of ${login} answered ${String(posted.status)}`);
  const { url: callback } = await follow(posted, issuer, jar);
  const code = callback.searchParams.get('code');
  if (!callback.href.startsWith(RP_REDIRECT) || callback.searchParams.get('state') !== state || !code) {
    throw new Error(`no code for ${login}: ${callback.href}`);
  }

  const exchanged = await send(new URL(`${issuer}/token`), new Map(), {
    authorization: basicAuthorization(client),
    form: { grant_type: 'authorization_code', code, redirect_uri: RP_REDIRECT, code_verifier: verifier },
  });
  if (exchanged.status !== 200) throw new Error(`code exchange for ${login} answered ${String(exchanged.status)}`);
  const tokens = JSON.parse(exchanged.body) as { access_token: string; refresh_token?: string; id_token: string };
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) as {
    nonce?: string;
    sub?: string;
  };
  if (claims.nonce !== nonce || !claims.sub) throw new Error(`an ID token without the nonce or a subject for ${login}`);
  return tokens;
}
