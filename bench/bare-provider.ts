import { createServer } from 'node:http';
import { ADMIN_SCOPE, adminConsoleClient } from '../src/admin/admin-access.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/log/logger.js';
import { loadCookieKeys, loadSigningKeys } from '../src/oidc/keys.js';
import { createProvider } from '../src/oidc/provider.js';
import { openStore } from '../src/store/open-store.js';
import { listen, requestListener } from '../src/server.js';

/**
 * The benchmark's baseline: oidc-provider with the IdP's own protocol configuration (src/oidc/provider.ts: the same
 * clients, features, claims, token formats and lifetimes), on the same store and keys, and nothing of the product
 * around it: no security headers, request ids, logging, error pages, hosted pages or admin routes. Reads the IdP's
 * config file (IDP_CONFIG), so tokens the IdP issued are valid here too; listens on BARE_PORT.
 */
const { config } = loadConfig();
const logger = createLogger('silent');
const store = await openStore(config.store, logger);
const [signingKeys, cookieKeys] = await Promise.all([
  loadSigningKeys(store.secrets),
  loadCookieKeys(store.secrets, config.cookies.keys),
]);
const plain = (text: string) => (ctx: { body: unknown }) => {
  ctx.body = text;
  return Promise.resolve();
};
const provider = createProvider({
  config,
  accounts: store.accounts,
  artifacts: store.artifacts,
  signingKeys,
  cookieKeys,
  pages: { logout: plain('logout'), loggedOut: plain('signed out'), error: plain('error') },
  logger,
  admin: { consoleClient: adminConsoleClient(config), apiScope: ADMIN_SCOPE },
});
const port = await listen(createServer(requestListener(provider)), Number(process.env.BARE_PORT ?? 0), '127.0.0.1');
process.stdout.write(`bare oidc-provider listening on port ${String(port)}\n`);
process.on('SIGTERM', () => process.exit(0));
