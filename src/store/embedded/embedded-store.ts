import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store.js';
import { SqliteAccountStore } from './accounts.js';
import { SqliteCounterStore } from './counters.js';
import { SqliteLeaseStore } from './leases.js';
import { SqliteArtifactStore } from './artifacts.js';
import { SqliteEventStore } from './events.js';
import { SqliteFactorStore } from './factors.js';
import { migrateSchema } from './schema.js';
import { SqliteSecretStore } from './secrets.js';
import { SqliteSettingsStore } from './settings.js';
import { SqliteTombstoneStore } from './tombstones.js';
import { SqliteWebhookStore } from './webhooks.js';
import { startWalCheckpointer, type ThreadRunner } from './wal-checkpointer.js';
import { createWalSync, syncedAfter } from './wal-sync.js';

const PURGE_INTERVAL_MS = 60_000;
/**
 * The writer that starts the log over after a checkpoint syncs the log's new header (SQLite, wal.c), on the event
 * loop: a few seconds between checkpoints keep that to one small sync per few seconds whatever the load.
 */
const CHECKPOINT_INTERVAL_MS = 5000;
/** A log larger than this is cut back to it once checkpointed (bytes). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * A safety valve, in pages (40 MB): the checkpoint thread can only start the log over at a moment when no write is
 * appending to it, which a long bulk insert (an import) never leaves, and a log that only grows makes every read
 * slower. Past this size the writer checkpoints itself between two transactions, as SQLite does by default (every
 * 1,000 pages); sign-ins, with the checkpoint thread keeping the log short, never get near it.
 */
const WRITER_CHECKPOINT_PAGES = 10_000;

/**
 * The zero-setup store: one SQLite file. WAL lets readers run beside the single writer, and the busy timeout makes
 * several IdP processes on one host queue for the write lock instead of failing.
 *
 * The event loop never waits for the disk. Commits go to the log in the page cache (`synchronous = NORMAL`), which
 * a killed process cannot lose; checkpoints, which sync, run on a worker thread (`threads`: the IdP's hashing
 * threads; otherwise one of their own). Writes that must survive a power cut before the caller goes on (accounts and
 * their password hashes, second factors and their marks, secrets, settings) then wait for a sync of the log on libuv's thread pool, shared by whoever
 * commits meanwhile. Protocol state that expires within hours (sessions, codes, tokens), audit events and their
 * webhook deliveries, rate-limit counters and leases do not wait: a power cut may take their last moments, which
 * costs a user a new sign-in. Docs: docs/production.md, "Durability of the embedded store".
 */
export function openEmbeddedStore(path: string, busyTimeoutMs = 5000, threads?: ThreadRunner): Store {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${String(inMemory ? 0 : WRITER_CHECKPOINT_PAGES)}`);
  db.pragma(`journal_size_limit = ${String(WAL_SIZE_LIMIT)}`);
  db.pragma('foreign_keys = ON');
  // A deleted row's bytes are zeroed where that costs no extra write (within its page): a secret moved out of the
  // clear (`SecretStore.remove`), a consumed token, an erased account do not linger in the file for a copy to find.
  db.pragma('secure_delete = FAST');
  migrateSchema(db);
  // An in-memory database has no file to sync or checkpoint.
  const wal = inMemory ? undefined : createWalSync(path);
  const sync = wal ? () => wal.sync() : () => Promise.resolve();
  const checkpointer = inMemory
    ? undefined
    : startWalCheckpointer(path, busyTimeoutMs, CHECKPOINT_INTERVAL_MS, threads);

  const artifacts = new SqliteArtifactStore(db);
  const counters = new SqliteCounterStore(db);
  const leases = new SqliteLeaseStore(db);
  const factors = new SqliteFactorStore(db);
  const purge = setInterval(() => {
    artifacts.purgeExpired();
    counters.purgeExpired();
    leases.purgeExpired();
  }, PURGE_INTERVAL_MS);
  purge.unref();

  return {
    kind: 'embedded',
    accounts: syncedAfter(
      new SqliteAccountStore(db, (accountId) => factors.removeInTransaction(accountId)),
      ['insert', 'insertMany', 'updateLogins', 'updatePassword', 'setDisabled', 'delete'],
      sync,
    ),
    // A factor's mark moves before a code or passkey is accepted: it must survive a power cut, or a code could be
    // replayed after one.
    factors: syncedAfter(factors, ['add', 'advance', 'touch', 'replaceData', 'remove'], sync),
    artifacts,
    events: syncedAfter(new SqliteEventStore(db), ['eraseAccount'], sync),
    secrets: syncedAfter(new SqliteSecretStore(db), ['getOrCreate', 'remove', 'put'], sync),
    settings: syncedAfter(new SqliteSettingsStore(db), ['set'], sync),
    webhooks: new SqliteWebhookStore(db),
    counters,
    leases,
    // A tombstone must outlast a power cut like the erasure it stands for.
    tombstones: syncedAfter(new SqliteTombstoneStore(db), ['add', 'remove'], sync),
    ping: () => {
      try {
        db.prepare('SELECT 1').get();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    close: async () => {
      clearInterval(purge);
      await checkpointer?.stop();
      await wal?.close();
      if (db.open) db.close();
    },
  };
}
