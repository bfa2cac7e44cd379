import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { EVENT_TYPES } from '../events/event.js';
import type { CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { SwitchCutOff } from '../migration/cut-off.js';
import { ACCOUNT_ACTIONS, type ActOnAccount } from './account-actions.js';
import { MAX_SEARCH_LIMIT } from '../store/account-search.js';
import type { Store } from '../store/store.js';
import type { Admin, AdminAccess } from './admin-access.js';
import type { ImportJobs } from './import-jobs.js';
import { publicAccount } from './public-account.js';
import { latestReadiness, migrationStats } from './stats.js';
import type { SigningKeys } from '../oidc/signing-keys.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';

export interface AdminApiDependencies {
  access: AdminAccess;
  store: Store;
  legacy: LegacySystem | undefined;
  cutOffAwareLegacy: CutOffAwareLegacy;
  jobs: ImportJobs;
  switchCutOff: SwitchCutOff;
  actOnAccount: ActOnAccount;
  signingKeys: Pick<SigningKeys, 'describe' | 'rotate'>;
  tombstones: Pick<LegacyTombstones, 'lift'>;
  record: RecordEvent;
}

const cutOffBody = z.strictObject({ cutOff: z.boolean() });
const importBody = z.strictObject({ kind: z.enum(['import', 'readiness']) });
const liftBody = z.strictObject({
  source: z.string().min(1).max(200).optional(),
  legacyId: z.string().min(1).max(500),
});
const accountActionBody = z.strictObject({ action: z.enum(ACCOUNT_ACTIONS) });
const limit = z.coerce.number().int().min(1).max(1000).default(100);
const eventsQuery = z.object({
  limit,
  type: z.enum(EVENT_TYPES).optional(),
  account: z.string().max(100).optional(),
});
const accountsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(100),
  q: z.string().max(254).default(''),
  origin: z.enum(['migrated', 'registered', 'imported']).optional(),
  /** `next` of the page before; an unreadable cursor starts over. */
  cursor: z.string().max(1024).optional(),
});

/**
 * The admin API: the console's data and actions as JSON, for automation. Bearer JWT access tokens for the admin API
 * resource with the "admin" scope (client credentials for robots). Errors are `{error, error_description}`.
 */
export function adminApiRoutes(deps: AdminApiDependencies): Router {
  const router = new Router({ prefix: '/admin/api' });
  const fail = (ctx: Context, status: number, error: string, description: string) => {
    ctx.status = status;
    ctx.body = { error, error_description: description };
  };

  router.use(async (ctx: Context, next: Next) => {
    const admin = await deps.access.apiAdmin(ctx.get('authorization'));
    if ('problem' in admin) {
      // Header values must be plain ASCII without quotes.
      const description = admin.problem.replace(/[^\x20-\x7e]|"/g, '');
      ctx.set('www-authenticate', `Bearer error="${admin.error}", error_description="${description}"`);
      fail(ctx, admin.error === 'invalid_token' ? 401 : 403, admin.error, admin.problem);
      return;
    }
    (ctx.state as { admin?: Admin }).admin = admin;
    await next();
  });
  const adminOf = (ctx: Context) => (ctx.state as { admin: Admin }).admin;
  const jsonBody = async (ctx: Context): Promise<unknown> => {
    if (!ctx.is('application/json')) return undefined;
    let text = '';
    for await (const chunk of ctx.req) {
      text += (chunk as Buffer).toString();
      if (text.length > 10_000) return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };

  router.get('/stats', async (ctx) => {
    ctx.body = await migrationStats(deps.store, deps.legacy, deps.cutOffAwareLegacy);
  });

  /** The query string, or a 400 naming each bad parameter. */
  const queryOf = <T>(ctx: Context, schema: z.ZodType<T>): T | undefined => {
    const query = schema.safeParse(ctx.query);
    if (query.success) return query.data;
    const problems = query.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`);
    fail(ctx, 400, 'invalid_request', problems.join('; '));
    return undefined;
  };

  router.get('/events', async (ctx) => {
    const query = queryOf(ctx, eventsQuery);
    if (!query) return;
    const { type, account, limit } = query;
    ctx.body = {
      events: await deps.store.events.list({
        ...(type ? { type } : {}),
        ...(account ? { accountId: account } : {}),
        limit,
      }),
    };
  });

  router.get('/accounts', async (ctx) => {
    const query = queryOf(ctx, accountsQuery);
    if (!query) return;
    const { q, origin, limit, cursor } = query;
    const page = await deps.store.accounts.search({
      text: q,
      ...(origin ? { origin } : {}),
      ...(cursor ? { cursor } : {}),
      limit,
    });
    ctx.body = {
      accounts: page.accounts.map(publicAccount),
      total: page.total,
      ...(page.next ? { next: page.next } : {}),
    };
  });

  router.post('/accounts/:id/actions', async (ctx) => {
    const body = accountActionBody.safeParse(await jsonBody(ctx));
    if (!body.success) {
      return fail(
        ctx,
        400,
        'invalid_request',
        `expected {"action": ${ACCOUNT_ACTIONS.map((a) => `"${a}"`).join('|')}}`,
      );
    }
    const outcome = await deps.actOnAccount(body.data.action, (ctx.params as { id: string }).id, adminOf(ctx).id);
    if (outcome.kind === 'not-found') return fail(ctx, 404, 'not_found', 'no such account');
    ctx.body = { account: outcome.account ? publicAccount(outcome.account) : null };
  });

  router.get('/cutoff', async (ctx) => {
    ctx.body = await deps.cutOffAwareLegacy.state();
  });

  router.put('/cutoff', async (ctx) => {
    const body = cutOffBody.safeParse(await jsonBody(ctx));
    if (!body.success) return fail(ctx, 400, 'invalid_request', 'expected {"cutOff": true|false}');
    const outcome = await deps.switchCutOff(body.data.cutOff, adminOf(ctx).id);
    if (outcome.kind === 'fixed-by-configuration') {
      return fail(ctx, 409, 'conflict', 'the cut-off is fixed by the configuration');
    }
    ctx.body = outcome.state;
  });

  /** The last readiness check's whole report (the pre-flight scan); 404 before the first one. */
  router.get('/readiness', async (ctx) => {
    const scan = await latestReadiness(deps.store.settings);
    if (!scan)
      return fail(
        ctx,
        404,
        'not_found',
        'no readiness check has run yet; POST /admin/api/import {"kind": "readiness"}',
      );
    ctx.body = scan;
  });

  /** The signing keys (never their private parts): which signs, which is published ahead, which is retiring. */
  router.get('/signing-keys', (ctx) => {
    ctx.body = { keys: deps.signingKeys.describe() };
  });

  /** A rotation now: new keys are published at once and sign after the publication lead time. */
  router.post('/signing-keys/rotate', async (ctx) => {
    const outcome = await deps.signingKeys.rotate();
    if (outcome.kind === 'busy') return fail(ctx, 409, 'conflict', 'another process is rotating the keys; try again');
    await deps.record({
      type: 'admin_action',
      adminId: adminOf(ctx).id,
      action: 'signing_keys_rotated',
      detail: { kids: outcome.kids.join(' '), activeFrom: outcome.activeFrom.toISOString() },
    });
    ctx.body = { activeFrom: outcome.activeFrom, keys: deps.signingKeys.describe() };
  });

  // A user whose account was erased asks to come back (support checked who they are): the next sign-in with the
  // legacy password, an import or a reset by email may make the account again. The id is not recorded, only that.
  router.post('/legacy-tombstones/lift', async (ctx) => {
    const body = liftBody.safeParse(await jsonBody(ctx));
    const source = body.data?.source ?? deps.legacy?.source;
    if (!body.success || source === undefined) {
      return fail(ctx, 400, 'invalid_request', 'expected {"legacyId": "…", "source"?: "…"} (source: the connector\'s)');
    }
    const lifted = await deps.tombstones.lift({ source, id: body.data.legacyId });
    if (lifted) await deps.record({ type: 'admin_action', adminId: adminOf(ctx).id, action: 'tombstone_lifted' });
    ctx.body = { lifted };
  });

  router.get('/import', (ctx) => {
    ctx.body = { job: deps.jobs.status() ?? null };
  });

  router.post('/import', async (ctx) => {
    const body = importBody.safeParse(await jsonBody(ctx));
    if (!body.success) return fail(ctx, 400, 'invalid_request', 'expected {"kind": "import"|"readiness"}');
    const started = deps.jobs.start(body.data.kind, adminOf(ctx));
    if (started.kind === 'busy') return fail(ctx, 409, 'conflict', 'an import is already running');
    if (started.kind === 'impossible') return fail(ctx, 409, 'conflict', started.reason);
    ctx.status = 202;
    ctx.body = { job: deps.jobs.status() };
  });

  return router;
}
