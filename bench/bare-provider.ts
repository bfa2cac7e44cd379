import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ADMIN_SCOPE, adminConsoleClient } from '../src/admin/admin-access.js';
import { normaliseLogin } from '../src/accounts/account.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/log/logger.js';
import { loadCookieKeys } from '../src/oidc/keys.js';
import { providerJwks } from '../src/oidc/provider-keys.js';
import { openSigningKeysFor } from '../src/oidc/signing-keys.js';
import { openSecretBox } from '../src/security/secret-keys.js';
import { createProvider } from '../src/oidc/provider.js';
import { openStore } from '../src/store/open-store.js';
import { listen, requestListener } from '../src/server.js';

/**
 * The benchmark's baseline: oidc-provider with the IdP's own protocol configuration (src/oidc/provider.ts: the same
 * clients, features, claims, token formats and lifetimes), on the same store and keys, and nothing of the product
 * around it: no security headers, request ids, logging, error pages, hosted pages or admin routes. Reads the IdP's
 * config file (IDP_CONFIG), so tokens the IdP issued are valid here too; listens on BARE_PORT.
 *
 * Its interaction is the least a sign-in can be, so that the bench's own flow runs through it and gives the floor of
 * oidc-provider's cost per sign-in: a page holding only a form field, and a login that looks the account up and
 * checks no password (nothing is hashed). And at `/floor`, the floor of any Node server for a static answer: the
 * discovery document written by node:http alone, with no routing and no headers beyond its content type.
 */
const { config } = loadConfig();
const logger = createLogger('silent');
const store = await openStore(config.store, logger);
const secretBox = await openSecretBox(config, store.secrets, logger);
const [signingKeys, cookieKeys] = await Promise.all([
  openSigningKeysFor(config, store, secretBox, logger),
  loadCookieKeys(store.secrets, secretBox, config.cookies.keys),
]);
const plain = (text: string) => (ctx: { body: unknown }) => {
  ctx.body = text;
  return Promise.resolve();
};
const provider = createProvider({
  config,
  accounts: store.accounts,
  artifacts: store.artifacts,
  jwks: providerJwks(signingKeys.current()),
  cookieKeys,
  pages: { logout: plain('logout'), loggedOut: plain('signed out'), error: plain('error') },
  logger,
  admin: { consoleClient: adminConsoleClient(config), apiScope: ADMIN_SCOPE },
});

const INTERACTION = /^\/interaction\/[\w-]+(\/login)?$/;
const protocol = requestListener(provider);

async function interaction(req: IncomingMessage, res: ServerResponse, login: boolean): Promise<void> {
  if (!login) {
    await provider.interactionDetails(req, res);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<form method="post"><input name="csrf" value="bare"></form>');
    return;
  }
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const account = await store.accounts.findByLogin(normaliseLogin(new URLSearchParams(body).get('login') ?? ''));
  if (!account) {
    res.statusCode = 401;
    res.end();
    return;
  }
  const location = await provider.interactionResult(req, res, { login: { accountId: account.id } });
  res.statusCode = 303;
  res.setHeader('location', location);
  res.end();
}

let floor = Buffer.alloc(0);
const port = await listen(
  createServer((req, res) => {
    if (req.url === '/floor') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': floor.length });
      res.end(floor);
      return;
    }
    const match = INTERACTION.exec(req.url ?? '');
    if (!match) {
      protocol(req, res);
      return;
    }
    interaction(req, res, Boolean(match[1])).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  }),
  Number(process.env.BARE_PORT ?? 0),
  '127.0.0.1',
);
floor = Buffer.from(
  await (await fetch(`http://127.0.0.1:${String(port)}/.well-known/openid-configuration`)).arrayBuffer(),
);
process.stdout.write(`bare oidc-provider listening on port ${String(port)}\n`);
process.on('SIGTERM', () => process.exit(0));
