/**
 * A private MariaDB server for one test file: a fresh data dir from mariadb-install-db in a temp dir, TCP on a free
 * loopback port, no option files read (--no-defaults), so the machine's own MariaDB set-up cannot interfere.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { findMariaDb } from './availability.js';
import { missingTool } from '../tools.js';
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  timeLeft,
  isRoot,
  killNow,
  LOOPBACK,
  makeServerDir,
  randomSecret,
  registerEmergencyCleanup,
  removeDir,
  runCommand,
  spawnServer,
  withFreshPorts,
  waitUntilReady,
  type ServerProcess,
  type StartOptions,
} from './process.js';

export interface MariaDbServer {
  /** The read-only user: SELECT on every table of the database, nothing else. */
  url: string;
  /** Has every privilege WITH GRANT OPTION, for loading fixtures and for any extra GRANT a test needs. */
  adminUrl: string;
  host: string;
  port: number;
  database: string;
  readOnlyUser: string;
  adminUser: string;
  /** `SELECT VERSION()`, for diagnostics. */
  serverVersion: string;
  /** Milliseconds from the call to startMariaDb until the server was set up. */
  startupMs: number;
  /**
   * Lets the read-only user UPDATE just these columns of a table, as a legacy DBA would for a write-back ("mark the
   * row as migrated") without handing out general write access.
   */
  grantUpdate(table: string, columns: readonly string[]): Promise<void>;
  /**
   * A user of its own with column-level rights on one table and nothing else (no SELECT of other columns): the
   * least-privilege writer of a write-back. Returns its connection URL.
   */
  createWriter(table: string, rights: { select: readonly string[]; update: readonly string[] }): Promise<string>;
  /** Clean shutdown, then removes the data dir. Safe to call more than once. */
  stop(): Promise<void>;
}

const DATABASE = 'legacy';
const ADMIN_USER = 'test_admin';
const READ_ONLY_USER = 'app_reader';
const WRITER_USER = 'app_writer';
/** Accounts are bound to the address the tests connect from; with skip-name-resolve no DNS lookup is involved. */
const CLIENT_HOST = LOOPBACK;

export async function startMariaDb(options: StartOptions = {}): Promise<MariaDbServer> {
  const startedAt = performance.now();
  const timeoutMs = timeLeft(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);
  const binaries = findMariaDb();
  if (!binaries) throw new Error(String(missingTool('mariadb')));

  const dir = makeServerDir('mariadb');
  const dataDir = join(dir, 'data');
  const adminPassword = randomSecret();
  const readerPassword = randomSecret();
  // mariadbd refuses to run as root unless told to; the data dir is ours either way, so no account switch is needed.
  const userArgs = isRoot() ? ['--user=root'] : [];
  // Smaller than the defaults (96 MiB redo log): several servers may run at once and nothing here is large.
  const innodbArgs = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M', '--innodb-use-native-aio=0'];
  let server: ServerProcess | undefined;
  const unregister = registerEmergencyCleanup(() => {
    if (server) killNow(server.pid);
    removeDir(dir);
  });

  try {
    await runCommand(
      binaries.installDb,
      [
        // --no-defaults has to come first.
        ...['--no-defaults', `--datadir=${dataDir}`, ...userArgs],
        ...['--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...innodbArgs],
      ],
      { cwd: dir, timeoutMs: timeoutMs() },
    );
    // Runs before the server accepts connections, so a successful login as the admin means set-up is complete.
    const initFile = join(dir, 'init.sql');
    writeFileSync(
      initFile,
      [
        `CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
        `CREATE USER '${ADMIN_USER}'@'${CLIENT_HOST}' IDENTIFIED BY '${adminPassword}';`,
        `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'${CLIENT_HOST}' WITH GRANT OPTION;`,
        `CREATE USER '${READ_ONLY_USER}'@'${CLIENT_HOST}' IDENTIFIED BY '${readerPassword}';`,
        `GRANT SELECT ON ${DATABASE}.* TO '${READ_ONLY_USER}'@'${CLIENT_HOST}';`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    const started = await withFreshPorts(1, async ([port = 0]) => {
      const child = await spawnServer({
        name: 'MariaDB',
        command: binaries.server,
        args: [
          ...['--no-defaults', ...userArgs, `--datadir=${dataDir}`, `--tmpdir=${dir}`],
          ...[`--port=${port}`, `--bind-address=${LOOPBACK}`, '--skip-name-resolve'],
          ...[`--socket=${socketPath(dir)}`, `--pid-file=${join(dir, 'mariadbd.pid')}`, `--init-file=${initFile}`],
          ...['--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'],
          // A test server is thrown away afterwards: crash safety only costs time.
          ...innodbArgs,
          ...['--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--skip-log-bin'],
          ...['--performance-schema=OFF', '--max-connections=50'],
        ],
        logFile: join(dir, `mariadbd-${port}.log`),
        cwd: dir,
      });
      server = child;
      try {
        // Authenticating (not just connecting) proves it is our server and not another test's on a recycled port.
        await waitUntilReady(child, () => query(url(ADMIN_USER, adminPassword, port), 'SELECT 1'), {
          timeoutMs: timeoutMs(),
        });
      } catch (error) {
        await child.terminate('SIGKILL', 0);
        throw error;
      }
      return { process: child, port };
    });
    const { port } = started;
    const adminUrl = url(ADMIN_USER, adminPassword, port);
    const serverVersion = await withConnection(adminUrl, async (connection) => {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
      return String(rows[0]?.version ?? 'unknown');
    });

    let stopping: Promise<void> | undefined;
    return {
      url: url(READ_ONLY_USER, readerPassword, port),
      adminUrl,
      host: LOOPBACK,
      port,
      database: DATABASE,
      readOnlyUser: READ_ONLY_USER,
      adminUser: ADMIN_USER,
      serverVersion,
      startupMs: Math.round(performance.now() - startedAt),
      async grantUpdate(table, columns) {
        await withConnection(adminUrl, async (connection) => {
          const columnList = columns.map((column) => connection.escapeId(column)).join(', ');
          await connection.query(
            `GRANT UPDATE (${columnList}) ON ${connection.escapeId(table)} TO '${READ_ONLY_USER}'@'${CLIENT_HOST}'`,
          );
        });
      },
      async createWriter(table, rights) {
        const password = randomSecret();
        await withConnection(adminUrl, async (connection) => {
          const list = (columns: readonly string[]) => columns.map((c) => connection.escapeId(c)).join(', ');
          const writer = `'${WRITER_USER}'@'${CLIENT_HOST}'`;
          await connection.query(`CREATE USER ${writer} IDENTIFIED BY ${connection.escape(password)}`);
          await connection.query(
            `GRANT SELECT (${list(rights.select)}), UPDATE (${list(rights.update)}) ON ${connection.escapeId(table)} TO ${writer}`,
          );
        });
        return url(WRITER_USER, password, port);
      },
      stop() {
        stopping ??= (async () => {
          // SIGTERM is a normal shutdown; with the settings above it takes a fraction of a second.
          await started.process.terminate('SIGTERM', 30_000);
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
}

function url(user: string, password: string, port: number): string {
  return `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${DATABASE}`;
}

/**
 * The server always opens a Unix socket too. Socket paths are limited to about 107 bytes, which a long TMPDIR can
 * exceed; /tmp is then used instead, still under a unique name because the directory name is unique.
 */
function socketPath(dir: string): string {
  const inDir = join(dir, 'mariadbd.sock');
  return Buffer.byteLength(inDir) <= 100 ? inDir : join('/tmp', `${dir.split('/').pop() ?? 'mariadb'}.sock`);
}

async function withConnection<T>(uri: string, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri, connectTimeout: 5_000 });
  // An error event on an idle connection (the server going away) would otherwise crash the test process.
  connection.on('error', () => undefined);
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

async function query(uri: string, sql: string): Promise<void> {
  await withConnection(uri, async (connection) => {
    await connection.query(sql);
  });
}
