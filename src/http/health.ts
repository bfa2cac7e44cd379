import Router from '@koa/router';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { Store } from '../store/store.js';

/**
 * How long `/readyz` waits for the store's answer. A store that went silent (a cut network) would otherwise hold the
 * probe for as long as the store's own timeouts run, longer than a balancer's probe waits, and a probe that times out
 * at the balancer says less than a 503 that says why.
 */
export const READY_TIMEOUT_MS = 3000;

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
    const storeUp = await pingWithin(store, READY_TIMEOUT_MS);
    ctx.status = storeUp ? 200 : 503;
    ctx.body = {
      status: storeUp ? 'ready' : 'unavailable',
      checks: { store: { kind: store.kind, up: storeUp }, legacy: legacy ? legacy.health() : null },
    };
  });
  return router;
}

/** The store's ping, or false when it has not answered within `timeoutMs` (the ping goes on, unwatched). */
async function pingWithin(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([store.ping(), late]);
  } finally {
    clearTimeout(timer);
  }
}
