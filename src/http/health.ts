import Router from '@koa/router';
import type { Store } from '../store/store.js';

/** `/healthz`: the process answers. `/readyz`: it can serve sign-ins (its store answers). */
export function healthRoutes(store: Store): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const storeUp = await store.ping();
    ctx.status = storeUp ? 200 : 503;
    ctx.body = { status: storeUp ? 'ready' : 'unavailable', checks: { store: { kind: store.kind, up: storeUp } } };
  });
  return router;
}
