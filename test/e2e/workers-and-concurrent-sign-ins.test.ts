import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService, type LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { openMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/store.js';
import { startBalancer } from '../support/balancer.js';
import { BACKENDS, LEGACY_TOKEN } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';
import { inFlight } from '../support/in-flight.js';

/**
 * 400 here (three minutes of CI for 1,000 at the IdP's bcrypt cost): the 1,000-user run is on PostgreSQL across
 * three network namespaces (test/faults/multi-host.test.ts); this one holds the processes sharing one SQLite file.
 */
const USERS = 400;
/** Users who also sign in a second time at the same moment, through another process. */
const TWICE = 100;
const PROCESSES = 3;
const IN_FLIGHT = 48;

const users: LegacyUserRecord[] = Array.from({ length: USERS }, (_, i) => ({
  password: `many-password-${i}`,
  profile: { uid: `M-${i}`, user_name: `many${i}`, mail: `many${i}@example.com`, first: 'Many', last: String(i) },
}));

describe('several IdP processes', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-many-'));
  const running: IdpProcess[] = [];
  after(() => {
    for (const { child } of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('`npm start` with workers: 2 serves from two processes, replaces a dead one, and drains both on SIGTERM', async () => {
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
    await legacy.start();
    try {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}`;
      const config = writeIdpConfig(dir, {
        issuer,
        legacyUrl: legacy.url,
        sqlitePath: join(dir, 'cluster.sqlite'),
        extra: { workers: 2, logLevel: 'info' },
      });
      const primary = await startIdpProcess(
        { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
        dir,
        /2 worker processes/,
      );
      running.push(primary);
      const workerPids = (count: number) =>
        eventually(
          () => {
            const pids = [...primary.output().matchAll(/"pid":(\d+),[^\n]*"msg":"IdP started"/g)].map((m) =>
              Number(m[1]),
            );
            return pids.length >= count && pids;
          },
          { timeoutMs: 30_000, intervalMs: 50, what: () => `${String(count)} workers to start:\n${primary.output()}` },
        );
      const [first, second] = await workerPids(2);
      assert.ok(first && second && first !== second && first !== primary.child.pid);
      assert.equal((await signIn(issuer, 'alice', 'wonderland')).status, 303);

      process.kill(first, 'SIGKILL');
      const replacement = (await workerPids(3))[2];
      assert.match(primary.output(), /worker died; starting another/);
      assert.ok(replacement !== undefined && ![first, second].includes(replacement));
      assert.equal((await signIn(issuer, 'carol', 'higher further faster')).status, 303);

      primary.child.kill('SIGTERM');
      assert.equal(await primary.exited, 0);
      for (const pid of [second, replacement])
        assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${String(pid)} is gone`);
    } finally {
      await legacy.stop();
    }
  });

  // PostgreSQL has the same test across three network namespaces (test/faults/multi-host.test.ts): two minutes more
  // of CI for a second copy of it on loopback would prove nothing more.
  for (const { backend, skip } of BACKENDS.filter(({ backend }) => backend !== 'postgres')) {
    it(
      `${String(PROCESSES)} processes on one ${backend} store behind a balancer: ${String(USERS)} users' concurrent first sign-ins end with exactly ${String(USERS)} accounts`,
      { skip },
      async () => {
        const legacy = new LegacyUserService({ users, token: LEGACY_TOKEN });
        await legacy.start();
        const sqlitePath = join(dir, 'many.sqlite');
        const mongodbDatabase = `jit_idp_many_${randomBytes(6).toString('hex')}`;
        const ports = await Promise.all(Array.from({ length: PROCESSES }, () => freePort()));
        const balancer = await startBalancer(ports.map((port) => `http://127.0.0.1:${port}`));
        let store: Store | undefined;
        try {
          const config = writeIdpConfig(dir, {
            issuer: balancer.url,
            legacyUrl: legacy.url,
            sqlitePath,
            extra: backend === 'mongodb' ? { store: { mongodbUri: process.env.MONGODB_URI, mongodbDatabase } } : {},
          });
          const processes = await Promise.all(
            ports.map((port) => startIdpProcess({ IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV }, dir)),
          );
          running.push(...processes);

          // Every user once; the first TWICE of them a second time at the same moment (the balancer sends the two
          // flows' requests to different processes).
          const tasks = users.map((user, i) => async () => {
            const attempts = await Promise.all(
              Array.from({ length: i < TWICE ? 2 : 1 }, () =>
                signIn(balancer.url, user.profile.user_name, user.password),
              ),
            );
            return attempts.map((attempt) => ({ status: attempt.status, sub: attempt.tokens?.claims()?.sub }));
          });
          const results = await inFlight(IN_FLIGHT, tasks);

          store =
            backend === 'mongodb'
              ? await openMongoStore(process.env.MONGODB_URI ?? '', mongodbDatabase)
              : openEmbeddedStore(sqlitePath);
          const statuses = new Map<number, number>();
          for (const attempt of results.flat()) statuses.set(attempt.status, (statuses.get(attempt.status) ?? 0) + 1);
          if (statuses.size !== 1) {
            // Say why, so a failure on a slow CI machine can be told apart from a lost or duplicated account.
            const failures = await store.events.list({ type: 'migration_failed', limit: 100 });
            const warnings = processes.flatMap((p) =>
              p
                .output()
                .split('\n')
                .filter((line) => line.includes('"level":40')),
            );
            assert.fail(
              `every sign-in completed: ${JSON.stringify([...statuses])}\n` +
                `migration_failed: ${JSON.stringify(failures)}\n` +
                `warnings: ${warnings.slice(0, 20).join('\n')}`,
            );
          }
          for (const [i, attempts] of results.entries()) {
            assert.equal(
              new Set(attempts.map((a) => a.sub)).size,
              1,
              `${users[i]?.profile.user_name ?? ''}: one subject`,
            );
          }
          assert.ok(
            balancer.counts.every((count) => count > USERS),
            `every process served its share: ${balancer.counts.join(', ')}`,
          );

          assert.deepEqual(await store.accounts.countByOrigin(), { migrated: USERS, registered: 0, imported: 0 });
          const subs = new Set(results.map((attempts) => attempts[0]?.sub));
          assert.equal(subs.size, USERS, 'a different account for every user');
          for (const [i, user] of users.entries()) {
            const account = await store.accounts.findByLegacyId('legacy', user.profile.uid);
            assert.equal(
              account?.id,
              results[i]?.[0]?.sub,
              `${user.profile.user_name}'s tokens name the stored account`,
            );
          }
          assert.equal((await store.events.list({ type: 'migrated', limit: USERS * 2 })).length, USERS);
          // The users who signed in twice at once asked the legacy system once: the second waited for the first.
          const repeated = [...legacy.checksByLogin].filter(([, checks]) => checks > 1);
          assert.deepEqual(repeated, [], 'one legacy check per user');
          assert.equal(legacy.calls.authenticate, USERS);
        } finally {
          await store?.close();
          await balancer.close();
          await legacy.stop();
        }
      },
    );
  }
});
