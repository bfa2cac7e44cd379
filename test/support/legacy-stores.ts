import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { Client } from 'ldapts';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { addEntries, sshaPassword, startOpenLdap, type OpenLdapServer } from './servers/openldap.js';
import { startMariaDb, type MariaDbServer } from './servers/mariadb.js';
import { startPostgres, type PostgresServer } from './servers/postgres.js';
import { missingTool } from './tools.js';

/**
 * Legacy stores as a migrating company has them: a user table in PostgreSQL or MariaDB whose password hashes were
 * written by other software (here: the reference tools themselves), and an OpenLDAP directory of people.
 */

export interface LegacyUser {
  id: string;
  login: string;
  email: string;
  password: string;
}

/** The tools `referenceHash` runs, for the `skip` of a suite that uses it. */
export const REFERENCE_HASH_TOOLS = ['htpasswd', 'openssl', 'php', 'php-argon2'] as const;

/** Why a suite on `startSqlLegacyStore(dialect)` must be skipped here (its server or a hash tool is missing), or false. */
export const sqlStoreSkip = (dialect: 'postgres' | 'mariadb') => missingTool(dialect, ...REFERENCE_HASH_TOOLS);

/** Why a suite on `startLdapLegacyStore()` must be skipped here, or false. */
export const ldapStoreSkip = () => missingTool('openldap');

/** Hashes made by the tools that make them in the wild, not by the code under test. */
export const referenceHash = {
  /** Apache's htpasswd writes `$2y$` bcrypt, as PHP does. */
  bcrypt: (password: string) =>
    execFileSync('htpasswd', ['-nbBC', '10', 'u', password], { encoding: 'utf8' }).trim().slice(2),
  sha512crypt: (password: string) => execFileSync('openssl', ['passwd', '-6', password], { encoding: 'utf8' }).trim(),
  md5crypt: (password: string) => execFileSync('openssl', ['passwd', '-1', password], { encoding: 'utf8' }).trim(),
  argon2id: (password: string) =>
    execFileSync('php', ['-r', 'echo password_hash($argv[1], PASSWORD_ARGON2ID);', '--', password], {
      encoding: 'utf8',
    }),
};

/** The table's users: one per interesting case, each hash from a different reference tool. */
export function sqlUsers() {
  return {
    ann: {
      id: '1001',
      login: 'ann',
      email: 'ann@example.com',
      password: 'ann bcrypt pw',
      hash: referenceHash.bcrypt('ann bcrypt pw'),
    },
    ben: {
      id: '1002',
      login: 'ben',
      email: 'ben@example.com',
      password: 'ben-sha512-pw',
      hash: referenceHash.sha512crypt('ben-sha512-pw'),
    },
    cid: {
      id: '1003',
      login: 'cid',
      email: 'cid@example.com',
      password: 'cid-argon2-pw',
      hash: referenceHash.argon2id('cid-argon2-pw'),
    },
    fay: {
      id: '1004',
      login: 'fay',
      email: 'fay@example.com',
      password: 'fay-md5-pw',
      hash: referenceHash.md5crypt('fay-md5-pw'),
    },
    dan: {
      id: '1005',
      login: 'dan',
      email: 'dan@example.com',
      password: 'dan-blocked',
      hash: referenceHash.bcrypt('dan-blocked'),
      blocked: true,
    },
    /** A hash no scheme recognises: the password cannot be judged. */
    eve: { id: '1006', login: 'eve', email: 'eve@example.com', password: 'eve-pw', hash: 'corrupted-value' },
    /** Two records share an email: that login is ambiguous. */
    dup1: {
      id: '1007',
      login: 'dup1',
      email: 'dup@example.com',
      password: 'dup1-pw',
      hash: referenceHash.bcrypt('dup1-pw'),
    },
    dup2: {
      id: '1008',
      login: 'dup2',
      email: 'dup@example.com',
      password: 'dup2-pw',
      hash: referenceHash.bcrypt('dup2-pw'),
    },
    /** Twins: one email and one password for two records, which no password can tell apart. */
    dup3: {
      id: '1009',
      login: 'dup3',
      email: 'twins@example.com',
      password: 'twin-pw',
      hash: referenceHash.bcrypt('twin-pw'),
    },
    dup4: {
      id: '1010',
      login: 'dup4',
      email: 'twins@example.com',
      password: 'twin-pw',
      hash: referenceHash.md5crypt('twin-pw'),
    },
  };
}

export type SqlUsers = ReturnType<typeof sqlUsers>;

export interface SqlLegacyStore {
  dialect: 'postgres' | 'mariadb';
  server: PostgresServer | MariaDbServer;
  users: SqlUsers;
  /** The connector's query, in the dialect's parameter syntax. */
  userQuery: string;
  writeBack: string;
  /** A query that takes far longer than any deadline. */
  slowQuery: string;
  migratedAt(id: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startSqlLegacyStore(dialect: 'postgres' | 'mariadb'): Promise<SqlLegacyStore> {
  const users = sqlUsers();
  const rows = Object.values(users).map((u) => [
    u.id,
    u.login,
    u.email,
    u.hash,
    u.login.toUpperCase(),
    'Legacy',
    'blocked' in u,
  ]);
  if (dialect === 'postgres') {
    const server = await startPostgres();
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`CREATE TABLE users (id bigint PRIMARY KEY, login text NOT NULL, email text, pw_hash text,
      first_name text, last_name text, is_blocked boolean NOT NULL DEFAULT false, migrated_at timestamptz)`);
    for (const row of rows) await admin.query('INSERT INTO users VALUES ($1, $2, $3, $4, $5, $6, $7)', row);
    await admin.end();
    await server.grantUpdate('users', ['migrated_at']);
    const columns = 'id, login, email, pw_hash, first_name, last_name, is_blocked';
    return {
      dialect,
      server,
      users,
      userQuery: `SELECT ${columns} FROM users WHERE lower(login) = lower($1) OR lower(email) = lower($1)`,
      writeBack: 'UPDATE users SET migrated_at = now() WHERE id = $1',
      slowQuery: `SELECT ${columns}, pg_sleep(30) FROM users WHERE login = $1`,
      async migratedAt(id) {
        const client = new pg.Client({ connectionString: server.adminUrl });
        await client.connect();
        const result = await client.query<{ migrated_at: unknown }>('SELECT migrated_at FROM users WHERE id = $1', [
          id,
        ]);
        await client.end();
        return result.rows[0]?.migrated_at;
      },
      stop: () => server.stop(),
    };
  }
  const server = await startMariaDb();
  const admin = await mysql.createConnection(server.adminUrl);
  await admin.query(`CREATE TABLE users (id BIGINT PRIMARY KEY, login VARCHAR(64) NOT NULL, email VARCHAR(254),
    pw_hash VARCHAR(255), first_name VARCHAR(64), last_name VARCHAR(64), is_blocked TINYINT(1) NOT NULL DEFAULT 0,
    migrated_at DATETIME NULL)`);
  for (const row of rows) await admin.execute('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, NULL)', row);
  await admin.end();
  await server.grantUpdate('users', ['migrated_at']);
  const columns = 'id, login, email, pw_hash, first_name, last_name, is_blocked';
  return {
    dialect,
    server,
    users,
    userQuery: `SELECT ${columns} FROM users WHERE login = :login OR email = :login`,
    writeBack: 'UPDATE users SET migrated_at = NOW() WHERE id = :id',
    slowQuery: `SELECT ${columns}, SLEEP(30) AS waited FROM users WHERE login = :login`,
    async migratedAt(id) {
      const connection = await mysql.createConnection(server.adminUrl);
      const [result] = await connection.execute('SELECT migrated_at FROM users WHERE id = ?', [id]);
      await connection.end();
      return (result as { migrated_at: unknown }[])[0]?.migrated_at;
    },
    stop: () => server.stop(),
  };
}

export interface LdapLegacyStore {
  server: OpenLdapServer;
  /** entryUUIDs, read back from the directory. */
  ids: Record<'lena' | 'otto', string>;
  users: Record<'lena' | 'otto', LegacyUser>;
  stop(): Promise<void>;
}

export async function startLdapLegacyStore(): Promise<LdapLegacyStore> {
  const server = await startOpenLdap();
  const person = (uid: string, given: string, password: string, extra = '') => `
dn: uid=${uid},${server.usersDn}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${given} Directory
givenName: ${given}
sn: Directory
mail: ${uid}@example.com
userPassword: ${sshaPassword(password)}
${extra}`;
  await addEntries(
    server,
    [
      person('lena', 'Lena', 'lena-ldap-pw'),
      person('otto', 'Otto', 'otto-ldap-pw', 'employeeType: disabled'),
      person('dup-a', 'Dup', 'dup-pw', 'mail: twins@example.com'),
      person('dup-b', 'Dup', 'dup-pw', 'mail: twins@example.com'),
    ].join('\n'),
  );
  const admin = new Client({ url: server.url });
  await admin.bind(server.adminDn, server.adminPassword);
  const idOf = async (uid: string) => {
    const { searchEntries } = await admin.search(`uid=${uid},${server.usersDn}`, {
      scope: 'base',
      attributes: ['entryUUID'],
    });
    return String(searchEntries[0]?.entryUUID);
  };
  const ids = { lena: await idOf('lena'), otto: await idOf('otto') };
  await admin.unbind();
  return {
    server,
    ids,
    users: {
      lena: { id: ids.lena, login: 'lena', email: 'lena@example.com', password: 'lena-ldap-pw' },
      otto: { id: ids.otto, login: 'otto', email: 'otto@example.com', password: 'otto-ldap-pw' },
    },
    stop: () => server.stop(),
  };
}

/** A port on which a connection is accepted and then nothing is ever said: a legacy server that hangs. */
export async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: a legacy server that is down. */
export async function closedPort(): Promise<number> {
  const hole = await startBlackHole();
  await hole.close();
  return hole.port;
}
