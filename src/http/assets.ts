import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';

/** The hosted pages' static files: read once at start, served with an ETag. */
export function assetRoutes(publicDir: string): Router {
  const router = new Router();
  const styles = readFileSync(join(publicDir, 'styles.css'));
  const etag = `"${createHash('sha256').update(styles).digest('base64url').slice(0, 16)}"`;
  router.get('/assets/styles.css', (ctx) => {
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.etag = etag;
    ctx.type = 'text/css';
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = styles;
  });
  return router;
}
