import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdp } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Config } from './config/schema.js';
import { prepareDemo, type DemoMode } from './demo/demo-mode.js';
import { DEMO_USERS } from './demo/demo-users.js';
import { createLogger } from './log/logger.js';
import { closeServer, listen } from './server.js';
import { hashingThreadsPerProcess, runPrimary, workerCount } from './cluster/workers.js';

/** Entry point: configuration, then (without a legacy system) the demo, then the IdP's HTTP server. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(loaded.config.logLevel);

  // The demo's legacy service and app live inside the one process.
  const demoMode = loaded.config.legacy === undefined;
  if (demoMode && loaded.config.workers !== 1) logger.warn('demo mode runs in one process; "workers" is ignored');
  const processes = demoMode ? 1 : workerCount(loaded.config.workers);
  if (processes > 1 && cluster.isPrimary) {
    runPrimary(processes, logger);
    cluster.once('listening', (_worker, address: AddressInfo) => {
      const { databaseUrl, mongodbUri } = loaded.config.store;
      const store = databaseUrl ? 'postgres' : mongodbUri ? 'mongodb' : 'embedded';
      process.stdout.write(banner(loaded.config, address.port, store, undefined, processes));
    });
    return;
  }

  // loadConfig has already refused demo mode in production.
  const demo = demoMode ? await prepareDemo(loaded.config) : undefined;
  const base = demo?.config ?? loaded.config;
  const hashingThreads = hashingThreadsPerProcess(base.passwords.hashingThreads, processes);
  const config = { ...base, passwords: { ...base.passwords, hashingThreads } };

  // Templates are read again at every render only in demo mode, where someone may be editing them.
  const idp = await createIdp({ config, logger, demoMode: demo !== undefined, cacheViews: demo === undefined });
  const server = createServer(idp.listener);
  // Keep-alive longer than a typical load balancer's idle timeout, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, config.port, config.host);
  const metricsServer = config.metrics.port === undefined ? undefined : createServer(idp.metricsListener);
  if (metricsServer && config.metrics.port !== undefined) {
    await listen(metricsServer, config.metrics.port, config.metrics.host);
  }
  demo?.startApp(config.issuer, idp.store.accounts);

  logger.info(
    {
      issuer: config.issuer,
      port,
      pid: process.pid,
      hashingThreads,
      store: idp.store.kind,
      legacy: idp.legacy?.source ?? null,
      demo: demo !== undefined,
    },
    'IdP started',
  );
  // A worker's primary prints the banner once for all of them.
  if (cluster.isPrimary) process.stdout.write(banner(config, port, idp.store.kind, demo, 1));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests and stopping');
    void (async () => {
      await closeServer(server);
      if (metricsServer) await closeServer(metricsServer, 1000);
      await demo?.close();
      await idp.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function banner(config: Config, port: number, store: string, demo: DemoMode | undefined, processes: number): string {
  const lines = [
    '',
    `  ${config.productName}: OpenID Connect provider with just-in-time migration`,
    `  Issuer:        ${config.issuer}  (listening on port ${port}${processes > 1 ? `, ${processes} worker processes` : ''})`,
    `  Discovery:     ${config.issuer}/.well-known/openid-configuration`,
    `  Store:         ${storeLabel(config, store)}`,
  ];
  if (demo) {
    lines.push(
      '',
      '  DEMO MODE: no legacy system is configured, so a demo legacy service and a demo app are running.',
      `  Demo app:      ${demo.appUrl}      <- open this and click "Sign in"`,
      `  Legacy users:  ${demo.legacy.url}  (the old system, speaking legacy-http-api.md)`,
      `  Outbox:        ${config.issuer}/dev/outbox  (password reset mails; no SMTP server in demo mode)`,
      `  Console:       ${config.issuer}/admin  (sign in as carol: her legacy "admin" role makes her an operator)`,
      '',
      '  Legacy users (username / old password):',
      ...DEMO_USERS.map((u) => `    ${u.profile.user_name.padEnd(8)} ${u.password.padEnd(24)} ${u.note ?? ''}`),
    );
  }
  return `${lines.join('\n')}\n\n`;
}

/** The store as the banner names it: never the credentials of a database URL. */
function storeLabel(config: Config, store: string): string {
  if (store === 'embedded') return `embedded SQLite (${config.store.sqlitePath})`;
  if (store === 'postgres' && config.store.databaseUrl) {
    const url = new URL(config.store.databaseUrl);
    return `PostgreSQL (${url.host || 'local socket'}${url.pathname})`;
  }
  return store === 'postgres' ? 'PostgreSQL' : 'MongoDB';
}

try {
  await main();
} catch (error) {
  const { code, port } = error as { code?: string; port?: number };
  if (code !== 'EADDRINUSE') throw error;
  // The usual first-run problem: say which port and how to pick another, without a stack trace.
  process.stderr.write(
    `port ${String(port)} is already in use: stop what uses it, or set PORT (IdP) / demo ports in the config\n`,
  );
  process.exit(1);
}
