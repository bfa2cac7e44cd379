import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Metrics } from '../metrics/metrics.js';

/** `/metrics` in Prometheus' text format; behind a bearer token when one is configured. */
export function metricsRoutes(metrics: Metrics, bearerToken: string | undefined): Router {
  const router = new Router();
  const expected = bearerToken === undefined ? undefined : Buffer.from(`Bearer ${bearerToken}`);
  router.get('/metrics', async (ctx) => {
    if (expected) {
      const presented = Buffer.from(ctx.get('authorization'));
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        ctx.status = 401;
        ctx.set('www-authenticate', 'Bearer');
        return;
      }
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
