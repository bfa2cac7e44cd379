import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { openEmbeddedStore } from './embedded/embedded-store.js';
import { isSqliteUnavailable } from './embedded/unavailable.js';
import type { ThreadRunner } from './embedded/wal-checkpointer.js';
import type { Store } from './store.js';
import { guardStore } from './store-unavailable.js';

/**
 * PostgreSQL when a database URL is configured, MongoDB when a URI is, otherwise the embedded SQLite file
 * (checkpointed on `threads` when given); each unavailable call is a warning. (The configuration refuses both URLs.)
 */
export async function openStore(config: Config['store'], logger: Logger, threads?: ThreadRunner): Promise<Store> {
  const warn = (err: Error, operation: string) => logger.warn({ err, operation }, 'store unavailable');
  if (config.databaseUrl) {
    // pg is loaded only where it is used, as the MongoDB driver is.
    const [{ openPostgresStore }, { isPostgresUnavailable }] = await Promise.all([
      import('./postgres/postgres-store.js'),
      import('./postgres/unavailable.js'),
    ]);
    const store = await openPostgresStore(config.databaseUrl, {
      poolSize: config.postgresPoolSize,
      statementTimeoutMs: config.postgresStatementTimeoutMs,
      onBackgroundError: (err, what) => logger.warn({ err, what }, 'PostgreSQL store: background error'),
    });
    return guardStore(store, isPostgresUnavailable, warn);
  }
  if (config.mongodbUri) {
    // The driver (about 25 MB resident) is loaded only where it is used.
    const [{ openMongoStore }, { isMongoUnavailable }] = await Promise.all([
      import('./mongo/mongo-store.js'),
      import('./mongo/unavailable.js'),
    ]);
    return guardStore(await openMongoStore(config.mongodbUri, config.mongodbDatabase), isMongoUnavailable, warn);
  }
  return guardStore(
    openEmbeddedStore(config.sqlitePath, config.sqliteBusyTimeoutMs, threads),
    isSqliteUnavailable,
    warn,
  );
}
