import { randomBytes } from 'node:crypto';
import type { Config, Mapping } from '../config/schema.js';

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
};

export const DEMO_CLIENT_ID = 'demo-app';
export const DEMO_LEGACY_TOKEN = 'demo-legacy-service-token';

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  baseUrl: string;
}

/** The configuration with the demo legacy service as its legacy system and the demo app as a first-party client. */
export function withDemo(config: Config, legacyUrl: string, appUrl: string): { config: Config; client: DemoClient } {
  const client: DemoClient = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: randomBytes(24).toString('base64url'),
    baseUrl: appUrl,
  };
  return {
    client,
    config: {
      ...config,
      legacy: {
        kind: 'http',
        source: 'demo-legacy',
        baseUrl: legacyUrl,
        auth: { type: 'bearer', token: DEMO_LEGACY_TOKEN },
        timeoutMs: 5000,
        maxResponseBytes: 256 * 1024,
      },
      migration: { ...config.migration, mapping: DEMO_MAPPING },
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
