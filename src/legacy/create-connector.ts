import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { LegacyConfig } from '../config/legacy-schema.js';
import type { Logger } from '../log/logger.js';
import type { LegacyConnector } from './connector.js';
import { createHttpConnector } from './http-connector.js';
import { createLegacySystem, type LegacyObservers, type LegacySystem } from './legacy-system.js';
import { createModuleConnector } from './module-connector.js';

/** The connector of `config.kind`; the SQL drivers and the LDAP client (15 to 30 MB resident) load only when used. */
export async function createConnector(
  config: LegacyConfig,
  hasher: PasswordHasher,
  logger: Logger,
): Promise<LegacyConnector> {
  switch (config.kind) {
    case 'http':
      return createHttpConnector(config);
    case 'sql':
      return (await import('./sql-connector.js')).createSqlConnector(config, hasher);
    case 'ldap':
      return (await import('./ldap-connector.js')).createLdapConnector(config);
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
