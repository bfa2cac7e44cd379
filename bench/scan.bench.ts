import { createLegacyTombstones } from '../src/erasure/legacy-tombstones.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Account } from '../src/accounts/account.js';
import { legacySchema } from '../src/config/legacy-schema.js';
import { createPasswordHasher } from '../src/passwords/password-hasher.js';
import { createSqlConnector } from '../src/legacy/sql-connector.js';
import { createProfileTransformer } from '../src/migration/transform.js';
import { runScan } from '../src/scan/run-scan.js';
import { summariseReport } from '../src/scan/scan-report.js';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.js';
import { referenceHash } from '../test/support/legacy-stores.js';
import { serverSkipReason } from '../test/support/servers/availability.js';
import { startPostgres } from '../test/support/servers/postgres.js';

/**
 * `npm run bench` (fourth part): the pre-flight scan of a legacy PostgreSQL table of 1,000,000 users (target: under
 * two minutes on two cores, in bounded memory), read page by page through the SQL connector, against an embedded
 * store already holding 10% of them. The table mixes hash schemes of several eras, unjudgeable rows, disabled rows,
 * refused profiles and clashing logins, in proportions a real table could have. Memory is sampled as the scan goes
 * (resident set and heap) and reported at 10% and at the end: bounded means the two stay close.
 */

const USERS = Number(process.env.BENCH_SCAN_USERS ?? 1_000_000);
const PAGE = 5000;

const skip = serverSkipReason('postgres');
if (skip) {
  process.stdout.write(`pre-flight scan: ${skip}\n\n`);
} else {
  const server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-scan-bench-'));
  const hasher = await createPasswordHasher({ cost: 10, threads: 1 });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    // Real hashes from the reference tools, each reused by many rows: the scan inspects, it never verifies.
    const hashes = [
      referenceHash.bcrypt('bench-pw'),
      referenceHash.sha512crypt('bench-pw'),
      referenceHash.md5crypt('bench-pw'),
      referenceHash.argon2id('bench-pw'),
      '5f4dcc3b5aa765d61d8327deb882cf99',
      'XyZ-not-a-hash',
    ];
    await admin.query(`CREATE TABLE users (id bigint PRIMARY KEY, login text NOT NULL, email text, pw_hash text,
      pw_algo text, disabled boolean NOT NULL DEFAULT false)`);
    const started = performance.now();
    await admin.query(
      `INSERT INTO users
       SELECT i,
         CASE WHEN i % 1000 = 7 THEN 'User' || (i - 1) ELSE 'user' || i END,
         CASE WHEN i % 500 = 3 THEN 'not-an-email' WHEN i % 700 = 5 THEN 'shared@example.com'
              ELSE 'user' || i || '@example.com' END,
         ($1::text[])[1 + (i % 100 >= 40)::int + (i % 100 >= 60)::int + (i % 100 >= 75)::int
                      + (i % 100 >= 90)::int + (i % 100 >= 98)::int],
         CASE WHEN i % 100 BETWEEN 90 AND 97 THEN 'md5' END,
         i % 200 = 11
       FROM generate_series(1, $2::int) AS i`,
      [hashes, USERS],
    );
    await admin.query('ANALYZE users');
    await admin.end();
    const loadSeconds = (performance.now() - started) / 1000;

    const store = openEmbeddedStore(join(dir, 'idp.sqlite'));
    const now = new Date();
    const here: Account[] = [];
    for (let i = 10; i <= USERS; i += 10) {
      here.push({
        id: randomUUID(),
        username: `user${i}`,
        email: `user${i}@example.com`,
        emailVerified: false,
        roles: [],
        origin: 'migrated',
        legacy: { source: 'bench', id: String(i), migratedAt: now },
        password: { kind: 'none' },
        createdAt: now,
        updatedAt: now,
      });
      if (here.length === 10_000) await store.accounts.insertMany(here.splice(0));
    }
    await store.accounts.insertMany(here);

    const config = legacySchema.parse({
      kind: 'sql',
      source: 'bench',
      url: server.url,
      userQuery: 'SELECT * FROM users WHERE login = $1',
      columns: { id: 'id', passwordHash: 'pw_hash', scheme: 'pw_algo', disabled: 'disabled' },
      listQuery: `SELECT * FROM users WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT ${PAGE}`,
      countQuery: 'SELECT count(*) FROM users',
    });
    if (config.kind !== 'sql') throw new Error('expected an SQL config');
    const connector = createSqlConnector(config, hasher);
    const transform = await createProfileTransformer({
      mapping: { legacyId: 'id', username: 'login', email: 'email' },
      emailRequired: true,
    });
    // The live heap (after a full collection, when the bench runs with --expose-gc) at each tenth of the scan: what
    // the scan keeps, apart from garbage not yet collected. Bounded memory means it does not grow with the rows.
    const collect = (globalThis as { gc?: () => void }).gc;
    const liveHeap: number[] = [];
    let rssPeak = 0;
    const report = await runScan(
      {
        legacy: connector,
        accounts: store.accounts,
        transform,
        tombstones: createLegacyTombstones(store.tombstones, 'bench'),
      },
      {
        onProgress: ({ users }) => {
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          if (users >= ((liveHeap.length + 1) * USERS) / 10) {
            collect?.();
            liveHeap.push(process.memoryUsage().heapUsed);
          }
        },
      },
    );
    await connector.close();
    await store.close();
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    const seconds = report.durationMs / 1000;
    process.stdout.write(
      `pre-flight scan, PostgreSQL -> report: ${report.users.toLocaleString('en-US')} users in ${seconds.toFixed(1)} s ` +
        `(${Math.round(report.users / seconds).toLocaleString('en-US')} users/s; table loaded in ${loadSeconds.toFixed(1)} s)\n` +
        `  memory: resident peak ${mb(rssPeak)}; live heap${collect ? ' after a full collection' : ''} at each ` +
        `tenth: ${liveHeap.map(mb).join(', ')}\n` +
        `${summariseReport(report).replace(/^/gm, '  ')}\n\n`,
    );
  } finally {
    await hasher.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
