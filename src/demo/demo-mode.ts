import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { legacySchema, type Config, type Mapping } from '../config/schema.js';
import { closeServer, listen, requestListener } from '../server.js';
import type { AccountStore } from '../store/store.js';
import { DEMO_USERS } from './demo-users.js';
import { LegacyUserService } from './legacy-service.js';

/**
 * Demo mode: what `npm start` runs when no legacy system is configured. A demo legacy user service stands in for
 * the old system and a demo app for a client application, so a newcomer can watch a migration end to end.
 */

/** How the demo legacy system's field names become account fields: the example every operator adapts. */
export const DEMO_MAPPING: Mapping = {
  legacyId: 'uid',
  username: 'user_name',
  email: 'mail',
  emailVerified: 'mail_confirmed',
  givenName: 'first',
  familyName: 'last',
  name: { template: '{first} {last}' },
  roles: { path: 'roles', map: { staff: 'employee', admin: 'admin', customer: 'customer' }, keepUnmapped: false },
  // The legacy system's own two-step verification: a user who had it keeps their authenticator app.
  totpSecret: 'totp_secret',
};

export const DEMO_CLIENT_ID = 'demo-app';
export const DEMO_LEGACY_TOKEN = 'demo-legacy-service-token';

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  baseUrl: string;
}

export interface DemoMode {
  /** The configuration with the demo legacy service and the demo app in it. */
  config: Config;
  legacy: LegacyUserService;
  appUrl: string;
  /**
   * Starts serving the demo app, once the IdP answers at `issuer`; with the IdP's accounts, its page shows which demo
   * users have moved.
   */
  startApp(issuer: string, accounts?: Pick<AccountStore, 'existingLegacyIds'>): void;
  close(): Promise<void>;
}

/** Starts the demo legacy service and reserves the demo app's port (its URL goes into the client's metadata). */
export async function prepareDemo(config: Config): Promise<DemoMode> {
  // The demo application (openid-client among it) is loaded only in demo mode, not by every IdP that starts.
  const { createDemoApp } = await import('./client-app.js');
  const legacy = new LegacyUserService({ users: DEMO_USERS, token: DEMO_LEGACY_TOKEN, port: config.demo.legacyPort });
  await legacy.start();
  const appServer = createServer();
  const appPort = await listen(appServer, config.demo.appPort, config.host);
  const appUrl = `http://localhost:${appPort}`;
  const demo = withDemo(config, legacy.url, appUrl);
  return {
    config: demo.config,
    legacy,
    appUrl,
    startApp(issuer, accounts) {
      const source = demo.config.legacy?.source ?? 'legacy';
      appServer.on(
        'request',
        requestListener(
          createDemoApp({
            issuer,
            client: demo.client,
            legacy,
            users: DEMO_USERS,
            ...(accounts ? { moved: (ids: readonly string[]) => accounts.existingLegacyIds(source, ids) } : {}),
          }),
        ),
      );
    },
    async close() {
      await closeServer(appServer, 1000);
      await legacy.stop();
    },
  };
}

/**
 * The configuration with the demo legacy service as its legacy system and the demo's mapping: what the demo's
 * sign-ins migrate with, and so what `npm run import` and `npm run legacy:scan` use in demo mode too.
 */
export function withDemoLegacy(config: Config, legacyUrl = `http://127.0.0.1:${config.demo.legacyPort}`): Config {
  return {
    ...config,
    legacy: legacySchema.parse({
      kind: 'http',
      source: 'demo-legacy',
      baseUrl: legacyUrl,
      auth: { type: 'bearer', token: DEMO_LEGACY_TOKEN },
      disabledField: 'disabled',
    }),
    migration: { ...config.migration, mapping: DEMO_MAPPING },
  };
}

function withDemo(config: Config, legacyUrl: string, appUrl: string): { config: Config; client: DemoClient } {
  const client: DemoClient = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: randomBytes(24).toString('base64url'),
    baseUrl: appUrl,
  };
  return {
    client,
    config: {
      ...withDemoLegacy(config, legacyUrl),
      // In the demo, the legacy "admin" role makes an operator (carol); a real deployment picks a dedicated role.
      admin: { ...config.admin, roles: ['admin'] },
      mail: { ...config.mail, outbox: true },
      clients: [
        ...config.clients,
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          client_name: 'Demo App',
          redirect_uris: [`${appUrl}/callback`],
          post_logout_redirect_uris: [`${appUrl}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          first_party: true,
        },
      ],
    },
  };
}
