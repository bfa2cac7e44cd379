import { randomBytes } from 'node:crypto';
/**
 * A private PostgreSQL server for one test file: its own cluster in a temp dir, TCP on a free loopback port, no Unix
 * socket (so nothing clashes with a system server or a parallel test), durability switched off for speed. Or, with
 * `netns`, inside a network namespace on an address of it (test/support/netns.ts builds the network).
 */
import { appendFileSync, writeFileSync, chownSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { findPostgres, POSTGRES_RUN_AS_CANDIDATES } from './availability.js';
import { missingTool } from '../tools.js';
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  timeLeft,
  isRoot,
  killNow,
  LOOPBACK,
  lookupOsUser,
  makeServerDir,
  randomSecret,
  registerEmergencyCleanup,
  removeDir,
  runCommand,
  spawnServer,
  withFreshPorts,
  waitUntilReady,
  type OsUser,
  type ServerProcess,
  type StartOptions,
} from './process.js';

export interface PostgresServer {
  /** The read-only role: SELECT on every table in schema public, nothing else (no INSERT, no CREATE, no TEMP). */
  url: string;
  /** A superuser, for loading fixtures and for any extra GRANT a test needs. */
  adminUrl: string;
  host: string;
  port: number;
  database: string;
  readOnlyUser: string;
  adminUser: string;
  /** `SELECT version()`, for diagnostics. */
  serverVersion: string;
  /** Milliseconds from the call to startPostgres until the server was set up. */
  startupMs: number;
  /** The directory of the server's Unix socket, when started with `unixSocket`. */
  socketDir?: string;
  /** The postmaster's process id now (a new one after `startAgain`): its backends are its children. */
  readonly pid: number;
  /**
   * Lets the read-only role UPDATE just these columns of a table in schema public, as a legacy DBA would for a
   * write-back ("mark the row as migrated") without handing out general write access.
   */
  grantUpdate(table: string, columns: readonly string[]): Promise<void>;
  /**
   * A login role of its own with column-level rights on one table and nothing else (no SELECT of other columns):
   * the least-privilege writer of a write-back. Returns its connection URL.
   */
  createWriter(table: string, rights: { select: readonly string[]; update: readonly string[] }): Promise<string>;
  /**
   * Fast shutdown (clients are disconnected, as in a restart for an upgrade or a failover), keeping the cluster for
   * `startAgain`.
   */
  shutDown(): Promise<void>;
  /** Starts the server again on the same cluster, address and port, once it accepts our credentials. */
  startAgain(): Promise<void>;
  /** Fast shutdown, then removes the cluster. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A test cluster is thrown away afterwards: crash safety only costs time. */
const THROWAWAY_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'shared_buffers=32MB'];

export interface PostgresOptions extends StartOptions {
  /**
   * Runs the server inside this network namespace (`ip netns exec`; root only), listening on `listenAddress`, which
   * must be one of the namespace's addresses, and accepting password logins from any address.
   */
  netns?: string;
  /** Where the server listens; default 127.0.0.1. */
  listenAddress?: string;
  /** The port; default a free loopback port (5432 in a namespace, which has no other servers). */
  port?: number;
  /** `max_connections`; default 50. */
  maxConnections?: number;
  /**
   * Crash-safe as a production server is (fsync, synchronous commit, full pages, the default shared buffers): for
   * benchmarks that compare stores. Tests leave it off.
   */
  durable?: boolean;
  /**
   * Also listens on a Unix socket in the server's directory (`socketDir`), with password logins: how a server on the
   * same machine as its clients is reached, without loopback TCP's per-packet work on both sides.
   */
  unixSocket?: boolean;
}

const DATABASE = 'legacy';
const ADMIN_USER = 'test_admin';
const READ_ONLY_USER = 'app_reader';
const WRITER_USER = 'app_writer';

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const startedAt = performance.now();
  const timeoutMs = timeLeft(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);
  const binaries = findPostgres();
  if (!binaries) throw new Error(String(missingTool('postgres')));
  // PostgreSQL will not run as root, so under root (CI) the cluster belongs to an unprivileged account.
  const runAs = isRoot() ? await firstOsUser(POSTGRES_RUN_AS_CANDIDATES) : undefined;
  if (isRoot() && !runAs) throw new Error('running as root and there is no account to run PostgreSQL as');
  if (options.netns !== undefined && !runAs) throw new Error('a PostgreSQL server in a network namespace needs root');
  const host = options.listenAddress ?? LOOPBACK;

  const dir = makeServerDir('postgres', runAs);
  const dataDir = join(dir, 'data');
  const adminPassword = randomSecret();
  const readerPassword = randomSecret();
  const env = serverEnv();
  let server: ServerProcess | undefined;
  const unregister = registerEmergencyCleanup(() => {
    if (server) killNow(server.pid);
    removeDir(dir);
  });

  try {
    const passwordFile = join(dir, 'admin-password');
    writeFileSync(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
    await runCommand(
      binaries.initdb,
      [
        ...['-D', dataDir, '-U', ADMIN_USER, `--pwfile=${passwordFile}`],
        ...['--auth-host=scram-sha-256', `--auth-local=${options.unixSocket === true ? 'scram-sha-256' : 'reject'}`],
        ...['--encoding=UTF8', '--locale=C'],
        ...['--no-sync', '--no-instructions'],
      ],
      { runAs, cwd: dir, env, timeoutMs: timeoutMs() },
    );
    rmSync(passwordFile);
    if (host !== LOOPBACK) {
      // initdb lets TCP logins in from loopback only; the namespace's network is the test's own.
      appendFileSync(join(dataDir, 'pg_hba.conf'), 'host all all 0.0.0.0/0 scram-sha-256\n');
    }

    let launches = 0;
    const launch = async (port: number, launchTimeoutMs: number): Promise<ServerProcess> => {
      const args = [
        ...['-D', dataDir, '-p', String(port)],
        ...[
          '-c',
          `listen_addresses=${host}`,
          '-c',
          `unix_socket_directories=${options.unixSocket === true ? dir : ''}`,
        ],
        ...(options.durable === true ? [] : THROWAWAY_SETTINGS.flatMap((setting) => ['-c', setting])),
        ...['-c', `max_connections=${String(options.maxConnections ?? 50)}`],
      ];
      const child = await spawnServer({
        name: 'PostgreSQL',
        // Entering a namespace needs root, so the user is dropped after it; both exec, so the pid is the postmaster's.
        ...(options.netns !== undefined && runAs
          ? {
              command: 'ip',
              args: [
                ...['netns', 'exec', options.netns, 'setpriv', `--reuid=${String(runAs.uid)}`],
                ...[`--regid=${String(runAs.gid)}`, '--clear-groups', binaries.postgres, ...args],
              ],
            }
          : { command: binaries.postgres, args, runAs }),
        // One log per attempt, so a retry's failure is not judged by an earlier attempt's messages.
        logFile: join(dir, `postgres-${port}${launches++ > 0 ? `-${String(launches)}` : ''}.log`),
        cwd: dir,
        env,
      });
      server = child;
      try {
        // Authenticating (not just connecting) proves it is our server and not another test's on a recycled port.
        await waitUntilReady(child, () => query(adminUrl(port, 'postgres'), 'SELECT 1'), {
          timeoutMs: launchTimeoutMs,
        });
      } catch (error) {
        await child.terminate('SIGKILL', 0);
        throw error;
      }
      return child;
    };
    const started =
      options.port !== undefined || options.netns !== undefined
        ? { port: options.port ?? 5432, process: await launch(options.port ?? 5432, timeoutMs()) }
        : await withFreshPorts(1, async ([port = 0]) => ({ port, process: await launch(port, timeoutMs()) }));
    const { port } = started;
    const admin = (database: string): string => adminUrl(port, database);

    await withClient(admin('postgres'), async (client) => {
      await client.query(
        `CREATE ROLE ${READ_ONLY_USER} LOGIN PASSWORD ${client.escapeLiteral(readerPassword)} CONNECTION LIMIT 20`,
      );
      await client.query(`CREATE DATABASE ${DATABASE}`);
      // PUBLIC may connect and create temp tables by default; the read-only role gets only what it needs.
      await client.query(`REVOKE ALL ON DATABASE ${DATABASE} FROM PUBLIC`);
      await client.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO ${READ_ONLY_USER}`);
    });
    const serverVersion = await withClient(admin(DATABASE), async (client) => {
      await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
      await client.query(`GRANT USAGE ON SCHEMA public TO ${READ_ONLY_USER}`);
      // Fixtures are created later, by the admin: default privileges make each new table readable, nothing more.
      await client.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${ADMIN_USER} IN SCHEMA public GRANT SELECT ON TABLES TO ${READ_ONLY_USER}`,
      );
      const result = await client.query<{ version: string }>('SELECT version() AS version');
      return result.rows[0]?.version ?? 'unknown';
    });

    let stopping: Promise<void> | undefined;
    return {
      url: url(READ_ONLY_USER, readerPassword, host, port, DATABASE),
      adminUrl: admin(DATABASE),
      host,
      port,
      database: DATABASE,
      readOnlyUser: READ_ONLY_USER,
      adminUser: ADMIN_USER,
      serverVersion,
      startupMs: Math.round(performance.now() - startedAt),
      ...(options.unixSocket === true ? { socketDir: dir } : {}),
      get pid() {
        return started.process.pid;
      },
      async grantUpdate(table, columns) {
        await withClient(admin(DATABASE), async (client) => {
          const columnList = columns.map((column) => client.escapeIdentifier(column)).join(', ');
          await client.query(
            `GRANT UPDATE (${columnList}) ON TABLE public.${client.escapeIdentifier(table)} TO ${READ_ONLY_USER}`,
          );
        });
      },
      async createWriter(table, rights) {
        const password = randomSecret();
        await withClient(admin(DATABASE), async (client) => {
          const list = (columns: readonly string[]) => columns.map((c) => client.escapeIdentifier(c)).join(', ');
          const target = `public.${client.escapeIdentifier(table)}`;
          await client.query(`CREATE ROLE ${WRITER_USER} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
          await client.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO ${WRITER_USER}`);
          await client.query(`GRANT USAGE ON SCHEMA public TO ${WRITER_USER}`);
          await client.query(`GRANT SELECT (${list(rights.select)}) ON TABLE ${target} TO ${WRITER_USER}`);
          await client.query(`GRANT UPDATE (${list(rights.update)}) ON TABLE ${target} TO ${WRITER_USER}`);
        });
        return url(WRITER_USER, password, host, port, DATABASE);
      },
      async shutDown() {
        // SIGINT is PostgreSQL's fast shutdown: it disconnects clients instead of waiting for them.
        await started.process.terminate('SIGINT', 15_000);
      },
      async startAgain() {
        if (stopping) throw new Error('the server was stopped for good');
        if (!started.process.hasExited()) throw new Error('the server is still running');
        started.process = await launch(port, DEFAULT_STARTUP_TIMEOUT_MS);
      },
      stop() {
        stopping ??= (async () => {
          await started.process.terminate('SIGINT', 15_000);
          removeDir(dir);
          unregister();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (server) await server.terminate('SIGKILL', 0);
    removeDir(dir);
    unregister();
    throw error;
  }

  function adminUrl(port: number, database: string): string {
    return url(ADMIN_USER, adminPassword, host, port, database);
  }
}

function url(user: string, password: string, host: string, port: number, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

/** A new empty database on the server (`<prefix>_<random>`), made as the superuser; returns its superuser URL. */
export async function createDatabase(server: Pick<PostgresServer, 'adminUrl'>, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await query(server.adminUrl, `CREATE DATABASE ${name}`);
  const database = new URL(server.adminUrl);
  database.pathname = `/${name}`;
  return database.href;
}

/** One connection for `use`, ended after it. */
export async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  // An error event on an idle client (the server going away) would otherwise crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function query(connectionString: string, sql: string): Promise<void> {
  await withClient(connectionString, async (client) => {
    await client.query(sql);
  });
}

async function firstOsUser(names: readonly string[]): Promise<OsUser | undefined> {
  for (const name of names) {
    const user = await lookupOsUser(name);
    if (user) return user;
  }
  return undefined;
}

/** PG* variables meant for the developer's own server must not steer initdb or the test cluster. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PG') && !name.startsWith('LC_')),
  );
}
