import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../../src/accounts/account.js';
import { startTestIdp, type TestIdp } from '../../support/harness.js';
import { eventually } from '../../support/eventually.js';
import {
  ldapStoreSkip,
  sqlStoreSkip,
  startLdapLegacyStore,
  startSqlLegacyStore,
  type LdapLegacyStore,
  type SqlLegacyStore,
} from '../../support/legacy-stores.js';
import { signIn } from '../../support/oidc-flow.js';

/** The whole JIT sign-in through the hosted page, with the legacy system being a real database or directory. */

const SQL_MAPPING = {
  legacyId: 'id',
  username: 'login',
  email: 'email',
  givenName: 'first_name',
  familyName: 'last_name',
};

for (const dialect of ['postgres', 'mariadb'] as const) {
  describe(`JIT sign-in from ${dialect}`, { skip: sqlStoreSkip(dialect), timeout: 120_000 }, () => {
    let store: SqlLegacyStore;
    let t: TestIdp;
    before(async () => {
      store = await startSqlLegacyStore(dialect);
      t = await startTestIdp({
        legacy: {
          kind: 'sql',
          source: 'shop-db',
          url: store.server.url,
          userQuery: store.userQuery,
          columns: { id: 'id', passwordHash: 'pw_hash', disabled: 'is_blocked' },
          writeBack: store.writeBack,
        },
        config: { migration: { mapping: SQL_MAPPING } },
      });
    });
    after(async () => {
      await t.close();
      await store.stop();
    });

    it('migrates a user whose legacy hash is argon2id, stores bcrypt, and marks the legacy row', async () => {
      const { cid } = store.users;
      const attempt = await signIn(t.issuer, cid.email, cid.password);
      assert.equal(attempt.status, 303);
      const account = await t.idp.store.accounts.findByLogin(normaliseLogin('cid'));
      assert.ok(account);
      assert.deepEqual(account.legacy && [account.legacy.source, account.legacy.id], ['shop-db', cid.id]);
      assert.match(
        account.password.kind === 'bcrypt' ? account.password.hash : '',
        /^\$2b\$10\$/,
        'only a fresh bcrypt hash is kept',
      );
      assert.equal(attempt.tokens?.claims()?.given_name, 'CID');
      await eventually(() => store.migratedAt(cid.id), { intervalMs: 20, what: 'the write-back to mark the row' });
      assert.equal((await signIn(t.issuer, 'cid', cid.password)).status, 303);
    });

    it('refuses a blocked row, a wrong password and a hash nobody can judge without storing anything', async () => {
      const { dan, ben, eve } = store.users;
      assert.equal((await signIn(t.issuer, dan.login, dan.password)).status, 403);
      assert.equal((await signIn(t.issuer, ben.login, 'not-bens')).status, 401);
      // Told exactly like a wrong password: nothing confirmed the login exists.
      assert.equal((await signIn(t.issuer, eve.login, eve.password)).status, 401);
      for (const login of ['dan', 'ben', 'eve']) assert.equal(await t.idp.store.accounts.findByLogin(login), undefined);
      const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
      assert.ok(failure?.type === 'migration_failed');
      assert.deepEqual([failure.reason, failure.legacy], ['unsupported_hash', { source: 'shop-db', id: eve.id }]);
    });
  });
}

describe('JIT sign-in from OpenLDAP', { skip: ldapStoreSkip(), timeout: 120_000 }, () => {
  let store: LdapLegacyStore;
  let t: TestIdp;
  before(async () => {
    store = await startLdapLegacyStore();
    t = await startTestIdp({
      legacy: {
        kind: 'ldap',
        source: 'directory',
        url: store.server.url,
        startTls: true,
        caFile: store.server.caFile,
        bindDn: store.server.serviceDn,
        bindPassword: store.server.servicePassword,
        searchBase: store.server.usersDn,
        disabledFilter: '(employeeType=disabled)',
      },
      config: {
        migration: {
          mapping: {
            legacyId: 'entryUUID',
            username: 'uid',
            email: 'mail',
            givenName: 'givenName',
            familyName: 'sn',
            name: 'cn',
          },
        },
      },
    });
  });
  after(async () => {
    await t.close();
    await store.stop();
  });

  it('migrates a directory user by bind, keyed by entryUUID', async () => {
    const { lena } = store.users;
    const attempt = await signIn(t.issuer, lena.login, lena.password);
    assert.equal(attempt.status, 303);
    assert.equal(attempt.tokens?.claims()?.name, 'Lena Directory');
    const account = await t.idp.store.accounts.findByLegacyId('directory', store.ids.lena);
    assert.equal(account?.username, 'lena');
  });

  it('refuses a disabled directory user and a wrong password', async () => {
    assert.equal((await signIn(t.issuer, 'otto', 'otto-ldap-pw')).status, 403);
    assert.equal((await signIn(t.issuer, 'otto', 'wrong')).status, 401);
    assert.equal(await t.idp.store.accounts.findByLogin('otto'), undefined);
  });
});
