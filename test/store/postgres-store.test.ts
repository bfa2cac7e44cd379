import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { migrateSchema } from '../../src/store/postgres/schema.js';
import { isPostgresUnavailable } from '../../src/store/postgres/unavailable.js';
import { guardStore, StoreUnavailableError } from '../../src/store/store-unavailable.js';
import { createDatabase, startPostgres, withClient, type PostgresServer } from '../support/servers/postgres.js';
import { missingTool } from '../support/tools.js';
import { storeContract } from './store-contract.js';

const skip = missingTool('postgres');

/** One server for the file, started by whichever suite needs it first. */
let server: Promise<PostgresServer> | undefined;
const postgres = () => (server ??= startPostgres());
after(async () => {
  await (await server)?.stop();
});

/** A database of its own on the file's server, as the superuser; returns its URL. */
async function freshDatabase(): Promise<string> {
  return createDatabase(await postgres(), 'idp');
}

storeContract(
  'PostgreSQL',
  skip ? { skip } : async () => openPostgresStore(await freshDatabase(), { poolSize: 10, statementTimeoutMs: 5000 }),
);

describe('PostgreSQL store', { skip }, () => {
  it('migrates once when two processes open a new database at the same moment', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const recorded = await withClient(url, async (client) => {
        const { rows } = await client.query<{ version: number; times: string }>(
          'SELECT version, count(*) AS times FROM schema_migrations GROUP BY version ORDER BY version',
        );
        return rows;
      });
      assert.ok(recorded.length >= 8, 'every step recorded');
      assert.deepEqual(
        recorded.map((row) => [row.version, Number(row.times)]),
        recorded.map((_, i) => [i + 1, 1]),
        'each version once, in order',
      );
      // Both work on the one schema.
      const [a, b] = stores;
      const id = randomUUID();
      await a.settings.set(`shared-${id}`, { from: 'a' });
      assert.deepEqual(await b.settings.get(`shared-${id}`), { from: 'a' });
      // A third, later open finds nothing to do.
      const third = await openPostgresStore(url);
      await third.close();
      const count = await withClient(url, (client) =>
        client.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations'),
      );
      assert.equal(Number(count.rows[0]?.n), recorded.length);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('brings a database an older version left up to date, keeping what it holds', async () => {
    const url = await freshDatabase();
    await withClient(url, async (client) => {
      assert.deepEqual(await migrateSchema(client, 7), [1, 2, 3, 4, 5, 6, 7]);
      await client.query(
        `INSERT INTO accounts (id, username, username_norm, origin, password_kind, password_hash, created_at, updated_at)
         VALUES ('a1', 'Old', 'old', 'registered', 'bcrypt', '$2b$10$x', 1000, 1000)`,
      );
    });
    const store = await openPostgresStore(url);
    try {
      assert.equal((await store.accounts.findById('a1'))?.username, 'Old');
      await store.tombstones.add('mark', new Date());
      assert.equal(await store.tombstones.count(), 1, 'the newer step applied');
      await withClient(url, async (client) => {
        assert.deepEqual(await migrateSchema(client), [], 'nothing left to apply');
      });
    } finally {
      await store.close();
    }
  });

  it('keeps serving its prepared statements when a newer version adds columns during a rolling upgrade', async () => {
    const url = await freshDatabase();
    // One connection per pool, so the reads after the change run on the connections that prepared them.
    const store = await openPostgresStore(url, { poolSize: 1 });
    try {
      const at = new Date();
      await store.accounts.insert({
        id: 'r1',
        username: 'Rolling',
        email: 'rolling@example.com',
        emailVerified: true,
        roles: [],
        origin: 'registered',
        password: { kind: 'bcrypt', hash: '$2b$10$x' },
        createdAt: at,
        updatedAt: at,
      });
      await store.artifacts.upsert('Session', 's1', { accountId: 'r1' }, 60);
      await store.factors.add([
        { id: 'f1', accountId: 'r1', kind: 'totp', data: { secret: 'sealed' }, mark: 0, createdAt: at },
      ]);
      const before = {
        byLogin: await store.accounts.findByLogin('rolling'),
        byId: await store.accounts.findById('r1'),
        session: await store.artifacts.find('Session', 's1'),
        sessions: await store.artifacts.findByAccount('Session', 'r1'),
        factors: await store.factors.listByAccount('r1'),
      };
      assert.equal(before.byLogin?.id, 'r1');
      assert.equal(before.factors.length, 1);
      // What a later version's migration might do, while this process runs.
      await withClient(url, async (client) => {
        await client.query('ALTER TABLE accounts ADD COLUMN newer_field text');
        await client.query('ALTER TABLE oidc_artifacts ADD COLUMN newer_field text');
        await client.query('ALTER TABLE events ADD COLUMN newer_field text');
        await client.query('ALTER TABLE factors ADD COLUMN newer_field text');
      });
      assert.deepEqual(await store.accounts.findByLogin('rolling'), before.byLogin);
      assert.deepEqual(await store.accounts.findById('r1'), before.byId);
      assert.deepEqual(await store.artifacts.find('Session', 's1'), before.session);
      assert.deepEqual(await store.artifacts.findByAccount('Session', 'r1'), before.sessions);
      assert.deepEqual(await store.factors.listByAccount('r1'), before.factors);
      await store.events.append({ type: 'signed_in', accountId: 'r1', migrated: false });
      assert.equal((await store.events.list({ accountId: 'r1' })).length, 1);
    } finally {
      await store.close();
    }
  });

  it('settles the accounts table after a bulk insert: every page all-visible, so prefix counts read the index alone', async () => {
    const url = await freshDatabase();
    const store = await openPostgresStore(url, { statementTimeoutMs: 1 });
    try {
      const at = new Date();
      const accounts = Array.from({ length: 5000 }, (_, i) => ({
        id: randomUUID(),
        username: `bulk${String(i)}`,
        emailVerified: false,
        roles: [],
        origin: 'imported' as const,
        password: { kind: 'bcrypt' as const, hash: '$2b$10$x' },
        createdAt: at,
        updatedAt: at,
      }));
      const pages = () =>
        withClient(url, async (client) => {
          const { rows } = await client.query<{ pages: number; visible: number }>(
            "SELECT relpages AS pages, relallvisible AS visible FROM pg_class WHERE relname = 'accounts'",
          );
          return rows[0];
        });
      const before = await pages();
      assert.equal(before?.visible, 0, 'nothing marked all-visible yet');
      await withClient(url, (client) => client.query('ALTER TABLE accounts SET (autovacuum_enabled = false)'));
      // Settled by a store whose statement timeout (1 ms) would cut any VACUUM short: it is lifted for it.
      await openPostgresStore(url).then(async (writer) => {
        await writer.accounts.insertMany(accounts);
        await writer.close();
      });
      // The test server commits without waiting for the WAL flush (synchronous_commit off), and VACUUM marks no row
      // all-visible before its insert's commit is flushed; a production server's account writes are flushed.
      await withClient(url, (client) => client.query('CHECKPOINT'));
      await store.accounts.settleAfterBulkInsert?.();
      const after = await pages();
      assert.ok((after?.pages ?? 0) > 10, 'the table has pages');
      assert.equal(after?.visible, after?.pages, 'every page all-visible');
    } finally {
      await store.close();
    }
  });

  it('is the store openStore opens when DATABASE_URL is set', async () => {
    const { config } = loadConfig({ DATABASE_URL: await freshDatabase() }, tmpdir());
    const store = await openStore(config.store, createLogger('silent'));
    try {
      assert.equal(store.kind, 'postgres');
      assert.equal(await store.ping(), true);
      await store.tombstones.add('m', new Date());
      assert.deepEqual([...(await store.tombstones.existing(['m', 'n']))], ['m']);
    } finally {
      await store.close();
    }
  });

  it('counts 200 concurrent hits on one key exactly: every caller sees its own number', async () => {
    const store = await openPostgresStore(await freshDatabase(), { poolSize: 10 });
    try {
      const windowMs = 60_000;
      const start = Math.floor(Date.now() / windowMs) * windowMs;
      const hits = await Promise.all(Array.from({ length: 200 }, () => store.counters.hit('burst', start, windowMs)));
      assert.deepEqual(
        hits.map((hit) => hit.current).sort((x, y) => x - y),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      assert.deepEqual(await store.counters.peek('burst', start, windowMs), { current: 200, previous: 0 });
    } finally {
      await store.close();
    }
  });

  it('keeps text that jsonb and PostgreSQL text refuse, and finds nothing for a key holding U+0000', async () => {
    const store = await openPostgresStore(await freshDatabase());
    try {
      const payload = { state: 'a\u0000b', nonce: '\ud800', nested: { 'x\u0000': 1 } };
      await store.artifacts.upsert('Interaction', 'i1', payload, 60);
      assert.deepEqual(await store.artifacts.find('Interaction', 'i1'), payload, 'a request parameter, as sent');
      assert.equal(await store.artifacts.find('Interaction', 'i1\u0000'), undefined);
      await store.events.append({ type: 'migration_failed', login: 'nul\u0000', reason: 'validation' });
      const [failed] = await store.events.list({ type: 'migration_failed' });
      assert.equal(failed?.type === 'migration_failed' && failed.login, 'nul\u0000');
      assert.equal(await store.accounts.findById('x\u0000'), undefined);
      assert.equal(await store.accounts.findByLogin('x\u0000'), undefined);
      assert.deepEqual(await store.accounts.search({ text: 'x\u0000' }), { accounts: [], total: 0 });
      assert.deepEqual([...(await store.accounts.takenLogins(['x\u0000']))], []);
    } finally {
      await store.close();
    }
  });

  it('erases the login of an account’s events, leaving the rest of each event', async () => {
    const store = await openPostgresStore(await freshDatabase());
    try {
      const accountId = randomUUID();
      const legacy = { source: 's', id: 'L-1' };
      await store.events.append({ type: 'migrated', accountId, login: 'alice\u0000', legacy });
      await store.events.append({ type: 'signed_in', accountId, migrated: true });
      await store.events.append({ type: 'migrated', accountId: randomUUID(), login: 'bob', legacy });
      assert.equal(await store.events.eraseAccount(accountId), 1);
      const [signedIn, migrated] = await store.events.list({ accountId });
      assert.deepEqual(migrated && { ...migrated, id: undefined, at: undefined }, {
        type: 'migrated',
        accountId,
        legacy,
        id: undefined,
        at: undefined,
      });
      assert.equal(signedIn?.type, 'signed_in');
      assert.equal((await store.events.list({ type: 'migrated' })).filter((e) => 'login' in e).length, 1);
      assert.equal(await store.events.eraseAccount(accountId), 0, 'nothing left to erase');
    } finally {
      await store.close();
    }
  });

  it('sweeps expired artifacts, counters and leases', async () => {
    const url = await freshDatabase();
    const store = await openPostgresStore(url, { sweepIntervalMs: 50 });
    try {
      await store.artifacts.upsert('Session', 'gone', { uid: 'u' }, -1);
      await store.artifacts.upsert('Session', 'kept', { uid: 'v' }, 60);
      await store.counters.hit('old', 0, 1000);
      await store.leases.acquire('short', 'h', 1);
      const left = async () =>
        withClient(url, async (client) => {
          const { rows } = await client.query<{ n: string }>(
            `SELECT (SELECT count(*) FROM oidc_artifacts) + (SELECT count(*) FROM rate_counters)
               + (SELECT count(*) FROM leases) AS n`,
          );
          return Number(rows[0]?.n);
        });
      const deadline = Date.now() + 5000;
      while ((await left()) > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await left(), 1, 'only the live artifact');
      assert.ok(await store.artifacts.find('Session', 'kept'));
    } finally {
      await store.close();
    }
  });

  it('fails calls as store-unavailable through guardStore when the server cannot be reached', async () => {
    const { port } = await postgres();
    const url = new URL(await freshDatabase());
    // The store's pool reaches the server through a proxy, which then goes away: open connections break, and new
    // ones meet a closed port.
    const proxy = await tcpProxy(port);
    url.port = String(proxy.port);
    const reported: string[] = [];
    const store = guardStore(
      await openPostgresStore(url.toString(), { connectionTimeoutMs: 1000 }),
      isPostgresUnavailable,
      (_error, operation) => reported.push(operation),
    );
    try {
      assert.equal(await store.accounts.findById('a'), undefined);
      await proxy.close();
      for (const call of [
        () => store.accounts.findById('a'),
        () => store.counters.hit('k', 0, 1000),
        () => store.settings.set('x', 1),
      ]) {
        const error = await call().then(
          () => assert.fail('expected a failure'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.equal(error.statusCode, 503);
      }
      assert.deepEqual(reported, ['accounts.findById', 'counters.hit', 'settings.set']);
      assert.equal(await store.ping(), false);
    } finally {
      await store.close();
    }
  });

  it('classifies server errors: shutdown and timeouts are unavailable, constraint violations and bad SQL are not', async () => {
    const url = await freshDatabase();
    const caught = (work: Promise<unknown>) =>
      work.then(
        () => assert.fail('expected a failure'),
        (error: unknown) => error,
      );
    await withClient(url, async (client) => {
      await client.query('CREATE TABLE t (id int PRIMARY KEY)');
      await client.query('INSERT INTO t VALUES (1)');
      assert.equal(isPostgresUnavailable(await caught(client.query('INSERT INTO t VALUES (1)'))), false, '23505');
      assert.equal(isPostgresUnavailable(await caught(client.query('SELEKT 1'))), false, '42601');
      assert.equal(isPostgresUnavailable(await caught(client.query('SELECT * FROM nowhere'))), false, '42P01');
      await client.query('SET statement_timeout = 50');
      const timeout = await caught(client.query('SELECT pg_sleep(2)'));
      assert.equal((timeout as pg.DatabaseError).code, '57014');
      assert.equal(isPostgresUnavailable(timeout), true, 'statement timeout');
    });
    // An administrator ending the session (57P01), as a server shutting down does.
    const victim = new pg.Client({ connectionString: url });
    victim.on('error', () => undefined);
    await victim.connect();
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await withClient(url, (admin) => admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]));
    const ended = await caught(victim.query('SELECT 1'));
    assert.equal(isPostgresUnavailable(ended), true, String(ended));
    await victim.end().catch(() => undefined);
    const refused = new pg.Client({ host: '127.0.0.1', port: await closedPort(), connectionTimeoutMillis: 1000 });
    assert.equal(isPostgresUnavailable(await caught(refused.connect())), true, 'connection refused');
    assert.equal(isPostgresUnavailable(new Error('timeout exceeded when trying to connect')), true);
    // A query the server never answered within the client's query_timeout (a cut network, a frozen host).
    const impatient = new pg.Client({ connectionString: url, query_timeout: 100 });
    impatient.on('error', () => undefined);
    await impatient.connect();
    const unanswered = await caught(impatient.query('SELECT pg_sleep(2)'));
    assert.equal((unanswered as Error).message, 'Query read timeout');
    assert.equal(isPostgresUnavailable(unanswered), true, 'query read timeout');
    await impatient.end().catch(() => undefined);
    assert.equal(isPostgresUnavailable(new Error('bug')), false);
  });

  it('gives up on a server gone silent after the query timeout, transactions included, and serves again once it answers', async () => {
    const url = new URL(await freshDatabase());
    const proxy = await tcpProxy(Number(url.port));
    url.port = String(proxy.port);
    const queryTimeoutMs = 1000;
    const store = guardStore(
      await openPostgresStore(url.toString(), { queryTimeoutMs, connectionTimeoutMs: 1000 }),
      isPostgresUnavailable,
    );
    const failure = async (call: () => Promise<unknown>) => {
      const started = performance.now();
      const error = await call().then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof StoreUnavailableError, String(error));
      return performance.now() - started;
    };
    try {
      // Several connections open and idle, so the calls below meet a silent connection, not a connection attempt.
      await Promise.all(Array.from({ length: 4 }, () => store.accounts.findById('a')));
      proxy.silence(true);
      const query = await failure(() => store.accounts.findById('a'));
      assert.ok(query >= queryTimeoutMs * 0.9 && query < queryTimeoutMs * 1.8, `one query: ${String(query)} ms`);
      // A rollback queued behind the unanswered BEGIN would wait the timeout out a second time.
      const transaction = await failure(() => store.events.eraseAccount('a'));
      assert.ok(transaction < queryTimeoutMs * 1.8, `one transaction: ${String(transaction)} ms`);
      assert.equal(await store.ping(), false);
      proxy.silence(false);
      assert.equal(await store.accounts.findById('a'), undefined, 'new connections once the server answers');
      assert.equal(await store.events.eraseAccount('a'), 0);
      assert.equal(await store.ping(), true);
    } finally {
      await store.close();
      // The relay's listener would keep the test process alive after its last test.
      await proxy.close();
    }
  });
});

/**
 * A TCP relay to the server on a port of its own; `close` stops listening and cuts every relayed connection.
 * `silence(true)` drops every byte either way and leaves new connections unanswered, as a cut network does: nothing
 * arrives, nothing is refused.
 */
async function tcpProxy(
  target: number,
): Promise<{ port: number; close(): Promise<void>; silence(silent: boolean): void }> {
  const sockets = new Set<Socket>();
  let silent = false;
  const relay: Server = createServer((inbound) => {
    sockets.add(inbound);
    inbound.on('error', () => undefined);
    inbound.on('close', () => sockets.delete(inbound));
    if (silent) return;
    const outbound = connect(target, '127.0.0.1');
    sockets.add(outbound);
    outbound.on('error', () => undefined);
    outbound.on('close', () => sockets.delete(outbound));
    const relayTo = (to: Socket) => (chunk: Buffer) => {
      if (!silent) to.write(chunk);
    };
    inbound.on('data', relayTo(outbound));
    outbound.on('data', relayTo(inbound));
    inbound.on('end', () => outbound.end());
    outbound.on('end', () => inbound.end());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    silence(value) {
      silent = value;
    },
  };
}

/** A loopback port nothing listens on (bound and released at once). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
