import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import * as oidc from 'openid-client';
import type { DemoClient } from './demo-mode.js';
import type { LegacyUserRecord, LegacyUserService } from './legacy-service.js';

/**
 * The demo's relying party: an ordinary web app signing its users in through the IdP with openid-client
 * (authorization code + PKCE), showing the ID token's claims, and letting the newcomer stop the legacy service to
 * see that migrated users no longer need it.
 */

interface DemoSession {
  pending?: { verifier: string; state: string; nonce: string };
  signedIn?: { claims: Record<string, unknown>; idToken: string; at: number };
}

export interface DemoAppOptions {
  issuer: string;
  client: DemoClient;
  /** The in-process legacy service the page can stop and start; absent when it runs elsewhere. */
  legacy?: LegacyUserService;
  users: readonly LegacyUserRecord[];
}

const COOKIE = 'demo_app_session';
const SCOPE = 'openid profile email roles migration';

export function createDemoApp(options: DemoAppOptions): Koa {
  const sessions = new Map<string, DemoSession>();
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(new URL(options.issuer), options.client.clientId, options.client.clientSecret, undefined, {
        // The demo's issuer is plain http on localhost; real deployments are https and never need this.
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to flag it; http is local-only here
        execute: [oidc.allowInsecureRequests],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  const sessionOf = (ctx: Context): DemoSession => {
    let id = ctx.cookies.get(COOKIE);
    if (!id || !sessions.has(id)) {
      id = randomBytes(16).toString('base64url');
      sessions.set(id, {});
      ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'lax' });
    }
    return sessions.get(id) ?? {};
  };

  const router = new Router();
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = homePage(sessionOf(ctx), options);
  });

  router.get('/login', async (ctx) => {
    const session = sessionOf(ctx);
    const verifier = oidc.randomPKCECodeVerifier();
    session.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(await configuration(), {
      redirect_uri: `${options.client.baseUrl}/callback`,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: session.pending.state,
      nonce: session.pending.nonce,
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const session = sessionOf(ctx);
    const pending = session.pending;
    if (!pending) {
      ctx.redirect('/');
      return;
    }
    delete session.pending;
    const tokens = await oidc.authorizationCodeGrant(
      await configuration(),
      new URL(ctx.originalUrl, options.client.baseUrl),
      { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
    );
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('the IdP returned no ID token');
    session.signedIn = { claims: { ...claims }, idToken: tokens.id_token, at: Date.now() };
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx) => {
    const session = sessionOf(ctx);
    const idToken = session.signedIn?.idToken;
    delete session.signedIn;
    if (!idToken) {
      ctx.redirect('/');
      return;
    }
    const url = oidc.buildEndSessionUrl(await configuration(), {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${options.client.baseUrl}/`,
    });
    ctx.redirect(url.href);
  });

  router.post('/legacy/stop', async (ctx) => {
    await options.legacy?.stop();
    ctx.redirect('/');
  });

  router.post('/legacy/start', async (ctx) => {
    await options.legacy?.start();
    ctx.redirect('/');
  });

  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 502;
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in failed',
        `<p>${escape(error instanceof Error ? error.message : String(error))}</p><p><a href="/">Back</a></p>`,
      );
    }
  });
  app.use(router.routes());
  return app;
}

function homePage(session: DemoSession, options: DemoAppOptions): string {
  const legacy = options.legacy;
  const legacyPanel = !legacy
    ? ''
    : `
    <section>
      <h2>The legacy user service</h2>
      <p>Status: <strong>${legacy.running ? 'running' : 'stopped'}</strong> at <code>${escape(legacy.url)}</code>.
      Calls so far: ${legacy.calls.authenticate} sign-in checks, ${legacy.calls.findUser} look-ups.</p>
      <form method="post" action="/legacy/${legacy.running ? 'stop' : 'start'}">
        <button type="submit">${legacy.running ? 'Stop' : 'Start'} the legacy service</button>
      </form>
      ${legacy.running ? '' : '<p>Users who already migrated still sign in: the IdP never asks the legacy system about them again.</p>'}
    </section>`;

  if (!session.signedIn) {
    const rows = options.users
      .map(
        (u) =>
          `<tr><td><code>${escape(u.profile.user_name)}</code></td><td><code>${escape(u.password)}</code></td><td>${escape(u.note ?? '')}</td></tr>`,
      )
      .join('');
    return page(
      'Demo App',
      `<p>This app knows nothing about passwords: it signs people in through the IdP with OpenID Connect.</p>
      <p><a class="button" href="/login">Sign in</a></p>
      <h2>Users of the old system</h2>
      <p>None of them has an account in the IdP yet. Sign in with one: the IdP asks the legacy service, moves the
      account over and keeps the password (re-hashed).</p>
      <table><thead><tr><th>Username</th><th>Old password</th><th>What happens</th></tr></thead><tbody>${rows}</tbody></table>
      ${legacyPanel}`,
    );
  }

  const { claims } = session.signedIn;
  const migratedAt = typeof claims.migrated_at === 'number' ? claims.migrated_at * 1000 : undefined;
  const origin =
    claims.account_origin === 'migrated' && migratedAt !== undefined
      ? Date.now() - migratedAt < 5 * 60_000
        ? `<p class="news">Your account was migrated from the legacy system just now (${new Date(migratedAt).toISOString()}).</p>`
        : `<p>Your account was migrated from the legacy system on ${new Date(migratedAt).toISOString()}.</p>`
      : `<p>Your account was created in the IdP (${escape(String(claims.account_origin))}).</p>`;
  return page(
    'Demo App',
    `<p>Signed in as <strong>${escape(String(claims.preferred_username ?? claims.sub))}</strong>.</p>
    ${origin}
    <h2>ID token claims</h2>
    <pre id="claims">${escape(JSON.stringify(claims, null, 2))}</pre>
    <form method="post" action="/logout"><button type="submit">Sign out</button></form>
    ${legacyPanel}`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escape(title)}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
  table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
  pre{background:#f6f8fa;padding:1rem;overflow:auto}.news{background:#e6f4ea;padding:.5rem 1rem;border-radius:.5rem}
  .button,button{display:inline-block;background:#0b57d0;color:#fff;padding:.5rem 1rem;border:0;border-radius:.5rem;text-decoration:none;font:inherit;cursor:pointer}</style>
  </head><body><h1>${escape(title)}</h1><p><em>A relying party for the JIT Identity demo.</em></p>${body}</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
