import type { Config } from '../config/schema.js';
import { openEmbeddedStore } from './embedded/embedded-store.js';
import { openMongoStore } from './mongo/mongo-store.js';
import type { Store } from './store.js';

/** MongoDB when a URI is configured, otherwise the embedded SQLite file. */
export async function openStore(config: Config['store']): Promise<Store> {
  if (config.mongodbUri) return openMongoStore(config.mongodbUri, config.mongodbDatabase);
  return openEmbeddedStore(config.sqlitePath);
}
