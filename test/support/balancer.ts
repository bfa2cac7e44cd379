import { Agent, createServer, request } from 'node:http';
import { closeServer, listen } from '../../src/server.js';

/** A loopback HTTP load balancer: each request goes to the next backend in turn, with the Host header kept. */
export interface Balancer {
  url: string;
  /** Requests sent to each backend, in the order given. */
  counts: number[];
  close(): Promise<void>;
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
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
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
