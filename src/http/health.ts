import Router from '@koa/router';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { Store } from '../store/store.js';

/**
 * `/healthz`: the process answers. `/readyz`: it can serve sign-ins, i.e. its store answers. The legacy system's
 * state is reported but does not make the IdP unready: migrated users sign in without it.
 */
export function healthRoutes(store: Store, legacy: LegacySystem | undefined): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const storeUp = await store.ping();
    ctx.status = storeUp ? 200 : 503;
    ctx.body = {
      status: storeUp ? 'ready' : 'unavailable',
      checks: { store: { kind: store.kind, up: storeUp }, legacy: legacy ? legacy.health() : null },
    };
  });
  return router;
}
