import { timingSafeEqual } from 'node:crypto';
import type { RequestListener } from 'node:http';
import Router from '@koa/router';
import type { Metrics } from '../metrics/metrics.js';

/** `/metrics` in Prometheus' text format on the IdP's own port, for a scraper that sends the bearer token. */
export function metricsRoutes(metrics: Metrics, bearerToken: string): Router {
  const router = new Router();
  const expected = Buffer.from(`Bearer ${bearerToken}`);
  router.get('/metrics', async (ctx) => {
    const presented = Buffer.from(ctx.get('authorization'));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Bearer');
      return;
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

/** `/metrics` alone, for a listener of its own on a private address (`metrics.port`); nothing else is served there. */
export function metricsListener(metrics: Metrics): RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  };
}
