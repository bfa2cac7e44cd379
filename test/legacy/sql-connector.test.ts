import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createPasswordHasher, type PasswordHasher } from '../../src/passwords/password-hasher.js';
import { legacySchema, type SqlConnectorConfig } from '../../src/config/legacy-schema.js';
import type { LegacyConnector } from '../../src/legacy/connector.js';
import { createSqlConnector } from '../../src/legacy/sql-connector.js';
import { closedPort, sqlStoreSkip, startSqlLegacyStore, type SqlLegacyStore } from '../support/legacy-stores.js';
import { connectorContract } from './connector-contract.js';

const within = (ms = 5000) => ({ signal: AbortSignal.timeout(ms) });

function sqlConfig(store: SqlLegacyStore, overrides: Partial<SqlConnectorConfig> = {}): SqlConnectorConfig {
  const config = legacySchema.parse({
    kind: 'sql',
    source: `${store.dialect}-users`,
    url: store.server.url,
    userQuery: store.userQuery,
    columns: { id: 'id', passwordHash: 'pw_hash', disabled: 'is_blocked' },
    writeBack: store.writeBack,
    timeoutMs: 2000,
    ...overrides,
  });
  assert.equal(config.kind, 'sql');
  return config;
}

/** The connector under test, switchable to the same connector aimed at a port where no database listens. */
function switchable(live: LegacyConnector, dead: LegacyConnector) {
  let down = false;
  const current = () => (down ? dead : live);
  return {
    connector: {
      source: live.source,
      passwordJudge: live.passwordJudge,
      authenticate: (...args: Parameters<LegacyConnector['authenticate']>) => current().authenticate(...args),
      findUser: (...args: Parameters<LegacyConnector['findUser']>) => current().findUser(...args),
      close: async () => {
        await live.close();
        await dead.close();
      },
    } satisfies LegacyConnector,
    setDown: (value: boolean) => {
      down = value;
      return Promise.resolve();
    },
  };
}

for (const dialect of ['postgres', 'mariadb'] as const) {
  const skip = sqlStoreSkip(dialect);
  const setUp = async () => {
    const store = await startSqlLegacyStore(dialect);
    const hasher = await createPasswordHasher({ cost: 10, threads: 2 });
    const config = sqlConfig(store);
    const deadUrl = store.server.url.replace(/:\d+\//, `:${await closedPort()}/`);
    const { connector, setDown } = switchable(
      createSqlConnector(config, hasher),
      createSqlConnector({ ...config, url: deadUrl }, hasher),
    );
    const { ann, dan, eve } = store.users;
    return {
      connector,
      valid: { login: ann.login, password: ann.password, legacyId: ann.id, email: ann.email },
      idField: 'id',
      disabled: { login: dan.login, password: dan.password },
      unjudgeable: { login: eve.login, password: eve.password },
      secretFields: ['pw_hash'],
      breakDown: () => setDown(true),
      restore: () => setDown(false),
      hanging: () => createSqlConnector({ ...config, userQuery: store.slowQuery, timeoutMs: 300 }, hasher),
      close: async () => {
        await connector.close();
        await hasher.close();
        await store.stop();
      },
    };
  };
  connectorContract(`SQL (${dialect})`, skip ? { skip } : setUp);

  describe(`SQL connector on ${dialect}: hashes, ambiguity, write-back`, { skip, timeout: 120_000 }, () => {
    let store: SqlLegacyStore;
    let hasher: PasswordHasher;
    let connector: LegacyConnector;
    before(async () => {
      store = await startSqlLegacyStore(dialect);
      hasher = await createPasswordHasher({ cost: 10, threads: 2 });
      connector = createSqlConnector(sqlConfig(store), hasher);
    });
    after(async () => {
      await connector.close();
      await hasher.close();
      await store.stop();
    });

    it('verifies bcrypt ($2y$ from htpasswd), sha512-crypt and md5-crypt (openssl) and argon2id (php) hashes', async () => {
      const { ann, ben, cid, fay } = store.users;
      for (const user of [ann, ben, cid, fay]) {
        const outcome = await connector.authenticate(user.login, user.password, within());
        assert.equal(outcome.kind === 'valid' && outcome.profile.id, user.id, user.login);
        assert.equal((await connector.authenticate(user.login, `${user.password}x`, within())).kind, 'invalid');
      }
    });

    it('turns the row into a profile without the hash: text, booleans, and the id as text', async () => {
      const outcome = await connector.authenticate('ann', store.users.ann.password, within());
      assert.equal(outcome.kind, 'valid');
      assert.deepEqual(
        { ...outcome.profile, is_blocked: Boolean(outcome.profile.is_blocked) },
        {
          id: '1001',
          login: 'ann',
          email: 'ann@example.com',
          first_name: 'ANN',
          last_name: 'Legacy',
          is_blocked: false,
        },
      );
    });

    it('tells a look-up that an account is disabled, so a password reset cannot get round it', async () => {
      const dan = await connector.findUser('dan', within());
      assert.equal(dan.kind === 'found' && dan.disabled, true);
      const ann = await connector.findUser('ann', within());
      assert.equal(ann.kind === 'found' && ann.disabled, false);
    });

    it('lets the password pick among records sharing a login, and refuses to guess when it cannot', async () => {
      const { dup1, dup2, eve } = store.users;
      const picked = await connector.authenticate(dup1.email, dup1.password, within());
      assert.equal(picked.kind === 'valid' && picked.profile.id, dup1.id);
      assert.equal((await connector.authenticate(dup2.email, dup2.password, within())).kind, 'valid');
      assert.deepEqual(await connector.authenticate(dup1.email, 'neither-pw', within()), { kind: 'invalid' });
      // The twins share a password as well: the login names two people the password cannot tell apart.
      assert.deepEqual(await connector.authenticate(store.users.dup3.email, 'twin-pw', within()), {
        kind: 'unjudgeable',
        reason: 'ambiguous_login',
        cause: 'the password matches 2 of the records for one login',
      });
      assert.deepEqual(await connector.authenticate(eve.login, eve.password, within()), {
        kind: 'unjudgeable',
        reason: 'unsupported_hash',
        cause: 'unrecognised hash format; if it is a salted digest, name its salted-* scheme',
        legacyId: eve.id,
      });
    });

    it('marks the row as migrated with the read-only role’s one granted column', async () => {
      assert.equal(await store.migratedAt('1002'), null);
      assert.deepEqual(await connector.afterMigration?.('1002', within()), { kind: 'done' });
      assert.ok(await store.migratedAt('1002'));
    });

    it('reports a write-back the role may not run as failed, without throwing', async () => {
      const denied = createSqlConnector(
        sqlConfig(store, { writeBack: store.writeBack.replace('migrated_at', 'email') }),
        hasher,
      );
      try {
        const outcome = await denied.afterMigration?.('1003', within());
        assert.equal(outcome?.kind, 'failed');
      } finally {
        await denied.close();
      }
    });

    it('answers a login the database cannot compare (a NUL byte) as invalid, not as an outage', async () => {
      assert.deepEqual(await connector.authenticate('ann\u0000', 'x', within()), { kind: 'invalid' });
      // MariaDB's collations ignore the trailing NUL and find "ann"; PostgreSQL refuses to compare it at all.
      if (dialect === 'postgres')
        assert.deepEqual(await connector.findUser('ann\u0000', within()), { kind: 'not-found' });
    });

    it('reads binary salts and BIT flags, and refuses a disabled column it cannot read as yes/no', async () => {
      const salt = Buffer.from([0, 255, 16, 128, 7]);
      const hash = createHash('sha256').update(salt).update('quirky pw').digest('hex');
      const postgres = dialect === 'postgres';
      const ddl = postgres
        ? 'CREATE TABLE quirky (id int PRIMARY KEY, login text, pw_hash text, salt bytea, flag bit(1), status text)'
        : 'CREATE TABLE quirky (id INT PRIMARY KEY, login VARCHAR(32), pw_hash VARCHAR(128), salt VARBINARY(16), flag BIT(1), status VARCHAR(16))';
      const rows: [number, string, number, string][] = [
        [1, 'q-open', 0, 'active'],
        [2, 'q-flagged', 1, 'active'],
      ];
      if (postgres) {
        const admin = new pg.Client({ connectionString: store.server.adminUrl });
        await admin.connect();
        await admin.query(ddl);
        for (const [id, login, flag] of rows) {
          await admin.query("INSERT INTO quirky VALUES ($1, $2, $3, $4, $5::bit(1), 'locked')", [
            id,
            login,
            hash,
            salt,
            String(flag),
          ]);
        }
        await admin.end();
      } else {
        const admin = await mysql.createConnection(store.server.adminUrl);
        await admin.query(ddl);
        for (const [id, login, flag] of rows) {
          await admin.execute("INSERT INTO quirky VALUES (?, ?, ?, ?, CAST(? AS UNSIGNED), 'locked')", [
            id,
            login,
            hash,
            salt,
            String(flag),
          ]);
        }
        await admin.end();
      }
      const quirky = (disabled: string) =>
        createSqlConnector(
          sqlConfig(store, {
            userQuery: postgres ? 'SELECT * FROM quirky WHERE login = $1' : 'SELECT * FROM quirky WHERE login = :login',
            columns: { id: 'id', passwordHash: 'pw_hash', salt: 'salt', disabled },
            hash: {
              scheme: 'salted-sha256',
              saltPosition: 'prefix',
              saltEncoding: 'utf8',
              hashEncoding: 'hex',
              names: {},
            },
          }),
          hasher,
        );
      const byFlag = quirky('flag');
      const byStatus = quirky('status');
      try {
        if (!postgres) {
          // MariaDB hands BIT(1) over as bytes.
          assert.equal((await byFlag.authenticate('q-open', 'quirky pw', within())).kind, 'valid');
          assert.deepEqual(await byFlag.authenticate('q-flagged', 'quirky pw', within()), { kind: 'disabled' });
        }
        assert.equal((await byFlag.authenticate('q-open', 'wrong', within())).kind, 'invalid');
        const unreadable = await byStatus.authenticate('q-open', 'quirky pw', within());
        assert.deepEqual(unreadable, { kind: 'unusable', cause: 'the disabled column holds no yes/no value' });
      } finally {
        await byFlag.close();
        await byStatus.close();
      }
    });

    it('runs the write-back on its own connection as a writer that cannot read hashes, the reader SELECT-only', async () => {
      const admin = { sql: dialect === 'postgres' ? 'REVOKE UPDATE (migrated_at) ON users FROM app_reader' : '' };
      if (dialect === 'postgres') {
        const client = new pg.Client({ connectionString: store.server.adminUrl });
        await client.connect();
        await client.query(admin.sql);
        await client.end();
      } else {
        const connection = await mysql.createConnection(store.server.adminUrl);
        await connection.query("REVOKE UPDATE (migrated_at) ON users FROM 'app_reader'@'127.0.0.1'");
        await connection.end();
      }
      const writerUrl = await store.server.createWriter('users', { select: ['id'], update: ['migrated_at'] });
      const onReader = createSqlConnector(sqlConfig(store), hasher);
      const separate = createSqlConnector(
        sqlConfig(store, { writeBack: { query: store.writeBack, url: writerUrl } }),
        hasher,
      );
      try {
        assert.equal((await onReader.afterMigration?.('1004', within()))?.kind, 'failed', 'the reader may not write');
        assert.equal(await store.migratedAt('1004'), null);
        assert.deepEqual(await separate.afterMigration?.('1004', within()), { kind: 'done' });
        assert.ok(await store.migratedAt('1004'));
        // Sign-ins still read through the reader.
        const { fay } = store.users;
        assert.equal((await separate.authenticate(fay.login, fay.password, within())).kind, 'valid');
      } finally {
        await onReader.close();
        await separate.close();
      }
      // The writer's role sees no hash.
      const readHashes = async () => {
        if (dialect === 'postgres') {
          const client = new pg.Client({ connectionString: writerUrl });
          await client.connect();
          try {
            await client.query('SELECT pw_hash FROM users');
          } finally {
            await client.end();
          }
        } else {
          const connection = await mysql.createConnection(writerUrl);
          try {
            await connection.query('SELECT pw_hash FROM users');
          } finally {
            await connection.end();
          }
        }
      };
      await assert.rejects(readHashes, /denied/);
    });

    it('reports a broken query as unavailable with the driver’s error code, never the login', async () => {
      const broken = createSqlConnector(
        sqlConfig(store, { userQuery: store.userQuery.replace('users', 'no_such_table') }),
        hasher,
      );
      try {
        const outcome = await broken.authenticate('ann', 'whatever', within());
        assert.equal(outcome.kind, 'unavailable');
        assert.match(outcome.cause, /^query failed \(/);
        assert.ok(!outcome.cause.includes('ann'));
      } finally {
        await broken.close();
      }
    });
  });
}
