import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../server.js';

/**
 * A small legacy user service speaking `legacy-http-api.md`: the demo's "old login system", and the stub the tests
 * drive (it counts calls and can be switched into the ways real legacy systems fail).
 */

export interface LegacyUserRecord {
  password: string;
  profile: Record<string, unknown> & { uid: string; user_name: string; mail?: string };
  status?: 'active' | 'disabled' | 'locked';
  /** What the demo shows next to the user. */
  note?: string;
  /** Handed out by the user listing (bulk import), as the contract's optional passwordHash / hashScheme. */
  listedHash?: { passwordHash: string; hashScheme?: string };
}

/**
 * How the service misbehaves: `down` refuses connections, `hang` never answers, the rest answer wrongly, and
 * `flapping` breaks every other request in turn as `down`, `error` or `garbage`.
 */
export type LegacyFault = 'none' | 'down' | 'hang' | 'error' | 'garbage' | 'not-object' | 'oversized' | 'flapping';

const FLAPS = ['down', 'none', 'error', 'none', 'garbage', 'none'] as const;

export interface LegacyCalls {
  authenticate: number;
  findUser: number;
  list: number;
}

interface StoredUser {
  profile: LegacyUserRecord['profile'];
  listedHash: LegacyUserRecord['listedHash'];
  status: NonNullable<LegacyUserRecord['status']>;
  salt: Buffer;
  digest: Buffer;
}

export interface LegacyServiceOptions {
  users: readonly LegacyUserRecord[];
  /** When set, every call must carry `Authorization: Bearer <token>`. */
  token?: string;
  port?: number;
  host?: string;
}

export class LegacyUserService {
  readonly calls: LegacyCalls = { authenticate: 0, findUser: 0, list: 0 };
  /** Password checks per login as sent (trimmed, lower-cased), for tests that count them per user. */
  readonly checksByLogin = new Map<string, number>();
  fault: LegacyFault = 'none';
  /** Added before every answer. */
  delayMs = 0;
  /** Requests waiting out `delayMs` right now: a test knows they have arrived without guessing how long it takes. */
  delayed = 0;

  readonly #users = new Map<string, StoredUser>();
  #flaps = 0;
  readonly #token: string | undefined;
  readonly #host: string;
  #port: number;
  #server: Server | undefined;

  constructor(options: LegacyServiceOptions) {
    this.#token = options.token;
    this.#port = options.port ?? 0;
    this.#host = options.host ?? '127.0.0.1';
    for (const user of options.users) this.addUser(user);
  }

  get url(): string {
    return `http://${this.#host === '0.0.0.0' ? '127.0.0.1' : this.#host}:${this.#port}`;
  }

  get running(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Like a real legacy store, it keeps a salted digest, not the password. */
  addUser(user: LegacyUserRecord): void {
    const salt = randomBytes(16);
    const stored: StoredUser = {
      listedHash: user.listedHash,
      profile: user.profile,
      status: user.status ?? 'active',
      salt,
      digest: digest(salt, user.password),
    };
    this.#users.set(user.profile.user_name.toLowerCase(), stored);
    if (user.profile.mail) this.#users.set(user.profile.mail.toLowerCase(), stored);
  }

  /** Starts (or restarts, on the same port) listening. */
  async start(): Promise<void> {
    if (this.running) return;
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#port = await listen(server, this.#port, this.#host);
    this.#server = server;
  }

  /** Stops listening: callers now get "connection refused", as from a legacy system that is down. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server?.listening) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #countCheck(body: string): void {
    try {
      const { login } = JSON.parse(body) as { login?: unknown };
      if (typeof login === 'string') {
        const key = login.trim().toLowerCase();
        this.checksByLogin.set(key, (this.checksByLogin.get(key) ?? 0) + 1);
      }
    } catch {
      // Not JSON: #authenticate has answered 400 already.
    }
  }

  resetCalls(): void {
    this.calls.authenticate = 0;
    this.calls.findUser = 0;
    this.calls.list = 0;
    this.checksByLogin.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://legacy');
    const body = await readBody(req);
    const fault = this.fault === 'flapping' ? FLAPS[this.#flaps++ % FLAPS.length] : this.fault;
    if (fault === 'hang') return;
    if (fault === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.delayMs > 0) {
      this.delayed++;
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      this.delayed--;
    }

    if (this.#token !== undefined && req.headers.authorization !== `Bearer ${this.#token}`) {
      // Not 401: that would read as "wrong password" to the IdP. A misconfigured client is a broken integration.
      send(res, 500, { error: 'this client is not authorised to call the legacy service' });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/authenticate') {
      this.calls.authenticate++;
      this.#answer(res, fault, () => this.#authenticate(body));
      this.#countCheck(body);
      return;
    }
    const userPath = /^\/users\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && userPath?.[1]) {
      this.calls.findUser++;
      const user = this.#users.get(decodeURIComponent(userPath[1]).trim().toLowerCase());
      // Look-ups and the listing say whether an account is disabled (the IdP's `disabledField`).
      this.#answer(res, fault, () =>
        user ? [200, { ...user.profile, disabled: user.status !== 'active' }] : [404, { error: 'not found' }],
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/users') {
      this.calls.list++;
      this.#answer(res, fault, () => this.#list(url.searchParams));
      return;
    }
    send(res, 404, { error: 'no such endpoint' });
  }

  #answer(res: ServerResponse, fault: LegacyFault | undefined, normal: () => [number, unknown]): void {
    switch (fault) {
      case 'error':
        send(res, 500, { error: 'internal error' });
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
        return;
      case 'not-object':
        send(res, 200, ['not', 'a', 'profile']);
        return;
      case 'oversized':
        send(res, 200, { uid: 'L-0', padding: 'x'.repeat(2 * 1024 * 1024) });
        return;
      default: {
        const [status, payload] = normal();
        send(res, status, payload);
      }
    }
  }

  #authenticate(body: string): [number, unknown] {
    let login: unknown;
    let password: unknown;
    try {
      ({ login, password } = JSON.parse(body) as { login?: unknown; password?: unknown });
    } catch {
      return [400, { error: 'body must be JSON' }];
    }
    if (typeof login !== 'string' || typeof password !== 'string')
      return [400, { error: 'login and password required' }];
    const user = this.#users.get(login.trim().toLowerCase());
    if (!user || !timingSafeEqual(user.digest, digest(user.salt, password)))
      return [401, { error: 'invalid credentials' }];
    if (user.status === 'disabled') return [403, { error: 'account disabled' }];
    if (user.status === 'locked') return [423, { error: 'account locked' }];
    return [200, user.profile];
  }

  #list(params: URLSearchParams): [number, unknown] {
    const limit = Math.min(Math.max(Number(params.get('limit') ?? 100) || 100, 1), 1000);
    const after = params.get('after') ?? '';
    const unique = [...new Set(this.#users.values())].sort((a, b) => a.profile.uid.localeCompare(b.profile.uid));
    const page = unique.filter((u) => u.profile.uid > after).slice(0, limit);
    const last = page.at(-1);
    const more = last !== undefined && unique.some((u) => u.profile.uid > last.profile.uid);
    return [
      200,
      {
        users: page.map((u) => ({ ...u.profile, disabled: u.status !== 'active', ...u.listedHash })),
        next: more ? last.profile.uid : null,
      },
    ];
  }
}

function digest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
