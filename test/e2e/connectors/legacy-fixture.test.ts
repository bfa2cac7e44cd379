import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProfileTransformer } from '../../../src/migration/transform.js';
import { runScan } from '../../../src/scan/run-scan.js';
import type { ScanReport } from '../../../src/scan/scan-report.js';
import { alertText } from '../../support/html.js';
import { startTestIdp, type TestIdp } from '../../support/harness.js';
import { eventually } from '../../support/eventually.js';
import {
  fixtureSkip,
  startDirectoryFixture,
  startPostgresFixture,
  startWordPressFixture,
  wrongPassword,
  type FixtureUser,
} from '../../support/legacy-fixture.js';
import { beginAuthorization, finishAuthorization, signIn } from '../../support/oidc-flow.js';

/**
 * Every user of three realistic legacy stores (50 users: a PostgreSQL table of many eras, a WordPress database on
 * MariaDB, an OpenLDAP directory with password policies and groups; hashes made at test time by the reference
 * tools) driven through the hosted sign-in page with a wrong and then the right password, each ending as the
 * fixture says it must; then the pre-flight scan of each store, asserted number by number.
 */

interface Store<U extends FixtureUser> {
  users: U[];
  legacy: Record<string, unknown>;
  mapping: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Drives one user through the hosted page: a wrong password, then the right one, as the fixture expects. */
async function signInAsExpected(t: TestIdp, user: FixtureUser) {
  const wrong = await signIn(t.issuer, user.login, wrongPassword(user));
  assert.equal(wrong.status, user.disabledWhateverPassword ? 403 : 401, `${user.username}: a wrong password`);

  const start = await beginAuthorization(t.issuer);
  const posted = await start.agent.request(`${start.interactionUrl}/login`, {
    form: { login: user.login, password: user.password },
  });
  const page = await posted.text();
  const expect = user.expect;
  switch (expect.kind) {
    case 'migrates': {
      assert.equal(posted.status, 303, `${user.username}: the right password (${alertText(page)})`);
      const next = await start.agent.follow(posted, t.issuer);
      return finishAuthorization(start, next.url);
    }
    case 'chooses': {
      assert.equal(posted.status, 200, `${user.username}: asked to choose, not refused (${alertText(page)})`);
      assert.match(page, new RegExp(`name="${expect.field}"`));
      const chosen = await start.agent.request(`${start.interactionUrl}/logins`, {
        form: { [expect.field]: expect.value },
      });
      assert.equal(chosen.status, 303, `${user.username}: the chosen ${expect.field}`);
      return finishAuthorization(start, (await start.agent.follow(chosen, t.issuer)).url);
    }
    case 'neutral':
      assert.equal(posted.status, 401, `${user.username}: told like a wrong password`);
      assert.equal(alertText(page), alertText(wrong.page));
      return undefined;
    case 'disabled':
      assert.equal(posted.status, 403, `${user.username}: cannot sign in, contact support`);
      return undefined;
    case 'rejected':
      assert.equal(posted.status, 422, `${user.username}: could not be moved`);
      return undefined;
  }
}

/** Every user, with each one's account checked: stored by legacy id, a fresh bcrypt hash, the expected logins. */
async function driveEveryone(t: TestIdp, store: Store<FixtureUser>, source: string) {
  const tokens = new Map<string, Awaited<ReturnType<typeof signInAsExpected>>>();
  for (const user of store.users) {
    tokens.set(user.username, await signInAsExpected(t, user));
    const account = await t.idp.store.accounts.findByLegacyId(source, user.id);
    const moved = user.expect.kind === 'migrates' || user.expect.kind === 'chooses';
    assert.equal(account !== undefined, moved, `${user.username}: an account exactly when moved`);
    if (!account) continue;
    assert.equal(account.password.kind, 'bcrypt', `${user.username}: only the IdP's own hash is kept`);
    assert.equal(tokens.get(user.username)?.claims()?.sub, account.id);
    if (user.expect.kind === 'chooses') {
      assert.equal(account[user.expect.field], user.expect.value, `${user.username}: the chosen login`);
    }
    // Signed in once more with the right password (now judged here), and refused with a wrong one.
    assert.equal((await signIn(t.issuer, user.login, user.password)).status, 303, `${user.username}: again`);
    assert.equal((await signIn(t.issuer, user.login, wrongPassword(user))).status, 401, `${user.username}: wrong`);
  }
  return tokens;
}

async function scanOf(t: TestIdp): Promise<ScanReport> {
  return runScan({
    legacy: t.idp.legacy ?? assert.fail('no legacy system'),
    accounts: t.idp.store.accounts,
    tombstones: t.idp.tombstones,
    transform: await createProfileTransformer({ ...t.config.migration }),
  });
}

/** The report's hash schemes as the fixture's labels predict them. */
function labelsOf(users: readonly FixtureUser[], unjudgeable: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { label } of users) if (label !== undefined) counts[label] = (counts[label] ?? 0) + 1;
  if (unjudgeable > 0) counts['(cannot be judged)'] = unjudgeable;
  return counts;
}

const refs = (store: Store<FixtureUser>, names: readonly string[]) =>
  names.map((name) => {
    const user = store.users.find((u) => u.username === name) ?? assert.fail(name);
    return { legacyId: user.id, username: user.username };
  });

describe(
  'a PostgreSQL member table of many eras, through the hosted page',
  { skip: fixtureSkip.postgres(), timeout: 600_000 },
  () => {
    let store: Awaited<ReturnType<typeof startPostgresFixture>>;
    let t: TestIdp;
    before(async () => {
      store = await startPostgresFixture();
      t = await startTestIdp({ legacy: store.legacy, config: { migration: { mapping: store.mapping } } });
    });
    after(async () => {
      await t.close();
      await store.stop();
    });

    it('moves everyone the legacy system accepts, and refuses the rest as each case requires', async () => {
      assert.equal(store.users.length, 32);
      await driveEveryone(t, store, 'members');
      // The write-back ran as its own role for every moved user.
      const pia = store.users[0] ?? assert.fail();
      await eventually(() => store.migratedAt(pia.id), { intervalMs: 20, what: 'the write-back of pia' });
      const failures = await t.idp.store.events.list({ type: 'migration_failed' });
      const unsupported = failures.flatMap((e) =>
        e.type === 'migration_failed' && e.reason === 'unsupported_hash' ? [e.legacy?.id] : [],
      );
      // One event per attempt (the wrong and the right password alike: neither could be judged), naming the record.
      assert.deepEqual(
        [...new Set(unsupported)].sort(),
        refs(store, ['pat', 'pearl', 'poppy']).map((r) => r.legacyId),
      );
      assert.equal(unsupported.length, 6);
      const conflicts = await t.idp.store.events.list({ type: 'migration_conflict' });
      assert.equal(conflicts.length, 3);
    });

    it('scans the table: every scheme, every problem, every clash, and who is left behind', async () => {
      const report = await scanOf(t);
      assert.equal(report.users, 32);
      assert.equal(report.passwordJudge, 'stored-hash');
      assert.deepEqual(report.hashSchemes, labelsOf(store.users, 3));
      assert.deepEqual(report.unjudgeable.byReason, {
        'the record has no password hash': 1,
        'traditional DES crypt is not supported': 1,
        'SunMD5 ($md5$) is not supported': 1,
      });
      assert.deepEqual(report.disabled, { total: 1, samples: refs(store, ['peggy']) });
      assert.deepEqual(report.validation.byField, { email: 1 });
      assert.deepEqual(report.clashes.byKind, { exact: 0, case: 2, compatibility: 2, 'shared-email': 2 });
      assert.deepEqual(
        report.clashes.groups.map((g) => [g.kind, g.login, g.members.map((m) => m.login)]),
        [
          ['case', 'alex', ['Alex', 'alex']],
          ['compatibility', 'phil', ['phil', 'ｐｈｉｌ']],
          ['shared-email', 'family@members.example', ['family@members.example', 'Family@Members.example']],
        ],
      );
      assert.equal(report.clashes.withLocalAccounts, 0);
      assert.equal(report.readiness.withAccount, 27);
      assert.deepEqual(report.readiness.leftBehind, {
        'never-signed-in': 0,
        'unsupported-hash': 3,
        disabled: 1,
        validation: 1,
        conflict: 0,
      });
      assert.deepEqual(
        report.readiness.samples['unsupported-hash'].map(({ legacyId, username }) => ({ legacyId, username })),
        refs(store, ['pat', 'pearl', 'poppy']),
      );
      assert.deepEqual(report.readiness.importWouldRescue, { total: 3, keepingPassword: 0, mustResetPassword: 3 });
    });
  },
);

describe(
  'a WordPress database on MariaDB, through the hosted page',
  { skip: fixtureSkip.wordpress(), timeout: 600_000 },
  () => {
    let store: Awaited<ReturnType<typeof startWordPressFixture>>;
    let t: TestIdp;
    before(async () => {
      store = await startWordPressFixture();
      t = await startTestIdp({ legacy: store.legacy, config: { migration: { mapping: store.mapping } } });
    });
    after(async () => {
      await t.close();
      await store.stop();
    });

    it('moves every WordPress user whose hash WordPress itself accepts', async () => {
      assert.equal(store.users.length, 9);
      await driveEveryone(t, store, 'blog');
    });

    it('scans it', async () => {
      const report = await scanOf(t);
      assert.equal(report.users, 9);
      assert.deepEqual(report.hashSchemes, labelsOf(store.users, 0));
      assert.equal(report.unjudgeable.total, 0);
      assert.deepEqual(report.validation.samples, [{ ...refs(store, ['wyatt'])[0], fields: ['email'] }]);
      assert.deepEqual(report.clashes.byKind, { exact: 0, case: 2, compatibility: 0, 'shared-email': 0 });
      assert.equal(report.readiness.withAccount, 8);
      assert.deepEqual(report.readiness.leftBehind, {
        'never-signed-in': 0,
        'unsupported-hash': 0,
        disabled: 0,
        validation: 1,
        conflict: 0,
      });
    });
  },
);

describe(
  'an OpenLDAP directory with password policies and groups, through the hosted page',
  { skip: fixtureSkip.directory(), timeout: 600_000 },
  () => {
    let store: Awaited<ReturnType<typeof startDirectoryFixture>>;
    let t: TestIdp;
    before(async () => {
      store = await startDirectoryFixture();
      t = await startTestIdp({ legacy: store.legacy, config: { migration: { mapping: store.mapping } } });
    });
    after(async () => {
      await t.close();
      await store.stop();
    });

    it('moves directory users with their groups as roles, and honours the directory’s policies', async () => {
      assert.equal(store.users.length, 9);
      // Before either has moved, the uid both Leas share cannot say who is meant: refused like a wrong password.
      const ambiguous = await signIn(t.issuer, store.ambiguous.login, store.ambiguous.password);
      assert.equal(ambiguous.status, 401);
      const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
      assert.deepEqual(failure?.type === 'migration_failed' && failure.reason, 'ambiguous_login');

      const tokens = await driveEveryone(t, store, 'directory');
      assert.deepEqual(tokens.get('lars')?.claims()?.roles, ['employee', 'staff'], 'nested groups');
      assert.deepEqual(tokens.get('lina')?.claims()?.roles, ['support'], 'a groupOfUniqueNames');
    });

    it('scans the directory, reading hashes only through the hash reader', async () => {
      const report = await scanOf(t);
      assert.equal(report.users, 9);
      assert.equal(report.passwordJudge, 'legacy-system');
      assert.deepEqual(report.hashSchemes, labelsOf(store.users, 0));
      assert.deepEqual(report.disabled.samples, refs(store, ['leon', 'lorenz']));
      assert.deepEqual(report.clashes.byKind, { exact: 0, case: 2, compatibility: 0, 'shared-email': 0 });
      assert.equal(report.readiness.withAccount, 5);
      assert.deepEqual(report.readiness.leftBehind, {
        'never-signed-in': 2,
        'unsupported-hash': 0,
        disabled: 2,
        validation: 0,
        conflict: 0,
      });
      // Expired and reset passwords are seen only at a bind: an import would bring them over, keeping the hash.
      assert.deepEqual(
        report.readiness.samples['never-signed-in'].map(({ username }) => username),
        ['lotte', 'lukas'],
      );
      assert.deepEqual(report.readiness.importWouldRescue, { total: 2, keepingPassword: 2, mustResetPassword: 0 });
    });
  },
);
