import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store.js';
import { SqliteAccountStore } from './accounts.js';
import { SqliteCounterStore } from './counters.js';
import { SqliteLeaseStore } from './leases.js';
import { SqliteArtifactStore } from './artifacts.js';
import { SqliteEventStore } from './events.js';
import { migrateSchema } from './schema.js';
import { SqliteSecretStore } from './secrets.js';
import { SqliteSettingsStore } from './settings.js';
import { SqliteWebhookStore } from './webhooks.js';

const PURGE_INTERVAL_MS = 60_000;

/**
 * The zero-setup store: one SQLite file. WAL lets readers run beside the single writer, and the busy timeout makes
 * several IdP processes on one host queue for the write lock instead of failing.
 */
export function openEmbeddedStore(path: string, busyTimeoutMs = 5000): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  // FULL: a committed account survives a power cut, not just a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrateSchema(db);

  const artifacts = new SqliteArtifactStore(db);
  const counters = new SqliteCounterStore(db);
  const leases = new SqliteLeaseStore(db);
  const purge = setInterval(() => {
    artifacts.purgeExpired();
    counters.purgeExpired();
    leases.purgeExpired();
  }, PURGE_INTERVAL_MS);
  purge.unref();

  return {
    kind: 'embedded',
    accounts: new SqliteAccountStore(db),
    artifacts,
    events: new SqliteEventStore(db),
    secrets: new SqliteSecretStore(db),
    settings: new SqliteSettingsStore(db),
    webhooks: new SqliteWebhookStore(db),
    counters,
    leases,
    ping: () => {
      try {
        db.prepare('SELECT 1').get();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    close: () => {
      clearInterval(purge);
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
