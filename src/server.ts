import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts listening and resolves with the bound port (useful with port 0). */
export function listen(server: Server, port: number, host?: string, exclusive = false): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections and lets in-flight requests finish; after `graceMs` whatever is left is cut.
 * Idle keep-alive connections are closed at once so they do not hold the process open.
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** A Koa app's handler as a plain listener: Koa settles its promise itself (errors become responses). */
export function requestListener(app: {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}): RequestListener {
  const handle = app.callback();
  return (req, res) => void handle(req, res);
}
