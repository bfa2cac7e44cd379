import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startTestIdp, type TestIdp } from '../test/support/harness.js';
import { referenceHash } from '../test/support/legacy-stores.js';
import { signIn } from '../test/support/oidc-flow.js';
import { serverSkipReason } from '../test/support/servers/availability.js';
import { startMariaDb } from '../test/support/servers/mariadb.js';
import { addEntries, sshaPassword, startOpenLdap } from '../test/support/servers/openldap.js';
import { startPostgres } from '../test/support/servers/postgres.js';

/**
 * `npm run bench` (second part): the cost of a first sign-in (JIT migration) per legacy connector kind, each
 * against a real legacy store on loopback, measured as the whole authorization code + PKCE flow through the
 * hosted page. Every sample migrates a different user.
 */

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const PASSWORD = 'bench legacy password';
const MAPPING = { legacyId: 'id', username: 'login', email: 'email' };

interface Kind {
  name: string;
  skip: string | false;
  /** Starts the legacy store with SAMPLES users bench0…; returns the IdP's legacy config and a stop function. */
  start(): Promise<{ legacy: Record<string, unknown>; mapping?: Record<string, unknown>; stop(): Promise<void> }>;
}

const logins = Array.from({ length: SAMPLES }, (_, i) => `bench${i}`);

const kinds: Kind[] = [
  {
    name: 'http (legacy-http-api.md stub)',
    skip: false,
    start: () =>
      Promise.resolve({
        legacy: {},
        mapping: { legacyId: 'uid', username: 'user_name', email: 'mail' },
        stop: () => Promise.resolve(),
      }),
  },
  {
    name: 'module (in-process)',
    skip: false,
    start: () =>
      Promise.resolve({
        legacy: {
          kind: 'module',
          path: fileURLToPath(new URL('./bench-module.ts', import.meta.url)),
          options: { password: PASSWORD },
        },
        stop: () => Promise.resolve(),
      }),
  },
  {
    name: 'sql: PostgreSQL, bcrypt hashes',
    skip: serverSkipReason('postgres'),
    async start() {
      const server = await startPostgres();
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      await admin.query('CREATE TABLE users (id bigint PRIMARY KEY, login text, email text, pw_hash text)');
      const hash = referenceHash.bcrypt(PASSWORD);
      for (const [i, login] of logins.entries()) {
        await admin.query('INSERT INTO users VALUES ($1, $2, $3, $4)', [i + 1, login, `${login}@example.com`, hash]);
      }
      await admin.end();
      return {
        legacy: {
          kind: 'sql',
          url: server.url,
          userQuery: 'SELECT id, login, email, pw_hash FROM users WHERE login = $1 OR email = $1',
          columns: { id: 'id', passwordHash: 'pw_hash' },
        },
        stop: () => server.stop(),
      };
    },
  },
  {
    name: 'sql: MariaDB, bcrypt hashes',
    skip: serverSkipReason('mariadb'),
    async start() {
      const server = await startMariaDb();
      const admin = await mysql.createConnection(server.adminUrl);
      await admin.query(
        'CREATE TABLE users (id BIGINT PRIMARY KEY, login VARCHAR(64), email VARCHAR(254), pw_hash VARCHAR(255))',
      );
      const hash = referenceHash.bcrypt(PASSWORD);
      for (const [i, login] of logins.entries()) {
        await admin.execute('INSERT INTO users VALUES (?, ?, ?, ?)', [i + 1, login, `${login}@example.com`, hash]);
      }
      await admin.end();
      return {
        legacy: {
          kind: 'sql',
          url: server.url,
          userQuery: 'SELECT id, login, email, pw_hash FROM users WHERE login = :login OR email = :login',
          columns: { id: 'id', passwordHash: 'pw_hash' },
        },
        stop: () => server.stop(),
      };
    },
  },
  {
    name: 'ldap: OpenLDAP over ldaps://',
    skip: serverSkipReason('openldap'),
    async start() {
      const server = await startOpenLdap();
      const userPassword = sshaPassword(PASSWORD);
      await addEntries(
        server,
        logins
          .map(
            (login) =>
              `dn: uid=${login},${server.usersDn}\nobjectClass: inetOrgPerson\nuid: ${login}\ncn: ${login}\nsn: Bench\nmail: ${login}@example.com\nuserPassword: ${userPassword}\n`,
          )
          .join('\n'),
      );
      // Make sure the entries are searchable before timing starts.
      const check = new Client({ url: server.url });
      await check.bind(server.adminDn, server.adminPassword);
      await check.unbind();
      return {
        legacy: {
          kind: 'ldap',
          url: server.ldapsUrl,
          caFile: server.caFile,
          bindDn: server.serviceDn,
          bindPassword: server.servicePassword,
          searchBase: server.usersDn,
        },
        mapping: { legacyId: 'entryUUID', username: 'uid', email: 'mail' },
        stop: () => server.stop(),
      };
    },
  },
];

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;

async function measure(kind: Kind): Promise<[string, string]> {
  if (kind.skip) return [kind.name, kind.skip];
  const store = await kind.start();
  const users = logins.map((login, i) => ({
    password: PASSWORD,
    profile: { uid: `B-${i}`, user_name: login, mail: `${login}@example.com` },
  }));
  let t: TestIdp | undefined;
  try {
    t = await startTestIdp({
      users,
      ...(Object.keys(store.legacy).length > 0 ? { legacy: { source: 'bench', ...store.legacy } } : {}),
      config: { logLevel: 'warn', migration: { mapping: store.mapping ?? MAPPING } },
    });
    const first: number[] = [];
    const again: number[] = [];
    for (const login of logins) {
      const started = performance.now();
      const attempt = await signIn(t.issuer, login, PASSWORD);
      first.push(performance.now() - started);
      if (!attempt.tokens) throw new Error(`${kind.name}: first sign-in of ${login} failed with ${attempt.status}`);
    }
    for (const login of logins.slice(0, 20)) {
      const started = performance.now();
      await signIn(t.issuer, login, PASSWORD);
      again.push(performance.now() - started);
    }
    const ms = (n: number) => n.toFixed(1);
    return [
      kind.name,
      `${ms(quantile(first, 0.5))} / ${ms(quantile(first, 0.95))} ms   (later sign-ins: ${ms(quantile(again, 0.5))} ms median)`,
    ];
  } finally {
    await t?.close();
    await store.stop();
  }
}

const rows: [string, string][] = [];
for (const kind of kinds) rows.push(await measure(kind));
const width = Math.max(...rows.map(([name]) => name.length));
process.stdout.write(
  `\nfirst sign-in with JIT migration, median / p95, ${SAMPLES} users per kind (bcrypt cost 10, full OIDC flow):\n` +
    rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n') +
    '\n\n',
);
