import { createServer, type Server } from 'node:http';
import { createIdp } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Config } from './config/schema.js';
import { startDemoApp } from './demo/client-app.js';
import { DEMO_LEGACY_TOKEN, withDemo } from './demo/demo-setup.js';
import { DEMO_USERS } from './demo/demo-users.js';
import { LegacyUserService } from './demo/legacy-service.js';
import { createLogger } from './log/logger.js';
import { closeServer, listen, requestListener } from './server.js';

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
  let config: Config = loaded.config;
  const logger = createLogger(config.logLevel);
  const closers: (() => Promise<void>)[] = [];

  let demo: { legacy: LegacyUserService; appUrl: string; client: ReturnType<typeof withDemo>['client'] } | undefined;
  if (!config.legacy) {
    // loadConfig has already refused this combination in production.
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: DEMO_LEGACY_TOKEN, port: config.demo.legacyPort });
    await legacy.start();
    closers.push(() => legacy.stop());
    const appUrl = `http://localhost:${config.demo.appPort}`;
    const setup = withDemo(config, legacy.url, appUrl);
    config = setup.config;
    demo = { legacy, appUrl, client: setup.client };
  }

  const idp = await createIdp({ config, logger, demoMode: demo !== undefined, cacheViews: loaded.production });
  const server = createServer(requestListener(idp.app));
  // Keep-alive longer than a typical load balancer's idle timeout, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, config.port, config.host);
  closers.unshift(
    () => closeServer(server),
    () => idp.close(),
  );

  let demoServer: Server | undefined;
  if (demo) {
    demoServer = await startDemoApp({
      issuer: config.issuer,
      client: demo.client,
      port: config.demo.appPort,
      legacy: demo.legacy,
      users: DEMO_USERS,
    });
    closers.unshift(() => closeServer(demoServer as Server, 1000));
  }

  logger.info(
    {
      issuer: config.issuer,
      port,
      store: idp.store.kind,
      legacy: idp.legacy?.source ?? null,
      demo: demo !== undefined,
    },
    'IdP started',
  );
  process.stdout.write(banner(config, port, idp.store.kind, demo));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests and stopping');
    void (async () => {
      for (const close of closers) await close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function banner(
  config: Config,
  port: number,
  store: string,
  demo: { legacy: LegacyUserService; appUrl: string } | undefined,
): string {
  const lines = [
    '',
    `  ${config.productName}: OpenID Connect provider with just-in-time migration`,
    `  Issuer:        ${config.issuer}  (listening on port ${port})`,
    `  Discovery:     ${config.issuer}/.well-known/openid-configuration`,
    `  Store:         ${store === 'embedded' ? `embedded SQLite (${config.store.sqlitePath})` : 'MongoDB'}`,
  ];
  if (demo) {
    lines.push(
      '',
      '  DEMO MODE: no legacy system is configured, so a demo legacy service and a demo app are running.',
      `  Demo app:      ${demo.appUrl}      <- open this and click "Sign in"`,
      `  Legacy users:  ${demo.legacy.url}  (the old system, speaking legacy-http-api.md)`,
      '',
      '  Legacy users (username / old password):',
      ...DEMO_USERS.map((u) => `    ${u.profile.user_name.padEnd(8)} ${u.password.padEnd(24)} ${u.note ?? ''}`),
    );
  }
  return `${lines.join('\n')}\n\n`;
}

await main();
