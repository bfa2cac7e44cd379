import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { openEmbeddedStore } from './embedded/embedded-store.js';
import { isSqliteUnavailable } from './embedded/unavailable.js';
import type { ThreadRunner } from './embedded/wal-checkpointer.js';
import type { Store } from './store.js';
import { guardStore } from './store-unavailable.js';

/**
 * MongoDB when a URI is configured, otherwise the embedded SQLite file (checkpointed on `threads` when given); each
 * unavailable call is a warning.
 */
export async function openStore(config: Config['store'], logger: Logger, threads?: ThreadRunner): Promise<Store> {
  const warn = (err: Error, operation: string) => logger.warn({ err, operation }, 'store unavailable');
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
