import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../server.js';

/**
 * Discovery and JWKS answered from a buffer, ahead of Koa and every middleware. Both depend only on the configuration
 * and the signing keys, which change only with a rotation (the buffers are rendered again then), yet oidc-provider
 * builds them anew for every request, and they are what every client and API fetches most.
 *
 * Each is rendered once, through the IdP itself, so its bytes and headers are exactly what oidc-provider and the
 * IdP's middleware produce; only what differs per request is left out (date, request id, length, connection) or set
 * per request as oidc-provider's CORS does (`Access-Control-Allow-Origin`: the caller's origin or `*`).
 * oidc-provider writes the endpoints' URLs from the request's origin, so only requests addressed to the issuer's own
 * origin are answered from the buffer; any other host falls through to oidc-provider, as before.
 */

/** How long caches may keep them, unless a path says otherwise (the JWKS: half the signing keys' publication lead). */
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
  etag: string;
  /**
   * Every header that is the same for each answer, ETag and Cache-Control among them, as the flat list
   * `writeHead` takes: node:http writes such a list without building its header map (about a quarter more answers
   * per second than setting each header).
   */
  headers: string[];
}

export interface StaticMetadata {
  /**
   * `handler` behind a front that answers the snapshots once taken, before Koa or any middleware runs (a request
   * costs a header check and one write); everything else, and everything before the snapshots exist, goes on.
   */
  listener(handler: RequestListener): RequestListener;
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
  /** Cache-Control by path, where it is not the default. */
  cacheControl?: Record<string, string>;
}): StaticMetadata {
  const issuer = new URL(options.issuer);
  const snapshots = new Map<string, Snapshot>();

  /**
   * The origin a request is addressed to, as Koa reads it (`ctx.protocol` and `ctx.host`): the socket's scheme and
   * the Host header, or the proxy's X-Forwarded-Proto and X-Forwarded-Host when the proxy is trusted.
   */
  const originOf = (req: IncomingMessage) => {
    const first = (value: string | string[] | undefined) =>
      (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    const forwardedProto = options.trustProxy ? first(req.headers['x-forwarded-proto']) : undefined;
    const scheme = encrypted ? 'https' : (forwardedProto ?? 'http');
    const host = (options.trustProxy ? first(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
    return `${scheme}://${host ?? ''}`;
  };

  /** Whether the client's cached copy is current: its If-None-Match names the ETag, and it did not ask to revalidate. */
  const fresh = (req: IncomingMessage, etag: string) => {
    const wanted = req.headers['if-none-match'];
    if (!wanted || /(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers['cache-control'] ?? '')) return false;
    return wanted === '*' || wanted.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const query = req.url?.indexOf('?') ?? -1;
    const snapshot = snapshots.get(query === -1 ? (req.url ?? '') : (req.url ?? '').slice(0, query));
    if (!snapshot || originOf(req) !== issuer.origin) return false;
    const cors = ['access-control-allow-origin', req.headers.origin || '*'];
    if (fresh(req, snapshot.etag)) {
      res.writeHead(304, [...snapshot.headers, ...cors]);
      res.end();
      return true;
    }
    res.writeHead(200, [...snapshot.headers, ...cors, 'content-length', String(snapshot.body.length)]);
    res.end(req.method === 'HEAD' ? undefined : snapshot.body);
    return true;
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
          const body = Buffer.concat(chunks);
          const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
          const headers = ['cache-control', options.cacheControl?.[path] ?? CACHE_CONTROL, 'etag', etag];
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string' && !PER_REQUEST_HEADERS.has(name)) headers.push(name, value);
          }
          resolve({ body, headers, etag });
        });
      });
      req.on('error', reject);
      req.end();
    });

  return {
    listener: (handler) => (req, res) => {
      if (!answer(req, res)) handler(req, res);
    },
    snapshot,
  };
}
