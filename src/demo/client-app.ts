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
  /** `startedAt`: when this app sent the user to sign in. */
  pending?: { verifier: string; state: string; nonce: string; startedAt: number };
  /** `startedAt`: that of the sign-in that got here. */
  signedIn?: { claims: Record<string, unknown>; idToken: string; startedAt: number };
}

export interface DemoAppOptions {
  issuer: string;
  client: DemoClient;
  /** The in-process legacy service the page can stop and start; absent when it runs elsewhere. */
  legacy?: LegacyUserService;
  users: readonly LegacyUserRecord[];
  /** Of the demo users' legacy ids, those with an account in the IdP now (the demo runs in the IdP's process). */
  moved?: (legacyIds: readonly string[]) => Promise<ReadonlySet<string>>;
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
  router.get('/', async (ctx) => {
    const moved = await options.moved?.(options.users.map((u) => u.profile.uid));
    ctx.type = 'html';
    ctx.body = homePage(sessionOf(ctx), options, moved);
  });

  router.get('/login', async (ctx) => {
    const session = sessionOf(ctx);
    const verifier = oidc.randomPKCECodeVerifier();
    session.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), startedAt: Date.now() };
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
    // The IdP sends errors back here as OpenID Connect says: the user cancelled, or the request was refused.
    const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
    if (error) {
      const description = typeof ctx.query.error_description === 'string' ? ctx.query.error_description : '';
      ctx.status = error === 'access_denied' ? 200 : 400;
      ctx.type = 'html';
      ctx.body = page(
        error === 'access_denied' ? 'You cancelled the sign-in' : 'Sign-in did not complete',
        `<p id="callback-error">${
          error === 'access_denied'
            ? 'You cancelled the sign-in, so this app does not know who you are. Nothing was changed.'
            : `The sign-in service said: ${escape(description || error)} (<code>${escape(error)}</code>).`
        }</p><p><a class="button" href="/">Back to the app</a></p>`,
      );
      return;
    }
    const tokens = await oidc.authorizationCodeGrant(
      await configuration(),
      new URL(ctx.originalUrl, options.client.baseUrl),
      { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
    );
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('the IdP returned no ID token');
    session.signedIn = { claims: { ...claims }, idToken: tokens.id_token, startedAt: pending.startedAt };
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

function homePage(session: DemoSession, options: DemoAppOptions, moved: ReadonlySet<string> | undefined): string {
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
      .map((u) => {
        const state = moved === undefined ? '' : moved.has(u.profile.uid) ? 'moved' : 'not yet';
        return (
          `<tr><td><code>${escape(u.profile.user_name)}</code></td><td><code>${escape(u.profile.mail ?? '')}</code></td>` +
          `<td><code>${escape(u.password)}</code></td><td>${escape(u.note ?? '')}</td>` +
          (moved === undefined ? '' : `<td class="moved">${state}</td>`) +
          '</tr>'
        );
      })
      .join('');
    const count = moved?.size ?? 0;
    const summary =
      moved === undefined
        ? 'Sign in with one:'
        : count === 0
          ? 'None of them has an account in the IdP yet. Sign in with one:'
          : `${count} of ${options.users.length} have moved to the IdP. Sign in with another:`;
    return page(
      'Demo App',
      `<p>This app knows nothing about passwords: it signs people in through the IdP with OpenID Connect.</p>
      <p><a class="button" href="/login">Sign in</a></p>
      <h2>Users of the old system</h2>
      <p id="moved-summary">${summary} the IdP asks the legacy service, moves the account over and keeps the password
      (re-hashed). A username or the email address works.</p>
      <table><thead><tr><th>Username</th><th>Email</th><th>Old password</th><th>What happens</th>${moved === undefined ? '' : '<th>In the IdP</th>'}</tr></thead><tbody>${rows}</tbody></table>
      ${legacyPanel}`,
    );
  }

  const { claims, startedAt } = session.signedIn;
  const migratedAt = typeof claims.migrated_at === 'number' ? claims.migrated_at * 1000 : undefined;
  // Moved by this very sign-in: not before this app sent the user to sign in (`migrated_at` has whole seconds; the
  // demo's IdP runs on the same clock). A move by an earlier sign-in, here or at another application, is older.
  const justNow = migratedAt !== undefined && migratedAt >= Math.floor(startedAt / 1000) * 1000;
  const origin =
    claims.account_origin === 'migrated' && migratedAt !== undefined
      ? justNow
        ? `<p class="news" id="origin">Your account was migrated from the legacy system just now, by this sign-in.</p>`
        : `<p id="origin">Your account was migrated from the legacy system on ${new Date(migratedAt).toISOString()}.</p>`
      : `<p id="origin">Your account was created in the IdP (${escape(String(claims.account_origin))}).</p>`;
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
