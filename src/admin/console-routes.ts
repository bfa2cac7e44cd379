import { randomBytes, createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { EVENT_TYPES } from '../events/event.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import type { LegacySwitch } from '../legacy/legacy-switch.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { SwitchCutOff } from '../migration/cut-off.js';
import type { Store } from '../store/store.js';
import { ADMIN_CONSOLE_CLIENT, type Admin, type AdminAccess } from './admin-access.js';
import { publicAccount } from './public-account.js';
import type { ImportJobs } from './import-jobs.js';
import { migrationStats, READINESS_SETTING, summariseReadiness, type StoredScan } from './stats.js';

export interface ConsoleDependencies {
  issuer: string;
  access: AdminAccess;
  store: Store;
  legacy: LegacySystem | undefined;
  legacySwitch: LegacySwitch;
  jobs: ImportJobs;
  switchCutOff: SwitchCutOff;
  render: RenderPage;
  csrf: Csrf;
}

interface ConsoleState {
  admin: Admin;
}

/** Where a sign-in may send the operator back to: a console page, nothing else. */
const CONSOLE_PATH = /^\/admin(\/(events|accounts|readiness))?$/;

/**
 * The operators' console: server-rendered pages (a chart library draws the charts) behind the IdP's own sign-in and
 * an admin role. Every change made here is an `admin_action` event with the admin's id.
 */
export function consoleRoutes(deps: ConsoleDependencies): Router {
  const router = new Router({ prefix: '/admin' });
  const { render, access } = deps;

  const signInUrl = (returnTo: string) => {
    // The console needs only the session the sign-in leaves behind; this PKCE verifier is never used.
    const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
    const params = new URLSearchParams({
      client_id: ADMIN_CONSOLE_CLIENT,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${deps.issuer}/admin/callback`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: returnTo,
    });
    return `/auth?${params.toString()}`;
  };

  const requireAdmin = async (ctx: Context, next: Next) => {
    const { admin, signedIn, sessionUid } = await access.consoleAdmin(ctx);
    if (!signedIn || !sessionUid) {
      ctx.redirect(signInUrl(CONSOLE_PATH.test(ctx.path) ? ctx.path : '/admin'));
      return;
    }
    if (!admin) {
      await render(ctx, {
        view: 'error',
        title: 'Not an operator',
        status: 403,
        locals: {
          heading: 'This account cannot use the console',
          message: 'You are signed in with an account that is not an operator. Sign in with an operator account.',
          code: 'access_denied',
          // Ends this session, and the console's sign-in follows.
          next: [{ href: '/admin/signout', label: 'Sign in as someone else' }],
        },
      });
      return;
    }
    const state: ConsoleState = { admin };
    Object.assign(ctx.state, state);
    await next();
  };
  const stateOf = (ctx: Context) => ctx.state as ConsoleState;
  const page = async (ctx: Context, view: string, title: string, locals: Record<string, unknown>, status = 200) =>
    render(ctx, {
      view: `admin/${view}`,
      title,
      status,
      layout: 'console',
      locals: {
        ...locals,
        adminName: adminName(stateOf(ctx).admin),
        section: view,
        // Every page says so while the legacy system is cut off.
        cutOff: await deps.legacySwitch.state(),
      },
    });

  router.get('/callback', async (ctx) => {
    const state = String(ctx.query.state ?? '');
    const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
    if (error) {
      const cancelled = error === 'access_denied';
      await render(ctx, {
        view: 'error',
        title: cancelled ? 'Sign-in cancelled' : 'Sign-in did not complete',
        status: cancelled ? 200 : 400,
        locals: {
          heading: cancelled ? 'You cancelled the sign-in' : 'The sign-in did not complete',
          message: cancelled
            ? 'The console needs you signed in as an operator. Sign in again when you are ready.'
            : 'The sign-in service could not complete the console’s sign-in.',
          code: error,
          next: [{ href: CONSOLE_PATH.test(state) ? state : '/admin', label: 'Sign in to the console' }],
        },
      });
      return;
    }
    ctx.redirect(CONSOLE_PATH.test(state) ? state : '/admin');
  });

  router.get('/signout', (ctx) => {
    const params = new URLSearchParams({
      client_id: ADMIN_CONSOLE_CLIENT,
      post_logout_redirect_uri: `${deps.issuer}/admin`,
    });
    ctx.redirect(`/session/end?${params.toString()}`);
  });

  router.get('/', requireAdmin, async (ctx) => {
    const stats = await migrationStats(deps.store, deps.legacy, deps.legacySwitch);
    await page(ctx, 'dashboard', 'Migration', { stats, job: deps.jobs.status(), statsJson: JSON.stringify(stats) });
  });

  router.get('/readiness', requireAdmin, async (ctx) => {
    await page(ctx, 'readiness', 'Readiness', { scan: await deps.store.settings.get<StoredScan>(READINESS_SETTING) });
  });

  router.get('/readiness.json', requireAdmin, async (ctx) => {
    const scan = await deps.store.settings.get<StoredScan>(READINESS_SETTING);
    if (!scan) ctx.throw(404, 'no readiness check has run yet');
    ctx.set('content-disposition', 'attachment; filename="legacy-scan.json"');
    ctx.body = scan;
  });

  router.get('/events', requireAdmin, async (ctx) => {
    const type = EVENT_TYPES.find((t) => t === ctx.query.type);
    const accountId = typeof ctx.query.account === 'string' && ctx.query.account !== '' ? ctx.query.account : undefined;
    const events = await deps.store.events.list({
      ...(type ? { type } : {}),
      ...(accountId ? { accountId } : {}),
      limit: 200,
    });
    await page(ctx, 'events', 'Events', { events, types: EVENT_TYPES, type: type ?? '', accountId: accountId ?? '' });
  });

  router.get('/accounts', requireAdmin, async (ctx) => {
    const text = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 200) : '';
    const origin = (['migrated', 'registered', 'imported'] as const).find((o) => o === ctx.query.origin);
    const accounts = await deps.store.accounts.search({ text, ...(origin ? { origin } : {}), limit: 100 });
    await page(ctx, 'accounts', 'Accounts', {
      accounts: accounts.map(publicAccount),
      q: text,
      origin: origin ?? '',
    });
  });

  router.post('/cutoff', requireAdmin, parseForm, deps.csrf.check, async (ctx) => {
    const cutOff = formField(ctx.request.body, 'cutOff') === 'on';
    // Cutting off strands whoever has not moved: the operator sees who that would be, and confirms.
    if (cutOff && formField(ctx.request.body, 'confirm') !== 'yes') {
      const scan = await deps.store.settings.get<StoredScan>(READINESS_SETTING);
      await page(ctx, 'cutoff', 'Cut off the legacy system?', {
        readiness: scan ? summariseReadiness(scan) : undefined,
      });
      return;
    }
    const outcome = await deps.switchCutOff(cutOff, stateOf(ctx).admin.id);
    if (outcome.kind === 'fixed-by-configuration') {
      ctx.status = 409;
      ctx.body = 'The cut-off is fixed by the configuration.';
      return;
    }
    ctx.redirect('/admin');
  });

  router.post('/import', requireAdmin, parseForm, deps.csrf.check, (ctx) => {
    const kind = formField(ctx.request.body, 'kind') === 'import' ? 'import' : 'readiness';
    const started = deps.jobs.start(kind, stateOf(ctx).admin);
    if (started.kind !== 'started') {
      ctx.status = 409;
      ctx.body = started.kind === 'busy' ? 'An import is already running.' : started.reason;
      return;
    }
    ctx.redirect('/admin');
  });

  return router;
}

function adminName(admin: Admin): string {
  return admin.kind === 'account' ? admin.account.username : admin.clientId;
}
