import pg from 'pg';
import type { Store } from '../store.js';
import { PostgresAccountStore } from './accounts.js';
import { PostgresArtifactStore } from './artifacts.js';
import { PostgresCounterStore } from './counters.js';
import { PostgresEventStore } from './events.js';
import { PostgresFactorStore } from './factors.js';
import { PostgresLeaseStore } from './leases.js';
import { migrateSchema } from './schema.js';
import { PostgresSecretStore } from './secrets.js';
import { PostgresSettingsStore } from './settings.js';
import { onConnection, storeTypes } from './sql.js';
import { startSweep } from './sweep.js';
import { PostgresTombstoneStore } from './tombstones.js';
import { PostgresWebhookStore } from './webhooks.js';

export interface PostgresStoreOptions {
  /** Connections this process keeps at most (`store.postgresPoolSize`). */
  poolSize?: number;
  /** The server cancels a statement running longer (`store.postgresStatementTimeoutMs`); 0: never. */
  statementTimeoutMs?: number;
  /**
   * How long the client waits for a query's answer before it gives up on the query and throws its connection away
   * (pg's `query_timeout`); default: the statement timeout plus a second, so the server's own cancel (a clear 57014)
   * normally comes first. 0: never.
   */
  queryTimeoutMs?: number;
  /** How long a request waits for a connection (a new one, or a free one of a full pool) before it fails. */
  connectionTimeoutMs?: number;
  /** How often expired artifacts, counters and leases are deleted. */
  sweepIntervalMs?: number;
  /** Told of errors nobody else sees: an idle connection dropped by the server, a sweep that failed. */
  onBackgroundError?: (error: Error, what: 'idle connection' | 'sweep') => void;
}

/**
 * The store on PostgreSQL. Every process of a scaled-out IdP opens one on the same database, each with a pool of its
 * own; uniqueness is the server's unique indexes, and each check-and-write is one statement or one transaction. The
 * schema is created and brought up to date at the open (schema.ts), once however many processes start together.
 * Durability follows the embedded store's split (docs/production.md, "Durability of the embedded store"): accounts
 * and their password hashes, second factors, secrets, settings and tombstones commit only once the server has flushed
 * its WAL (its `synchronous_commit`, on by default). Protocol state that expires within hours (sessions, codes,
 * tokens), events and webhook deliveries, rate-limit counters and leases go through a second pool whose connections
 * set `synchronous_commit = off`: a commit returns before the flush, so a sign-in does not wait for the disk several
 * times over; a server crash can take their last few hundred milliseconds (never corrupt them), which costs a user a
 * new sign-in. That pool has `poolSize` connections, the durable one half as many (at least 2).
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const report = options.onBackgroundError ?? (() => undefined);
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  const queryTimeoutMs = options.queryTimeoutMs ?? (statementTimeoutMs > 0 ? statementTimeoutMs + 1000 : 0);
  const poolSize = options.poolSize ?? 10;
  const poolOf = (max: number, flushed: boolean) =>
    new pg.Pool({
      connectionString: url,
      max,
      ...(flushed ? {} : { options: '-c synchronous_commit=off' }),
      // Fail a request fast instead of hanging a sign-in: a server that does not answer, or a pool that stays full.
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      statement_timeout: statementTimeoutMs,
      // The statement timeout is the server's: a server that went silent (a cut network, a frozen host) never sends
      // it, and a query would wait on a dead connection for as long as TCP keeps trying (minutes). The client gives up
      // instead, and the pool throws that connection away (pool.query and inTransaction release it with the error).
      ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
      // A connection whose peer vanished (a failover, a dropped NAT entry) is noticed instead of waited on forever.
      keepAlive: true,
      idleTimeoutMillis: 30_000,
      application_name: 'jit-idp',
      types: storeTypes,
    });
  const pool = poolOf(Math.max(2, Math.ceil(poolSize / 2)), true);
  const expiring = poolOf(poolSize, false);
  // An idle connection the server ends (a restart, an administrator) is removed by the pool; without a listener the
  // event would crash the process.
  for (const each of [pool, expiring]) each.on('error', (error) => report(error, 'idle connection'));

  try {
    await onConnection(pool, migrateSchema);
  } catch (error) {
    await Promise.all([pool.end(), expiring.end()]);
    throw error;
  }

  const factors = new PostgresFactorStore(pool);
  const sweep = startSweep(expiring, options.sweepIntervalMs ?? 60_000, (error) => report(error, 'sweep'));
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    accounts: new PostgresAccountStore(pool, (client, accountId) => factors.removeWith(client, accountId)),
    factors,
    artifacts: new PostgresArtifactStore(expiring),
    events: new PostgresEventStore(expiring, pool),
    secrets: new PostgresSecretStore(pool),
    settings: new PostgresSettingsStore(pool),
    webhooks: new PostgresWebhookStore(expiring),
    counters: new PostgresCounterStore(expiring),
    leases: new PostgresLeaseStore(expiring),
    tombstones: new PostgresTombstoneStore(pool),
    ping: async () => {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => {
      closing ??= (async () => {
        await sweep.stop();
        await Promise.all([pool.end(), expiring.end()]);
      })();
      return closing;
    },
  };
}
