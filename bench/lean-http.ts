import { Agent, request } from 'node:http';
import { cookieHeader, keepCookies } from '../test/support/oidc-flow.js';

/**
 * The benches' lean HTTP client: node:http on kept-alive connections, cookies in a plain map, no redirects followed
 * by itself. fetch would cost the load generator, which shares the cores with the servers, several times the CPU per
 * request.
 */

export interface Answer {
  status: number;
  location: string;
  body: string;
}

export interface Send {
  method?: 'GET' | 'POST' | 'PUT';
  /** Sent and updated when given: one jar is one browser. */
  jar?: Map<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  authorization?: string;
  /** The Accept header: JSON first by default; the hosted pages are asked for HTML. */
  accept?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function encodeBody(options: Send): { body?: string; type?: string } {
  if (options.json !== undefined) return { body: JSON.stringify(options.json), type: 'application/json' };
  if (options.form)
    return { body: new URLSearchParams(options.form).toString(), type: 'application/x-www-form-urlencoded' };
  return {};
}

export function send(url: URL, options: Send = {}): Promise<Answer> {
  const { body, type } = encodeBody(options);
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json, text/html' };
  if (options.jar && options.jar.size > 0) headers.cookie = cookieHeader(options.jar);
  if (body !== undefined && type) {
    headers['content-type'] = type;
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  if (options.authorization) headers.authorization = options.authorization;
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  return new Promise((resolve, reject) => {
    const sent = request(url, { method, headers, agent }, (response) => {
      if (options.jar) keepCookies(options.jar, response.headers['set-cookie'] ?? []);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          location: response.headers.location ?? '',
          body: Buffer.concat(chunks).toString(),
        });
      });
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/** Waits until something answers HTTP at `url` (any status), for a server started as a child process. */
export async function waitForHttp(url: URL, timeoutMs: number, stillRunning: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!stillRunning()) throw new Error(`the server behind ${url.origin} exited while starting`);
    try {
      await send(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answered at ${url.href} within ${String(timeoutMs)} ms`);
}
