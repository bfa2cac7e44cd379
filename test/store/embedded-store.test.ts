import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { migrateSchema } from '../../src/store/embedded/schema.js';
import { storeContract } from './store-contract.js';

storeContract('embedded (SQLite file)', () =>
  Promise.resolve(openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'jit-idp-store-')), 'idp.sqlite'))),
);

describe('embedded store: schema migration 7 on a file written by version 6', () => {
  it('keeps accounts enabled and gives existing artifacts their account, so they can be found and revoked', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jit-idp-migrate-')), 'idp.sqlite');
    const old = new Database(path);
    migrateSchema(old, 6);
    old
      .prepare(
        `INSERT INTO accounts (id, username, username_norm, email, email_norm, origin, password_hash, created_at, updated_at)
         VALUES ('acc-1', 'Old.User', 'old.user', NULL, NULL, 'registered', '$2b$10$x', 1000, 1000)`,
      )
      .run();
    const artifact = old.prepare('INSERT INTO oidc_artifacts (model, id, payload, expires_at) VALUES (?, ?, ?, ?)');
    artifact.run('Session', 's1', JSON.stringify({ accountId: 'acc-1', uid: 'u1' }), Date.now() + 60_000);
    artifact.run('Grant', 'g1', JSON.stringify({ accountId: 'acc-1' }), Date.now() + 60_000);
    artifact.run('Grant', 'g2', JSON.stringify({ accountId: 42 }), Date.now() + 60_000);
    artifact.run('Interaction', 'i1', JSON.stringify({ uid: 'u2' }), Date.now() + 60_000);
    old.close();

    const store = openEmbeddedStore(path);
    try {
      assert.deepEqual(await store.accounts.countByOrigin(), { migrated: 0, registered: 1, imported: 0 });
      assert.equal((await store.accounts.search({})).total, 1, 'the counts start from the accounts there');
      const account = await store.accounts.findById('acc-1');
      assert.equal(account && 'disabled' in account, false);
      assert.deepEqual(
        (await store.accounts.search({ text: 'OLD.' })).accounts.map((a) => a.id),
        ['acc-1'],
      );
      assert.deepEqual(await store.artifacts.findByAccount('Grant', 'acc-1'), [{ accountId: 'acc-1' }]);
      await store.artifacts.revokeByAccount('acc-1');
      assert.equal(await store.artifacts.find('Session', 's1'), undefined);
      assert.deepEqual(await store.artifacts.find('Grant', 'g2'), { accountId: 42 }, 'not an account id: kept');
      assert.ok(await store.artifacts.find('Interaction', 'i1'));
    } finally {
      await store.close();
    }
  });
});

describe('embedded store: schema migration 9 on a file written by version 8', () => {
  it('starts the factor counts from the factors there, then keeps them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jit-idp-migrate-')), 'idp.sqlite');
    const old = new Database(path);
    migrateSchema(old, 8);
    const factor = old.prepare(
      `INSERT INTO factors (id, account_id, kind, data, mark, created_at) VALUES (?, ?, ?, '{}', ?, 1000)`,
    );
    factor.run('f1', 'a', 'totp', 7);
    factor.run('f2', 'a', 'recovery-code', 0);
    factor.run('f3', 'a', 'recovery-code', 0);
    factor.run('f4', 'b', 'recovery-code', 1); // used: b does not count for recovery codes
    factor.run('f5', 'b', 'totp', 0);
    old.close();

    const store = openEmbeddedStore(path);
    try {
      assert.deepEqual(await store.factors.countAccountsByKind(), { totp: 2, 'recovery-code': 1, passkey: 0 });
      assert.equal(await store.factors.advance('f2', 1, new Date()), true);
      assert.deepEqual(
        await store.factors.countAccountsByKind(),
        { totp: 2, 'recovery-code': 1, passkey: 0 },
        'f3 left',
      );
      assert.equal(await store.factors.advance('f3', 1, new Date()), true);
      assert.deepEqual(await store.factors.countAccountsByKind(), { totp: 2, 'recovery-code': 0, passkey: 0 });
      assert.equal(await store.factors.remove('b'), 2);
      assert.deepEqual(await store.factors.countAccountsByKind(), { totp: 1, 'recovery-code': 0, passkey: 0 });
    } finally {
      await store.close();
    }
  });
});
