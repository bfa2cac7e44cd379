import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listen } from '../../src/server.js';

/** A loopback HTTP load balancer: each request goes to the next backend in turn, with the Host header kept. */
export interface Balancer {
  url: string;
  /** Requests sent to each backend, in the order given. */
  counts: number[];
  close(): Promise<void>;
}

/**
 * Headers about one connection, not the message: a balancer answers them itself. Passing on the backend's
 * `Keep-Alive: timeout=65` would make clients keep a connection the balancer closes after its own 5 s, and their
 * next request on it would meet a reset.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name)));
}

export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const counts = backends.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const index = next++ % backends.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const target = new URL(backends[index] ?? '');
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    // A backend that is gone is the balancer's 502, as with any real balancer.
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async close() {
      await closeServer(server, 100);
      agent.destroy();
    },
  };
}
