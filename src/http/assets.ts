import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';

/** The static files: read once at start, served with an ETag. */
export function assetRoutes(publicDir: string): Router {
  const router = new Router();
  const files: [path: string, file: string, type: string][] = [
    ['/assets/styles.css', join(publicDir, 'styles.css'), 'text/css'],
    ['/assets/console.js', join(publicDir, 'console.js'), 'application/javascript'],
    ['/assets/favicon.svg', join(publicDir, 'favicon.svg'), 'image/svg+xml'],
    // Where browsers look when a page names no icon (and what tools fetch): the same icon.
    ['/favicon.ico', join(publicDir, 'favicon.svg'), 'image/svg+xml'],
    // The console's chart library, served from the package rather than a CDN: no third party sees operators.
    [
      '/assets/chart.umd.min.js',
      join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
      'application/javascript',
    ],
    // Passkeys: the WebAuthn helper (global `SimpleWebAuthnBrowser`) from its package, and the pages' script using it.
    // The package exports only its entry point (`script/index.js`), so its prebuilt bundle is found beside it.
    [
      '/assets/simplewebauthn-browser.umd.min.js',
      join(
        dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
        '..',
        'dist',
        'bundle',
        'index.umd.min.js',
      ),
      'application/javascript',
    ],
    ['/assets/passkeys.js', join(publicDir, 'passkeys.js'), 'application/javascript'],
  ];
  for (const [path, file, type] of files) {
    const content = readFileSync(file);
    const etag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 16)}"`;
    router.get(path, (ctx) => {
      ctx.set('cache-control', 'public, max-age=3600');
      ctx.etag = etag;
      ctx.type = type;
      ctx.status = 200;
      if (ctx.fresh) {
        ctx.status = 304;
        return;
      }
      ctx.body = content;
    });
  }
  return router;
}
