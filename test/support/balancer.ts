import { Agent, createServer, get, request, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listen } from '../../src/server.js';

/**
 * A loopback HTTP load balancer: each request goes to the next backend in turn, with the Host header kept. Like a
 * real one it routes around backends that are gone: a backend that refuses a connection is skipped for a while
 * (the request, which it never received, goes to the next one), and with `healthPath` a backend whose probe fails is
 * out of rotation until a probe passes again. When every backend is out, all of them are used (fail open), so a
 * client sees the backends' own answers rather than the balancer's.
 */
export interface Balancer {
  url: string;
  /** Requests sent to each backend, in the order given (a refused one counts where it was refused). */
  counts: number[];
  /** Requests each backend took but broke off (a reset, no answer): each was answered 502. */
  failures: number[];
  /** Whether each backend is in rotation now. */
  inRotation(): boolean[];
  close(): Promise<void>;
}

export interface BalancerOptions {
  /** Probed with GET on every backend every `healthIntervalMs`; anything but 2xx within `healthTimeoutMs` fails. */
  healthPath?: string;
  healthIntervalMs?: number;
  healthTimeoutMs?: number;
  /** How long a backend that refused a connection is skipped. */
  refusedForMs?: number;
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

export async function startBalancer(backends: readonly string[], options: BalancerOptions = {}): Promise<Balancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const counts = backends.map(() => 0);
  const failures = backends.map(() => 0);
  const probeFailed = backends.map(() => false);
  const refusedUntil = backends.map(() => 0);
  const refusedForMs = options.refusedForMs ?? 3000;
  const usable = (index: number, now: number) => !probeFailed[index] && (refusedUntil[index] ?? 0) <= now;
  let next = 0;

  /** The next backend in turn of those in rotation and not yet tried; of all of them when none is in rotation. */
  const pick = (tried: ReadonlySet<number>): number | undefined => {
    const now = Date.now();
    const untried = backends.map((_, index) => index).filter((index) => !tried.has(index));
    const candidates = untried.filter((index) => usable(index, now));
    const from = candidates.length > 0 ? candidates : tried.size === 0 ? untried : [];
    return from[next++ % Math.max(1, from.length)];
  };

  const server = createServer((req, res) => {
    // Read whole before it is sent on, so that a request a backend refused can go to another one.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const tried = new Set<number>();
      const send = (): void => {
        const index = pick(tried);
        if (index === undefined) {
          res.writeHead(502);
          res.end();
          return;
        }
        tried.add(index);
        counts[index] = (counts[index] ?? 0) + 1;
        const target = new URL(backends[index] ?? '');
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...endToEnd(req.headers), 'content-length': String(body.length) },
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'ECONNREFUSED') {
            // Nothing reached the backend: skip it for a while and let the next one answer.
            refusedUntil[index] = Date.now() + refusedForMs;
            send();
            return;
          }
          // A backend that broke off a request it had (a crash, a reset) is the balancer's 502, as with any real
          // balancer; it may have acted on it, so it is not sent again.
          failures[index] = (failures[index] ?? 0) + 1;
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        upstream.end(body);
      };
      send();
    });
  });

  const probes =
    options.healthPath === undefined
      ? undefined
      : setInterval(() => {
          for (const [index, backend] of backends.entries()) {
            void probe(`${backend}${options.healthPath ?? ''}`, options.healthTimeoutMs ?? 2000).then((ok) => {
              probeFailed[index] = !ok;
            });
          }
        }, options.healthIntervalMs ?? 500);
  probes?.unref();

  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    failures,
    inRotation: () => backends.map((_, index) => usable(index, Date.now())),
    async close() {
      clearInterval(probes);
      await closeServer(server, 100);
      agent.destroy();
    },
  };
}

/** Whether `url` answers 2xx within `timeoutMs`, on a connection of its own. */
function probe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (answer) => {
      answer.resume();
      resolve((answer.statusCode ?? 500) < 300);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolve(false));
  });
}
