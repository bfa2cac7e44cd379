import { MongoClient, type Db } from 'mongodb';
import type { Store } from '../store.js';
import { MongoAccountStore } from './accounts.js';
import { MongoArtifactStore } from './artifacts.js';
import { MongoCounterStore } from './counters.js';
import { MongoLeaseStore } from './leases.js';
import { MongoEventStore } from './events.js';
import { MongoFactorStore } from './factors.js';
import { MongoSecretStore } from './secrets.js';
import { MongoSettingsStore } from './settings.js';
import { MongoTombstoneStore } from './tombstones.js';
import { MongoWebhookStore } from './webhooks.js';

/** The setting that records that `backfillAccountIds` has run on this database. */
const ACCOUNT_ID_BACKFILL = 'store.artifacts.account-id-backfilled';

/**
 * The production store. Every process of a scaled-out IdP opens one of these on the same replica set; uniqueness and
 * expiry are the server's unique and TTL indexes, created (idempotently) at start.
 */
export async function openMongoStore(uri: string, databaseName?: string): Promise<Store> {
  const client = new MongoClient(uri, {
    ignoreUndefined: true,
    // Fail a request fast instead of hanging a sign-in: no primary, or a majority that cannot acknowledge a write.
    // (Not a client-wide timeoutMS: it would also cut long bulk import batches and the console's statistics.)
    serverSelectionTimeoutMS: 5000,
    retryWrites: true,
    writeConcern: { w: 'majority', wtimeoutMS: 5000 },
    readConcern: { level: 'majority' },
  });
  await client.connect();
  const db: Db = client.db(databaseName);
  const factors = new MongoFactorStore(client, db);
  const accounts = new MongoAccountStore(db, factors);
  const artifacts = new MongoArtifactStore(db);
  const events = new MongoEventStore(db);
  const secrets = new MongoSecretStore(db);
  const settings = new MongoSettingsStore(db);
  const webhooks = new MongoWebhookStore(db);
  const counters = new MongoCounterStore(db);
  const leases = new MongoLeaseStore(db);
  const tombstones = new MongoTombstoneStore(db);
  try {
    await Promise.all([
      accounts.createIndexes(),
      factors.createIndexes(),
      artifacts.createIndexes(),
      events.createIndexes(),
      webhooks.createIndexes(),
      counters.createIndexes(),
      leases.createIndexes(),
    ]);
    // Once per database (the look-up reads every artifact): artifacts stored before accountId had a field of its own.
    if ((await settings.get<boolean>(ACCOUNT_ID_BACKFILL)) !== true) {
      await artifacts.backfillAccountIds();
      await settings.set(ACCOUNT_ID_BACKFILL, true);
    }
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    kind: 'mongodb',
    accounts,
    factors,
    artifacts,
    events,
    secrets,
    settings,
    webhooks,
    counters,
    leases,
    tombstones,
    ping: async () => {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

/** MongoDB's duplicate-key error, with the key pattern of the unique index that refused the write. */
export function duplicateKeyPattern(error: unknown): Record<string, unknown> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, keyPattern } = error as { code?: unknown; keyPattern?: unknown };
  if (code !== 11000) return undefined;
  return typeof keyPattern === 'object' && keyPattern !== null ? (keyPattern as Record<string, unknown>) : {};
}
