import { createHash } from 'node:crypto';
import { createServer, request, type RequestListener } from 'node:http';
import type { Middleware } from 'koa';
import { closeServer, listen } from '../server.js';

/**
 * Discovery and JWKS answered from a buffer, ahead of every other middleware. Both depend only on the configuration
 * and the signing keys, which are fixed for a process's life (the keys are read from the store once, at start), yet
 * oidc-provider builds them anew for every request, and they are what every client and API fetches most.
 *
 * Each is rendered once, through the IdP itself, so its bytes and headers are exactly what oidc-provider and the
 * IdP's middleware produce; only what differs per request is left out (date, request id, length, connection) or set
 * per request as oidc-provider's CORS does (`Access-Control-Allow-Origin`: the caller's origin or `*`).
 * oidc-provider writes the endpoints' URLs from the request's origin, so only requests addressed to the issuer's own
 * origin are answered from the buffer; any other host falls through to oidc-provider, as before.
 */

/** How long caches may keep them: keys change only with a restart, and a rotation must still reach clients soon. */
const CACHE_CONTROL = 'public, max-age=300';
const PER_REQUEST_HEADERS = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'etag',
  'cache-control',
  'x-request-id',
  'access-control-allow-origin',
]);

interface Snapshot {
  body: Buffer;
  headers: Record<string, string>;
  etag: string;
}

export interface StaticMetadata {
  /** Mount first: serves the snapshots once taken, passes everything else (and everything before) on. */
  middleware: Middleware;
  /**
   * Renders `paths` through `handler` (the IdP's own request listener) and keeps their answers; returns the paths it
   * could not render, which oidc-provider goes on answering itself.
   */
  snapshot(handler: RequestListener): Promise<string[]>;
}

export function createStaticMetadata(options: {
  issuer: string;
  paths: string[];
  trustProxy: boolean;
}): StaticMetadata {
  const issuer = new URL(options.issuer);
  const snapshots = new Map<string, Snapshot>();

  const middleware: Middleware = async (ctx, next) => {
    const snapshot = snapshots.get(ctx.path);
    // Not ctx.origin: oidc-provider's context answers "null" there.
    const origin = `${ctx.protocol}://${ctx.host}`;
    if (!snapshot || (ctx.method !== 'GET' && ctx.method !== 'HEAD') || origin !== issuer.origin) {
      await next();
      return;
    }
    ctx.set(snapshot.headers);
    ctx.set('access-control-allow-origin', ctx.get('origin') || '*');
    ctx.set('cache-control', CACHE_CONTROL);
    ctx.etag = snapshot.etag;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = snapshot.body;
  };

  const snapshot = async (handler: RequestListener) => {
    const server = createServer(handler);
    // Exclusive: a cluster worker binds this port itself, so the primary never takes it for the IdP's own.
    const port = await listen(server, 0, '127.0.0.1', true);
    const failed: string[] = [];
    try {
      for (const path of options.paths) {
        try {
          snapshots.set(path, await render(port, path));
        } catch {
          failed.push(path);
        }
      }
    } finally {
      await closeServer(server, 100);
    }
    return failed;
  };

  /** One GET as a client of the issuer would send it: its Host, and its scheme where a proxy would say so. */
  const render = (port: number, path: string) =>
    new Promise<Snapshot>((resolve, reject) => {
      const headers: Record<string, string> = { host: issuer.host, accept: 'application/json' };
      if (options.trustProxy) headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`${path} answered ${String(res.statusCode)} while it was being rendered once`));
            return;
          }
          const kept: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string' && !PER_REQUEST_HEADERS.has(name)) kept[name] = value;
          }
          const body = Buffer.concat(chunks);
          const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
          resolve({ body, headers: kept, etag });
        });
      });
      req.on('error', reject);
      req.end();
    });

  return { middleware, snapshot };
}
