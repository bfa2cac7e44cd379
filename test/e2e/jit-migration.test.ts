import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../src/accounts/account.js';
import type { LegacyFault } from '../../src/demo/legacy-service.js';
import { alertText } from '../support/html.js';
import { BACKENDS, startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

for (const { backend, skip } of BACKENDS) {
  describe(`just-in-time migration through the hosted sign-in page (${backend})`, { skip }, () => {
    let t: TestIdp;
    before(async () => {
      t = await startTestIdp({ backend });
    });
    after(() => t.close());

    const accountOf = (login: string) => t.idp.store.accounts.findByLogin(normaliseLogin(login));

    it('migrates a legacy user on the first sign-in with one legacy call, and issues tokens with the IdP’s own sub', async () => {
      t.legacy.resetCalls();
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      assert.equal(attempt.status, 303);
      assert.equal(t.legacy.calls.authenticate, 1);

      const account = await accountOf('alice');
      assert.ok(account);
      assert.equal(account.origin, 'migrated');
      assert.deepEqual(
        { source: account.legacy?.source, id: account.legacy?.id },
        { source: 'test-legacy', id: 'L-1001' },
      );
      assert.match(account.password.kind === 'bcrypt' ? account.password.hash : '', /^\$2b\$10\$/);

      const claims = attempt.tokens?.claims();
      assert.ok(claims);
      assert.equal(claims.sub, account.id);
      assert.notEqual(claims.sub, 'L-1001');
      assert.equal(claims.preferred_username, 'alice');
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, 'Alice Liddell');
      assert.equal(claims.given_name, 'Alice');
      assert.equal(claims.family_name, 'Liddell');
      assert.deepEqual(claims.roles, ['employee']);
      assert.equal(claims.account_origin, 'migrated');

      const [migrated] = await t.idp.store.events.list({ type: 'migrated', accountId: account.id });
      assert.ok(migrated?.type === 'migrated');
      assert.deepEqual(migrated.legacy, { source: 'test-legacy', id: 'L-1001' });
      assert.equal(typeof migrated.legacyLatencyMs, 'number');
    });

    it('never calls the legacy system again for a migrated user, even when it is down', async () => {
      t.legacy.resetCalls();
      assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
      await t.legacy.stop();
      try {
        assert.equal((await signIn(t.issuer, 'ALICE@example.com', 'wonderland')).status, 303);
      } finally {
        await t.legacy.start();
      }
      assert.equal(t.legacy.calls.authenticate, 0);
    });

    it('judges a wrong password of a migrated user locally, with the neutral message', async () => {
      t.legacy.resetCalls();
      const attempt = await signIn(t.issuer, 'alice', 'not-her-password');
      assert.equal(attempt.status, 401);
      assert.equal(alertText(attempt.page), 'Wrong username or password.');
      assert.equal(t.legacy.calls.authenticate, 0);
      // Guessing at one person shows in the event log, with the account.
      const alice = await accountOf('alice');
      const [refused] = await t.idp.store.events.list({ type: 'sign_in_refused', accountId: alice?.id ?? '' });
      assert.deepEqual(refused?.type === 'sign_in_refused' && refused.reason, 'invalid_password');
    });

    it('answers a wrong legacy password and a login unknown everywhere with the same message, storing nothing', async () => {
      const wrong = await signIn(t.issuer, 'bob', 'not-bobs-password');
      const unknown = await signIn(t.issuer, 'nobody-at-all', 'whatever-password');
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(alertText(wrong.page), alertText(unknown.page));
      assert.equal(alertText(wrong.page), 'Wrong username or password.');
      assert.equal(await accountOf('bob'), undefined);
      assert.equal(await accountOf('nobody-at-all'), undefined);
      const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
      assert.ok(failure?.type === 'migration_failed');
      assert.equal(failure.reason, 'invalid_credentials');
      assert.equal(failure.login, undefined, 'an unconfirmed login may be a mistyped password: not recorded');
    });

    const faults: LegacyFault[] = ['down', 'hang', 'error', 'garbage', 'not-object', 'oversized'];
    for (const fault of faults) {
      it(`fails closed with 429 and Retry-After (not a 5xx: the IdP is healthy) and stores nothing when the legacy system is ${fault}`, async () => {
        t.legacy.fault = fault;
        try {
          const attempt = await signIn(t.issuer, 'carol', 'higher further faster');
          assert.equal(attempt.status, 429);
          assert.match(alertText(attempt.page), /temporarily unavailable/);
          assert.doesNotMatch(attempt.page, /Wrong username or password/);
        } finally {
          t.legacy.fault = 'none';
        }
        assert.equal(await accountOf('carol'), undefined);
        const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
        assert.ok(failure?.type === 'migration_failed');
        assert.equal(failure.reason, 'unavailable');
        assert.ok(failure.cause);
      });
    }

    it('refuses a login longer than any login here without asking the legacy system', async () => {
      t.legacy.resetCalls();
      const long = await signIn(t.issuer, `${'a'.repeat(250)}@example.com`, 'whatever-pw');
      assert.equal(long.status, 401);
      assert.equal(t.legacy.calls.authenticate, 0);
      assert.equal((await signIn(t.issuer, `${'a'.repeat(240)}@example.com`, 'whatever-pw')).status, 401);
      assert.equal(t.legacy.calls.authenticate, 1, 'one just short of it is asked');
    });

    it('migrates through a slow legacy system that answers within its timeout', async () => {
      t.legacy.delayMs = 300;
      try {
        assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 303);
      } finally {
        t.legacy.delayMs = 0;
      }
      assert.deepEqual((await accountOf('carol'))?.roles, ['admin', 'employee']);
    });

    it('refuses a locked legacy account with its own neutral message and stores nothing', async () => {
      const attempt = await signIn(t.issuer, 'dave', 'open-the-pod-bay-doors');
      assert.equal(attempt.status, 403);
      assert.match(alertText(attempt.page), /cannot sign in at the moment/);
      assert.equal(await accountOf('dave'), undefined);
    });

    it('does not store a legacy profile that fails validation, and records which field failed', async () => {
      const attempt = await signIn(t.issuer, 'erin', 'no-valid-email');
      assert.equal(attempt.status, 422);
      assert.match(alertText(attempt.page), /could not be moved.*contact support/);
      assert.equal(await accountOf('erin'), undefined);
      const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
      assert.ok(failure?.type === 'migration_failed');
      assert.equal(failure.reason, 'validation');
      assert.deepEqual(failure.fields, ['email']);
      assert.equal(failure.login, 'erin', 'the legacy system confirmed this login');
      assert.ok(!JSON.stringify(failure).includes('erin at example dot com'), 'the failing value is not recorded');
    });

    it('signs a legacy user in by email in any case, and later by username', async () => {
      assert.equal((await signIn(t.issuer, '  BOB.builder@EXAMPLE.com ', 'can-we-fix-it')).status, 303);
      const account = await accountOf('bob');
      assert.deepEqual([account?.email, account?.emailVerified], ['Bob.Builder@Example.com', true]);
      t.legacy.resetCalls();
      assert.equal((await signIn(t.issuer, 'Bob', 'can-we-fix-it')).status, 303);
      assert.equal(t.legacy.calls.authenticate, 0);
    });

    it('links a legacy user renamed in the legacy system to the account already migrated, never a second one', async () => {
      const alice = await accountOf('alice');
      assert.ok(alice);
      t.legacy.addUser({
        password: 'wonderland',
        profile: {
          uid: 'L-1001',
          user_name: 'alice.liddell',
          mail: 'alice.liddell@example.com',
          first: 'Alice',
          last: 'L',
        },
      });
      t.legacy.resetCalls();
      const attempt = await signIn(t.issuer, 'alice.liddell', 'wonderland');
      assert.equal(attempt.status, 303);
      assert.equal(attempt.tokens?.claims()?.sub, alice.id);
      assert.equal(t.legacy.calls.authenticate, 1);
      assert.equal(await accountOf('alice.liddell'), undefined, 'no second account');
      // The migrated account judges the password, not the legacy system.
      assert.equal((await signIn(t.issuer, 'alice.liddell', 'wonderland-but-wrong')).status, 401);
    });

    it('turns 20 parallel first sign-ins of one user into exactly one account, all of them signed in', async () => {
      t.legacy.addUser({
        password: 'parallel-password',
        profile: { uid: 'L-2000', user_name: 'parallel', mail: 'parallel@example.com', first: 'Par', last: 'Allel' },
      });
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => signIn(t.issuer, 'parallel', 'parallel-password')),
      );
      assert.deepEqual(
        attempts.map((a) => a.status),
        Array.from({ length: 20 }, () => 303),
      );
      const subs = new Set(attempts.map((a) => a.tokens?.claims()?.sub));
      assert.equal(subs.size, 1);
      const account = await t.idp.store.accounts.findByLegacyId('test-legacy', 'L-2000');
      assert.ok(account);
      assert.ok(subs.has(account.id));
      const migrations = (await t.idp.store.events.list({ type: 'migrated', limit: 1000 })).filter(
        (e) => e.type === 'migrated' && e.legacy.id === 'L-2000',
      );
      assert.equal(migrations.length, 1);
    });

    it('never writes the password to a log line, an event, or the store file', async () => {
      const password = 'Sup3r-Secret-Canary-Passw0rd-7f3a';
      t.legacy.addUser({ password, profile: { uid: 'L-3000', user_name: 'canary', mail: 'canary@example.com' } });
      t.logs.length = 0;
      assert.equal((await signIn(t.issuer, 'canary', `${password}-wrong`)).status, 401);
      assert.equal((await signIn(t.issuer, 'canary', password)).status, 303);
      assert.equal((await signIn(t.issuer, 'canary', password)).status, 303);

      const logText = t.logs.join('');
      assert.match(logText, /"msg":"migrated"/, 'the migration was logged');
      assert.ok(!logText.includes(password), 'password found in the logs');
      const events = JSON.stringify(await t.idp.store.events.list({ limit: 1000 }));
      assert.ok(!events.includes(password), 'password found in an event');
      const account = await accountOf('canary');
      assert.ok(account && !JSON.stringify(account).includes(password), 'password found in the stored account');
      if (t.sqlitePath) {
        const storeFiles = [t.sqlitePath, `${t.sqlitePath}-wal`].filter((f) => existsSync(f));
        for (const file of storeFiles) assert.ok(!readFileSync(file).includes(password), `password found in ${file}`);
      }
    });
  });
}
