import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { LegacyConfig } from '../config/legacy-schema.js';
import type { Logger } from '../log/logger.js';
import type { LegacyConnector } from './connector.js';
import { createHttpConnector } from './http-connector.js';
import { createLdapConnector } from './ldap-connector.js';
import { createLegacySystem, type LegacyObservers, type LegacySystem } from './legacy-system.js';
import { createModuleConnector } from './module-connector.js';
import { createSqlConnector } from './sql-connector.js';

export function createConnector(
  config: LegacyConfig,
  hasher: PasswordHasher,
  logger: Logger,
): Promise<LegacyConnector> {
  switch (config.kind) {
    case 'http':
      return Promise.resolve(createHttpConnector(config));
    case 'sql':
      return Promise.resolve(createSqlConnector(config, hasher));
    case 'ldap':
      return Promise.resolve(createLdapConnector(config));
    case 'module':
      return createModuleConnector(config, logger, hasher);
  }
}

/** The configured legacy system: its connector behind timeouts, a concurrency bound and a circuit breaker. */
export async function openLegacySystem(
  config: LegacyConfig,
  hasher: PasswordHasher,
  logger: Logger,
  onCall?: LegacyObservers['onCall'],
): Promise<LegacySystem> {
  const connector = await createConnector(config, hasher, logger);
  const log = logger.child({ component: 'legacy', source: config.source });
  return createLegacySystem(
    connector,
    { ...config.resilience, timeoutMs: config.timeoutMs },
    {
      onCircuitChange: (circuit) =>
        circuit === 'closed'
          ? log.info({ circuit }, 'legacy system answers again')
          : log.warn({ circuit }, 'legacy circuit'),
      ...(onCall ? { onCall } : {}),
    },
  );
}
