import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { connectorSource } from '../../src/import/import-source.js';
import { runImport } from '../../src/import/run-import.js';
import { createProfileTransformer } from '../../src/migration/transform.js';
import { runScan } from '../../src/scan/run-scan.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { discover, signIn, UserAgent } from '../support/oidc-flow.js';

/**
 * The user's own account pages (/account: profile, sessions, delete) and what erasure leaves: nothing personal, and
 * a tombstone that keeps the legacy user from moving again (first sign-in, import, readiness) until an operator
 * lifts it.
 */
describe('account pages and erasure', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());

  const go = async (agent: UserAgent, url: string, form?: Record<string, string>) => {
    const { response, url: at } = await agent.browse(url, form);
    return { url: at, status: response.status, text: await response.text() };
  };
  /** Signs in through the account pages; the page asked for is what shows after. */
  const signedIn = async (page: string, login: string, password: string) => {
    const agent = new UserAgent();
    const signInPage = await go(agent, `${t.issuer}${page}`);
    assert.match(signInPage.url, /\/interaction\//);
    const shown = await go(agent, `${signInPage.url}/login`, { login, password });
    return { agent, shown };
  };

  it('shows the profile and saves new names, lists sessions, and ends another one', async () => {
    const { agent, shown } = await signedIn('/account', 'alice', 'wonderland');
    assert.match(shown.text, /<dd id="profile-username">alice<\/dd>/);
    assert.match(shown.text, /id="profile-moved"/, 'moved from the legacy system');
    const tooLong = await go(agent, `${t.issuer}/account/profile`, {
      name: 'x'.repeat(300),
      givenName: 'Alice',
      familyName: '',
    });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.text, /The name must be at most 256 characters/);
    const saved = await go(agent, `${t.issuer}/account/profile`, {
      name: ' Alice Liddell ',
      givenName: 'Alice',
      familyName: '',
    });
    assert.match(saved.text, /id="notice">Your profile is saved/);
    const renamed = await t.idp.store.accounts.findByLogin('alice');
    assert.deepEqual([renamed?.name, renamed?.givenName, renamed?.familyName], ['Alice Liddell', 'Alice', undefined]);
    const [changed] = await t.idp.store.events.list({ type: 'profile_changed', limit: 1 });
    assert.deepEqual(changed && Object.keys(changed).sort(), ['accountId', 'at', 'id', 'type']);

    const other = await signedIn('/account/sessions', 'alice', 'wonderland');
    assert.equal((other.shown.text.match(/<li data-session=/g) ?? []).length, 2);

    const sessions = await go(agent, `${t.issuer}/account/sessions`);
    assert.match(sessions.text, /data-session="current"/);
    const otherId = /<input type="hidden" name="session" value="([^"]+)">/.exec(sessions.text)?.[1];
    assert.ok(otherId, 'the other session can be ended');
    const after = await go(agent, `${t.issuer}/account/sessions/end-one`, { session: otherId });
    assert.equal((after.text.match(/<li data-session=/g) ?? []).length, 1, 'one session left: this one');
    assert.match((await go(other.agent, `${t.issuer}/account`)).url, /\/interaction\//, 'the other must sign in');
    const [ended] = await t.idp.store.events.list({ type: 'sessions_ended', limit: 1 });
    assert.equal(ended?.type === 'sessions_ended' && ended.scope, 'one');
  });

  it('erases the account after the username is typed, and the legacy user does not move again until lifted', async () => {
    const { agent, shown } = await signedIn('/account/delete', 'alice', 'wonderland');
    assert.match(shown.text, /id="delete-legacy"/, 'says the legacy record is kept apart');
    const alice = await t.idp.store.accounts.findByLogin('alice');
    assert.ok(alice?.legacy);

    const mismatch = await go(agent, `${t.issuer}/account/delete`, { confirm: 'bob' });
    assert.equal(mismatch.status, 400);
    assert.ok(await t.idp.store.accounts.findById(alice.id), 'nothing erased on a mismatch');
    const done = await go(agent, `${t.issuer}/account/delete`, { confirm: 'Alice' });
    assert.match(done.text, /id="deleted"/);

    assert.equal(await t.idp.store.accounts.findById(alice.id), undefined);
    assert.equal(await t.idp.store.artifacts.findByAccount('Session', alice.id).then((s) => s.length), 0);
    const history = await t.idp.store.events.list({ accountId: alice.id });
    assert.ok(history.length >= 3, 'the history stays');
    assert.equal(
      history.some((e) => 'login' in e || 'username' in e),
      false,
      'with no login or username in it',
    );
    const [deleted] = await t.idp.store.events.list({ type: 'account_deleted', limit: 1 });
    assert.deepEqual(deleted?.type === 'account_deleted' && [deleted.by, deleted.legacyTombstone], ['user', true]);
    assert.equal(await t.idp.store.tombstones.count(), 1);
    assert.match((await go(agent, `${t.issuer}/account`)).url, /\/interaction\//, 'signed out');

    // The legacy password still works at the legacy system, but the user is not brought back by it.
    const again = await signIn(t.issuer, 'alice', 'wonderland');
    assert.equal(again.status, 403);
    assert.equal(await t.idp.store.accounts.findByLogin('alice'), undefined);
    const [failed] = await t.idp.store.events.list({ type: 'migration_failed', limit: 1 });
    assert.deepEqual(failed?.type === 'migration_failed' && [failed.reason, failed.login], ['erased', undefined]);

    // Nor by an import, and the readiness check counts them apart: neither here nor left behind.
    const legacy = t.idp.legacy ?? assert.fail('no legacy system');
    const transform = await createProfileTransformer({ ...t.config.migration });
    const scan = await runScan({ legacy, accounts: t.idp.store.accounts, transform, tombstones: t.idp.tombstones });
    const { readiness } = scan;
    assert.equal(readiness.erased, 1);
    assert.equal(readiness.withAccount + readiness.withoutAccount + readiness.erased, scan.users);
    const imported = await runImport(
      {
        accounts: t.idp.store.accounts,
        transform,
        record: async () => {},
        legacySource: legacy.source,
        tombstones: t.idp.tombstones,
      },
      connectorSource(legacy),
    );
    assert.equal(imported.erased, 1);
    assert.equal(await t.idp.store.accounts.findByLogin('alice'), undefined);
    assert.equal(imported.imported, readiness.importWouldRescue.total, 'the scan predicted the import');

    // Support confirmed it is them: an operator lifts the tombstone, and the next sign-in moves them anew.
    const config = await discover(t.issuer, 'opsBot');
    const { access_token: token } = await oidc.clientCredentialsGrant(config, {
      scope: 'admin',
      resource: `${t.issuer}/admin/api`,
    });
    const lift = (legacyId: string) =>
      fetch(`${t.issuer}/admin/api/legacy-tombstones/lift`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ legacyId }),
      }).then((response) => response.json());
    assert.deepEqual(await lift(alice.legacy.id), { lifted: true });
    assert.deepEqual(await lift(alice.legacy.id), { lifted: false });
    const back = await signIn(t.issuer, 'alice', 'wonderland');
    assert.equal(back.status, 303);
    const moved = await t.idp.store.accounts.findByLogin('alice');
    assert.ok(moved && moved.id !== alice.id, 'a new account, not the erased one');
  });
});
