import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdp, type Idp } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService, type LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { createLogger } from '../../src/log/logger.js';
import { closeServer, listen } from '../../src/server.js';
import { createDatabase, startPostgres, type PostgresServer } from './servers/postgres.js';
import { missingTool } from './tools.js';

export const RP_REDIRECT = 'http://rp.test/callback';
export const TEST_CLIENTS = {
  firstParty: { client_id: 'first-party-rp', client_secret: 'first-party-secret-0123456789abcdef' },
  thirdParty: { client_id: 'third-party-rp', client_secret: 'third-party-secret-0123456789abcdef' },
  public: { client_id: 'public-spa', client_secret: undefined },
  opsBot: { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef0123' },
  otherBot: { client_id: 'other-bot', client_secret: 'other-bot-secret-0123456789abcdef0' },
  /** An old confidential relying party that cannot send PKCE, let off by its metadata. */
  oldRp: { client_id: 'old-rp', client_secret: 'old-rp-secret-0123456789abcdef01234' },
  /** An operators' tool that signs people in for the admin API (a user's token, not a robot's). */
  adminApp: { client_id: 'admin-app', client_secret: 'admin-app-secret-0123456789abcdef0' },
  /** A first-party app that requires a second factor at every sign-in (`require_mfa`). */
  mfaRp: { client_id: 'mfa-rp', client_secret: 'mfa-rp-secret-0123456789abcdef01234' },
} as const;
export const TEST_API = 'https://api.test/';
export const LEGACY_TOKEN = 'test-legacy-token';

export type Backend = 'embedded' | 'postgres' | 'mongodb';

/**
 * Every store back end the end-to-end suites run against: PostgreSQL on a private server started for the test file
 * (where Debian's postgresql is installed), MongoDB only where a server is given.
 */
export const BACKENDS: readonly { backend: Backend; skip: string | false }[] = [
  { backend: 'embedded', skip: false },
  { backend: 'postgres', skip: missingTool('postgres') },
  { backend: 'mongodb', skip: process.env.MONGODB_URI ? false : 'skipped: MONGODB_URI not set' },
];

export interface TestIdpOptions {
  users?: readonly LegacyUserRecord[];
  /** Raw config merged over the test defaults before validation. */
  config?: Record<string, unknown>;
  backend?: Backend;
  /** Start with no legacy system at all. */
  withoutLegacy?: boolean;
  /** Another legacy system than the HTTP stub (its `legacy` config); the stub still starts, unused. */
  legacy?: Record<string, unknown>;
  /** Compile each view once, as `npm start` does (the suites leave it off, as development does). */
  cacheViews?: boolean;
}

export interface TestIdp {
  issuer: string;
  idp: Idp;
  legacy: LegacyUserService;
  config: Config;
  /** Every line the IdP logged, as written. */
  logs: string[];
  /** The SQLite file, when the backend is embedded. */
  sqlitePath: string | undefined;
  /** Stops the IdP process and starts a new one on the same store and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The whole IdP on an ephemeral port with a legacy stub in front of a fresh store, as `npm start` builds it. */
export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const legacy = new LegacyUserService({ users: options.users ?? DEMO_USERS, token: LEGACY_TOKEN });
  await legacy.start();
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-test-'));
  const backend = options.backend ?? 'embedded';
  const logs: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(line) });

  let server: Server = createServer();
  const port = await listen(server, 0, '127.0.0.1');
  const issuer = `http://127.0.0.1:${port}`;
  const store =
    backend === 'mongodb'
      ? { mongodbUri: requiredMongoUri(), mongodbDatabase: `jit_idp_test_${randomBytes(6).toString('hex')}` }
      : backend === 'postgres'
        ? { databaseUrl: await freshPostgresDatabase() }
        : { sqlitePath: join(dir, 'idp.sqlite') };
  const config = configSchema.parse(
    merge(
      {
        issuer,
        port,
        logLevel: 'debug',
        store,
        passwords: { bcryptCost: 10, hashingThreads: 2 },
        ...(options.withoutLegacy
          ? {}
          : {
              legacy: options.legacy ?? {
                kind: 'http',
                source: 'test-legacy',
                baseUrl: legacy.url,
                auth: { type: 'bearer', token: LEGACY_TOKEN },
                disabledField: 'disabled',
                timeoutMs: 1000,
                // The suites switch faults on and off on purpose; the breaker has its own tests.
                resilience: { breakerFailures: 1000 },
              },
            }),
        migration: { mapping: DEMO_MAPPING },
        clients: [
          {
            ...TEST_CLIENTS.firstParty,
            client_name: 'First Party App',
            redirect_uris: [RP_REDIRECT],
            post_logout_redirect_uris: ['http://rp.test/'],
            first_party: true,
          },
          { ...TEST_CLIENTS.thirdParty, client_name: 'Third Party App', redirect_uris: [RP_REDIRECT] },
          {
            ...TEST_CLIENTS.opsBot,
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            admin_api: true,
          },
          { ...TEST_CLIENTS.otherBot, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
          { ...TEST_CLIENTS.oldRp, redirect_uris: [RP_REDIRECT], first_party: true, pkce_required: false },
          { ...TEST_CLIENTS.adminApp, redirect_uris: [RP_REDIRECT], first_party: true, admin_api: true },
          { ...TEST_CLIENTS.mfaRp, redirect_uris: [RP_REDIRECT], first_party: true, require_mfa: true },
          {
            client_id: TEST_CLIENTS.public.client_id,
            client_name: 'Public SPA',
            token_endpoint_auth_method: 'none',
            redirect_uris: [RP_REDIRECT],
            first_party: true,
          },
        ],
        resourceServers: { [TEST_API]: { scope: 'api:read api:write' } },
        admin: { roles: ['admin'] },
        // The suites sign the same users in many times on purpose; the limits have their own suite.
        rateLimits: { enabled: false },
        // Refusals held to a common floor would slow every suite; the floor has its own.
        failedSignInTiming: { enabled: false },
        mail: { outbox: true },
      },
      options.config ?? {},
    ),
  );

  const cacheViews = options.cacheViews ?? false;
  let idp = await createIdp({ config, logger, cacheViews });
  server.on('request', idp.listener);

  return {
    issuer,
    get idp() {
      return idp;
    },
    legacy,
    config,
    logs,
    sqlitePath: backend === 'embedded' ? join(dir, 'idp.sqlite') : undefined,
    async restart() {
      await closeServer(server, 100);
      await idp.close();
      idp = await createIdp({ config, logger, cacheViews });
      server = createServer(idp.listener);
      await listen(server, port, '127.0.0.1');
    },
    async close() {
      await closeServer(server, 100);
      await idp.close();
      await legacy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One private PostgreSQL server per test process (stopped with the process), a new database per IdP. */
let sharedPostgres: Promise<PostgresServer> | undefined;

async function freshPostgresDatabase(): Promise<string> {
  sharedPostgres ??= startPostgres();
  return createDatabase(await sharedPostgres, 'jit_idp_test');
}

function requiredMongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI not set');
  return uri;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) && !Array.isArray(value) ? merge(current, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
