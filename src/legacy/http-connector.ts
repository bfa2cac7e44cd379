import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { HttpConnectorConfig } from '../config/legacy-schema.js';
import { z } from 'zod';
import type { AuthenticateOutcome, CallContext, FindUserOutcome, LegacyConnector, LegacyProfile } from './connector.js';
import { disabledOf, recordFromListing } from './listing.js';

/** The legacy connector speaking `legacy-http-api.md`: `POST /authenticate` and `GET /users/{login}`. */
export function createHttpConnector(config: HttpConnectorConfig): LegacyConnector {
  const base = new URL(config.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const agent =
    base.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          ...(config.caFile ? { ca: [...rootCertificates, readFileSync(config.caFile, 'utf8')] } : {}),
        })
      : new http.Agent({ keepAlive: true });
  const authorization = authorizationHeader(config.auth);

  const call = async (
    context: CallContext,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    maxResponseBytes = config.maxResponseBytes,
  ): Promise<Answer> => {
    const options = {
      url: new URL(basePath + path, base),
      method,
      agent,
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      body,
      signal: context.signal,
      maxResponseBytes,
    };
    // A kept-alive connection the server closed while it sat idle fails before the server reads the request, so
    // even a password check is sent again; each such failure uses up one stale connection.
    for (let attempt = 1; ; attempt++) {
      const answer = await request(options);
      if (answer.kind !== 'failed' || !answer.staleConnection || attempt === MAX_STALE_CONNECTIONS) return answer;
    }
  };

  return {
    source: config.source,
    passwordJudge: 'legacy-system',

    async authenticate(login, password, context): Promise<AuthenticateOutcome> {
      const answer = await call(context, 'POST', '/authenticate', { login, password });
      if (answer.kind === 'failed') return { kind: 'unavailable', cause: answer.cause };
      switch (answer.status) {
        case 200:
          return answer.profile
            ? { kind: 'valid', profile: answer.profile }
            : { kind: 'unavailable', cause: answer.bodyProblem };
        case 401:
        case 404:
          return { kind: 'invalid' };
        case 403:
        case 423:
          return { kind: 'disabled' };
        default:
          return { kind: 'unavailable', cause: `status ${answer.status}` };
      }
    },

    async findUser(login, context): Promise<FindUserOutcome> {
      // "." and ".." would be read as path segments and ask for another resource entirely.
      if (/^\.{1,2}$/.test(login)) return { kind: 'not-found' };
      const answer = await call(context, 'GET', `/users/${encodeURIComponent(login)}`);
      if (answer.kind === 'failed') return { kind: 'unavailable', cause: answer.cause };
      if (answer.status === 404) return { kind: 'not-found' };
      if (answer.status !== 200) return { kind: 'unavailable', cause: `status ${answer.status}` };
      if (!answer.profile) return { kind: 'unavailable', cause: answer.bodyProblem };
      const disabled = disabledOf(answer.profile, config.disabledField);
      return { kind: 'found', profile: answer.profile, ...(disabled === undefined ? {} : { disabled }) };
    },

    async *enumerateUsers(resumeFrom, signal) {
      let after = resumeFrom;
      for (;;) {
        const query = new URLSearchParams({ limit: String(config.listPageSize), ...(after ? { after } : {}) });
        // A page holds many profiles (and hashes): its size limit grows with the page.
        const limit = Math.max(config.maxResponseBytes, config.listPageSize * 4096);
        const answer = await call({ signal }, 'GET', `/users?${query.toString()}`, undefined, limit);
        if (answer.kind === 'failed') throw new Error(`legacy user listing failed: ${answer.cause}`);
        if (answer.status !== 200 || !answer.profile) {
          throw new Error(
            `legacy user listing failed: ${answer.profile ? `status ${answer.status}` : answer.bodyProblem}`,
          );
        }
        const page = listingPageSchema.safeParse(answer.profile);
        if (!page.success) throw new Error('legacy user listing answered without {"users": [...], "next": …}');
        const next = page.data.next ?? undefined;
        yield {
          records: page.data.users.map((user) => recordFromListing(user, config.disabledField)),
          resumeFrom: next ?? END_OF_LISTING,
        };
        if (next === undefined || page.data.users.length === 0) return;
        after = next;
      }
    },

    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}

function authorizationHeader(auth: HttpConnectorConfig['auth']): string | undefined {
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
}

type Answer =
  | { kind: 'answered'; status: number; profile: LegacyProfile; bodyProblem?: never }
  | { kind: 'answered'; status: number; profile?: never; bodyProblem: string }
  | {
      kind: 'failed';
      cause: string;
      /** A reused connection was reset before any answer: the server closed it idle, never having read the request. */
      staleConnection?: boolean;
    };

/** Stale kept-alive connections one call gets through before it reports the legacy system unavailable. */
const MAX_STALE_CONNECTIONS = 4;

interface RequestOptions {
  url: URL;
  method: 'GET' | 'POST';
  agent: http.Agent;
  headers: Record<string, string>;
  body: unknown;
  /** Aborted when the call's time is up (the resilience layer's deadline). */
  signal: AbortSignal;
  maxResponseBytes: number;
}

/** One call, abandoned whenever the signal fires (connect, send or reading the answer); never throws. */
function request(options: RequestOptions): Promise<Answer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
  const transport = options.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const signal = options.signal;
    let answered = false;
    let req: http.ClientRequest;
    try {
      req = transport.request(
        options.url,
        {
          method: options.method,
          agent: options.agent,
          signal,
          headers: {
            ...options.headers,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxResponseBytes) {
              res.destroy();
              resolve({ kind: 'failed', cause: `answer larger than ${options.maxResponseBytes} bytes` });
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => resolve({ kind: 'failed', cause: describeFailure(error, signal) }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const parsed = parseProfile(Buffer.concat(chunks));
            resolve(
              'profile' in parsed
                ? { kind: 'answered', status, profile: parsed.profile }
                : { kind: 'answered', status, bodyProblem: parsed.problem },
            );
          });
        },
      );
    } catch (error) {
      // Node refuses some requests synchronously (e.g. an invalid header value): still an unavailable legacy system.
      resolve({ kind: 'failed', cause: `request refused (${(error as Error).message})` });
      return;
    }
    req.on('error', (error) =>
      resolve({
        kind: 'failed',
        cause: describeFailure(error, signal),
        staleConnection:
          req.reusedSocket &&
          !answered &&
          !signal.aborted &&
          ['ECONNRESET', 'EPIPE'].includes((error as NodeJS.ErrnoException).code ?? ''),
      }),
    );
    req.end(payload);
  });
}

/** The resume token after the last page: nothing left to read. */
const END_OF_LISTING = '';

const listingPageSchema = z.object({
  users: z.array(z.record(z.string(), z.unknown())),
  next: z.string().min(1).nullable().optional(),
});

function parseProfile(body: Buffer): { profile: LegacyProfile } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { problem: 'answer is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: 'answer is not a JSON object' };
  return { profile: value as LegacyProfile };
}

function describeFailure(error: Error, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `connection failed (${code})` : `connection failed (${error.message})`;
}
