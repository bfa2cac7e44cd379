/**
 * Smoke tests for the private servers the connector suites start: each one comes up, enforces the access rules the
 * suites rely on (a read-only SQL account, passwords that only serve binds), speaks TLS with the generated CA, and is
 * really gone after stop().
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Client, InvalidCredentialsError, NoSuchObjectError, type Entry } from 'ldapts';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { missingTool } from '../tools.js';
import { startMariaDb, type MariaDbServer } from './mariadb.js';
import { addEntries, sshaPassword, startOpenLdap, type OpenLdapServer } from './openldap.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { isPortOpen } from './process.js';

describe('PostgreSQL test server', { skip: missingTool('postgres') }, () => {
  let server: PostgresServer | undefined;
  const started = (): PostgresServer => {
    assert.ok(server, 'server did not start');
    return server;
  };

  async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  it('starts and accepts the admin and the read-only role', async (t) => {
    const { startupMs, serverVersion, adminUrl, url, readOnlyUser } = started();
    t.diagnostic(`PostgreSQL started in ${startupMs} ms: ${serverVersion}`);
    await withClient(adminUrl, async (client) => {
      await client.query('CREATE TABLE users (id serial PRIMARY KEY, login text NOT NULL, migrated_at timestamptz)');
      await client.query("INSERT INTO users (login) VALUES ('alice'), ('bob')");
    });
    const rows = await withClient(url, async (client) => {
      assert.equal((await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u, readOnlyUser);
      return (await client.query<{ login: string }>('SELECT login FROM users ORDER BY id')).rows;
    });
    assert.deepEqual(
      rows.map((row) => row.login),
      ['alice', 'bob'],
    );
  });

  it('gives the read-only role no write access', async () => {
    await withClient(started().url, async (client) => {
      const denied = { code: '42501' }; // insufficient_privilege
      await assert.rejects(client.query("INSERT INTO users (login) VALUES ('mallory')"), denied);
      await assert.rejects(client.query("UPDATE users SET migrated_at = now() WHERE login = 'alice'"), denied);
      await assert.rejects(client.query('DELETE FROM users'), denied);
      await assert.rejects(client.query('CREATE TABLE t (x int)'), denied);
      await assert.rejects(client.query('CREATE TEMP TABLE t (x int)'), denied);
    });
  });

  it('grantUpdate allows exactly the write-back column', async () => {
    await started().grantUpdate('users', ['migrated_at']);
    await withClient(started().url, async (client) => {
      const result = await client.query("UPDATE users SET migrated_at = now() WHERE login = 'alice'");
      assert.equal(result.rowCount, 1);
      await assert.rejects(client.query("UPDATE users SET login = 'eve' WHERE login = 'bob'"), { code: '42501' });
    });
  });

  it('stops and frees its port', async () => {
    const { port } = started();
    await started().stop();
    assert.equal(await isPortOpen(port), false);
  });
});

describe('MariaDB test server', { skip: missingTool('mariadb') }, () => {
  let server: MariaDbServer | undefined;
  const started = (): MariaDbServer => {
    assert.ok(server, 'server did not start');
    return server;
  };

  async function withConnection<T>(uri: string, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
    const connection = await mysql.createConnection({ uri });
    try {
      return await use(connection);
    } finally {
      await connection.end();
    }
  }

  before(async () => {
    server = await startMariaDb();
  });
  after(() => server?.stop());

  it('starts and accepts the admin and the read-only user', async (t) => {
    const { startupMs, serverVersion, adminUrl, url } = started();
    t.diagnostic(`MariaDB started in ${startupMs} ms: ${serverVersion}`);
    await withConnection(adminUrl, async (connection) => {
      await connection.query(
        'CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, login varchar(64) NOT NULL, migrated_at datetime NULL)',
      );
      await connection.query("INSERT INTO users (login) VALUES ('alice'), ('bob')");
    });
    const rows = await withConnection(url, async (connection) => {
      const [result] = await connection.query<mysql.RowDataPacket[]>('SELECT login FROM users ORDER BY id');
      return result.map((row) => String(row.login));
    });
    assert.deepEqual(rows, ['alice', 'bob']);
  });

  it('gives the read-only user no write access', async () => {
    await withConnection(started().url, async (connection) => {
      const denied = { code: 'ER_TABLEACCESS_DENIED_ERROR' };
      await assert.rejects(connection.query("INSERT INTO users (login) VALUES ('mallory')"), denied);
      await assert.rejects(connection.query("UPDATE users SET migrated_at = NOW() WHERE login = 'alice'"), denied);
      await assert.rejects(connection.query('DELETE FROM users'), denied);
      await assert.rejects(connection.query('CREATE TABLE t (x int)'), denied);
    });
  });

  it('grantUpdate allows exactly the write-back column', async () => {
    await started().grantUpdate('users', ['migrated_at']);
    await withConnection(started().url, async (connection) => {
      const [result] = await connection.query<mysql.ResultSetHeader>(
        "UPDATE users SET migrated_at = NOW() WHERE login = 'alice'",
      );
      assert.equal(result.affectedRows, 1);
      await assert.rejects(connection.query("UPDATE users SET login = 'eve' WHERE login = 'bob'"), {
        code: 'ER_COLUMNACCESS_DENIED_ERROR',
      });
    });
  });

  it('stops and frees its port', async () => {
    const { port } = started();
    await started().stop();
    assert.equal(await isPortOpen(port), false);
  });
});

describe('OpenLDAP test server', { skip: missingTool('openldap') }, () => {
  let server: OpenLdapServer | undefined;
  let ca: Buffer | undefined;
  const started = (): OpenLdapServer => {
    assert.ok(server, 'server did not start');
    return server;
  };
  /** ldapts lists a requested attribute the server did not return as [], and a single value as a plain string. */
  const values = (entry: Entry | undefined, attribute: string): unknown[] => {
    const value = entry?.[attribute];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const aliceDn = (): string => `uid=alice,${started().usersDn}`;
  const bobDn = (): string => `uid=bob,${started().usersDn}`;

  async function withClient<T>(
    url: string,
    use: (client: Client) => Promise<T>,
    tlsOptions?: { ca: Buffer[] },
  ): Promise<T> {
    const client = new Client({ url, connectTimeout: 5_000, timeout: 5_000, ...(tlsOptions ? { tlsOptions } : {}) });
    try {
      return await use(client);
    } finally {
      await client.unbind();
    }
  }

  before(async () => {
    server = await startOpenLdap();
    ca = readFileSync(server.caFile);
  });
  after(() => server?.stop());

  it('starts and takes fixtures', async (t) => {
    const { startupMs, usersDn } = started();
    t.diagnostic(`OpenLDAP started in ${startupMs} ms`);
    // One hashed and one clear-text password: both must work for simple bind.
    await addEntries(
      started(),
      `
dn: uid=alice,${usersDn}
objectClass: inetOrgPerson
objectClass: posixAccount
uid: alice
cn: Alice Example
sn: Example
mail: alice@example.test
uidNumber: 1001
gidNumber: 1001
homeDirectory: /home/alice
userPassword: ${sshaPassword('alice-secret')}

# A comment, and a base64 value, to show that real LDIF goes through.
dn: uid=bob,${usersDn}
objectClass: inetOrgPerson
uid: bob
cn:: QsO2YiBCw7xsZGVy
sn: Builder
userPassword: bob-secret
`,
    );
  });

  it('binds a user with the right password and refuses a wrong one', async () => {
    await withClient(started().url, async (client) => {
      await client.bind(aliceDn(), 'alice-secret');
      await client.bind(bobDn(), 'bob-secret');
      await assert.rejects(client.bind(aliceDn(), 'wrong'), InvalidCredentialsError);
      await assert.rejects(client.bind(`uid=nobody,${started().usersDn}`, 'x'), InvalidCredentialsError);
    });
  });

  it('lets the service account search users but never read userPassword, and returns entryUUID', async () => {
    const { url, serviceDn, servicePassword, usersDn } = started();
    await withClient(url, async (client) => {
      await client.bind(serviceDn, servicePassword);
      const { searchEntries } = await client.search(usersDn, {
        scope: 'sub',
        filter: '(uid=alice)',
        attributes: ['uid', 'mail', 'userPassword', 'entryUUID'],
      });
      assert.equal(searchEntries.length, 1);
      const alice = searchEntries[0];
      assert.ok(alice);
      assert.equal(alice.mail, 'alice@example.test');
      assert.deepEqual(values(alice, 'userPassword'), []);
      assert.match(String(alice.entryUUID), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const bob = await client.search(usersDn, { filter: '(cn=Böb Bülder)', attributes: ['uid'] });
      assert.deepEqual(
        bob.searchEntries.map((entry) => entry.uid),
        ['bob'],
      );
    });
  });

  it('hides userPassword from the user itself and everything from anonymous, but not from the admin', async () => {
    const { url, usersDn, adminDn, adminPassword } = started();
    await withClient(url, async (client) => {
      await client.bind(aliceDn(), 'alice-secret');
      const own = await client.search(aliceDn(), { scope: 'base', attributes: ['uid', 'userPassword'] });
      assert.equal(own.searchEntries[0]?.uid, 'alice');
      assert.deepEqual(values(own.searchEntries[0], 'userPassword'), []);
    });
    await withClient(url, async (client) => {
      // slapd does not even admit that the subtree exists to someone with no access to it.
      await assert.rejects(client.search(usersDn, { filter: '(uid=*)' }), NoSuchObjectError);
      await client.bind(adminDn, adminPassword);
      const asAdmin = await client.search(aliceDn(), { scope: 'base', attributes: ['userPassword'] });
      assert.match(String(asAdmin.searchEntries[0]?.userPassword), /^\{SSHA\}/);
    });
  });

  it('speaks StartTLS and ldaps:// with the generated CA, and only with it', async () => {
    const { url, ldapsUrl } = started();
    const caPem = ca;
    assert.ok(caPem);
    // A new options object each time: ldapts' startTLS() stores the plain socket in the object it is given.
    const trusted = (): { ca: Buffer[] } => ({ ca: [caPem] });
    await withClient(url, async (client) => {
      await client.startTLS(trusted());
      await client.bind(aliceDn(), 'alice-secret');
    });
    await withClient(
      ldapsUrl,
      async (client) => {
        await client.bind(aliceDn(), 'alice-secret');
      },
      trusted(),
    );
    await withClient(ldapsUrl, async (client) => {
      await assert.rejects(client.bind(aliceDn(), 'alice-secret'), /self[- ]signed|unable to (get|verify)/i);
    });
  });

  it('stops and frees its ports', async () => {
    const { port, ldapsPort } = started();
    await started().stop();
    assert.equal(await isPortOpen(port), false);
    assert.equal(await isPortOpen(ldapsPort), false);
  });
});
