import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { EVENT_TYPES } from '../events/event.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderFragment, RenderPage } from '../http/pages.js';
import { sessionSignInUrl } from '../oidc/session-sign-in.js';
import { ADMIN_CONSOLE_CLIENT, type Admin } from './admin-access.js';
import type { AdminApiDependencies } from './api-routes.js';
import { publicAccount } from './public-account.js';
import { accountFilter } from './account-filter.js';
import { ACCOUNT_ACTIONS } from './account-actions.js';
import { consoleView } from './console-view.js';
import { latestReadiness, migrationStats, summariseReadiness, type MigrationStats } from './stats.js';

/** What the admin API has, and what pages need besides. */
export interface ConsoleDependencies extends AdminApiDependencies {
  issuer: string;
  render: RenderPage;
  renderFragment: RenderFragment;
  csrf: Csrf;
}

/** The dashboard's regions that follow the store by themselves (views/admin/live/<region>.ejs). */
const LIVE_REGIONS = ['tiles', 'failures', 'facts'] as const;

/** What the charts draw: the figures without the moment they were computed, so an unchanged store means no change. */
function chartData(stats: MigrationStats) {
  return { perHour: stats.perHour, perDay: stats.perDay, latency: stats.latency };
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

  const signInUrl = (returnTo: string) =>
    sessionSignInUrl({ clientId: ADMIN_CONSOLE_CLIENT, redirectUri: `${deps.issuer}/admin/callback`, state: returnTo });

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
        cutOff: await deps.cutOffAwareLegacy.state(),
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

  /** The dashboard's figures, and the helpers its live regions are drawn with. */
  const dashboard = async () => {
    const stats = await migrationStats(deps.store, deps.legacy, deps.cutOffAwareLegacy);
    const job = deps.jobs.status();
    const named = [stats.legacy.cutOff.by, stats.legacy.readiness?.by, job?.startedBy].filter(
      (id): id is string => id !== undefined,
    );
    return { stats, job, ...(await consoleView(deps.store.accounts, named)) };
  };

  router.get('/', requireAdmin, async (ctx) => {
    const locals = await dashboard();
    await page(ctx, 'dashboard', 'Migration', { ...locals, statsJson: JSON.stringify(chartData(locals.stats)) });
  });

  // What changes on the dashboard, for every open console to fetch when it has (ETag: a poll that finds nothing new
  // costs a 304). Figures are computed from the store, so a sign-in in any process shows.
  router.get('/live', requireAdmin, async (ctx) => {
    const locals = await dashboard();
    const fragments = Object.fromEntries(
      await Promise.all(
        LIVE_REGIONS.map(async (region) => [region, await deps.renderFragment(ctx, `admin/live/${region}`, locals)]),
      ),
    ) as Record<(typeof LIVE_REGIONS)[number], string>;
    const body = { fragments, charts: chartData(locals.stats) };
    ctx.set('cache-control', 'no-cache');
    ctx.etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22)}"`;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = body;
  });

  router.get('/readiness', requireAdmin, async (ctx) => {
    const scan = await latestReadiness(deps.store.settings);
    await page(ctx, 'readiness', 'Readiness', {
      scan,
      ...(await consoleView(deps.store.accounts, scan ? [scan.by] : [])),
    });
  });

  router.get('/readiness.json', requireAdmin, async (ctx) => {
    const scan = await latestReadiness(deps.store.settings);
    if (!scan) ctx.throw(404, 'no readiness check has run yet');
    ctx.set('content-disposition', 'attachment; filename="legacy-scan.json"');
    ctx.body = scan;
  });

  router.get('/events', requireAdmin, async (ctx) => {
    const type = EVENT_TYPES.find((t) => t === ctx.query.type);
    const account = typeof ctx.query.account === 'string' ? ctx.query.account.trim().slice(0, 254) : '';
    const events = await deps.store.events.list({
      ...(type ? { type } : {}),
      ...(await accountFilter(deps.store.accounts, account)),
      limit: 200,
    });
    const view = await consoleView(
      deps.store.accounts,
      events.flatMap((event) => [
        ...('accountId' in event && event.accountId ? [event.accountId] : []),
        ...('adminId' in event && event.adminId ? [event.adminId] : []),
      ]),
    );
    await page(ctx, 'events', 'Events', { events, types: EVENT_TYPES, type: type ?? '', account, ...view });
  });

  router.get('/accounts', requireAdmin, async (ctx) => {
    const text = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 254) : '';
    const origin = (['migrated', 'registered', 'imported'] as const).find((o) => o === ctx.query.origin);
    const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
    const found = await deps.store.accounts.search({
      text,
      ...(origin ? { origin } : {}),
      ...(cursor ? { cursor } : {}),
      limit: 50,
    });
    await page(ctx, 'accounts', 'Accounts', {
      accounts: found.accounts.map(publicAccount),
      total: found.total,
      next: found.next,
      q: text,
      origin: origin ?? '',
      ...(await consoleView(deps.store.accounts, [])),
    });
  });

  router.get('/accounts/:id', requireAdmin, async (ctx) => {
    const account = await deps.store.accounts.findById((ctx.params as { id: string }).id);
    if (!account) {
      await page(ctx, 'account-gone', 'No such account', {}, 404);
      return;
    }
    const events = await deps.store.events.list({ accountId: account.id, limit: 50 });
    const view = await consoleView(
      deps.store.accounts,
      events.flatMap((event) => ('adminId' in event && event.adminId ? [event.adminId] : [])),
    );
    await page(ctx, 'account', account.username, { account: publicAccount(account), events, ...view });
  });

  router.post('/accounts/:id/actions', requireAdmin, parseForm, deps.csrf.check, async (ctx) => {
    const id = (ctx.params as { id: string }).id;
    const action = ACCOUNT_ACTIONS.find((a) => a === formField(ctx.request.body, 'action'));
    if (!action) {
      ctx.status = 400;
      ctx.body = 'Unknown action.';
      return;
    }
    // Deleting cannot be undone: the operator confirms it on a page of its own first.
    if (action === 'delete' && formField(ctx.request.body, 'confirm') !== 'yes') {
      const account = await deps.store.accounts.findById(id);
      if (account) {
        await page(ctx, 'account-delete', `Delete ${account.username}?`, { account: publicAccount(account) });
        return;
      }
    }
    const outcome = await deps.actOnAccount(action, id, stateOf(ctx).admin.id);
    if (outcome.kind === 'not-found') {
      await page(ctx, 'account-gone', 'No such account', {}, 404);
      return;
    }
    ctx.redirect(outcome.account ? `/admin/accounts/${encodeURIComponent(id)}` : '/admin/accounts');
  });

  router.post('/cutoff', requireAdmin, parseForm, deps.csrf.check, async (ctx) => {
    const cutOff = formField(ctx.request.body, 'cutOff') === 'on';
    // Cutting off strands whoever has not moved: the operator sees who that would be, and confirms.
    if (cutOff && formField(ctx.request.body, 'confirm') !== 'yes') {
      const scan = await latestReadiness(deps.store.settings);
      await page(ctx, 'cutoff', 'Cut off the legacy system?', {
        readiness: scan ? summariseReadiness(scan) : undefined,
        ...(await consoleView(deps.store.accounts, [])),
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
