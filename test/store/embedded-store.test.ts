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
