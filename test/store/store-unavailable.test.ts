import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { isSqliteUnavailable } from '../../src/store/embedded/unavailable.js';
import { isMongoUnavailable } from '../../src/store/mongo/unavailable.js';
import { guardStore, StoreUnavailableError } from '../../src/store/store-unavailable.js';

const caught = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('store unavailability', () => {
  it('knows SQLite’s busy lock and closed connection from a constraint violation', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jit-idp-unavail-')), 'x.sqlite');
    const a = new Database(path);
    const b = new Database(path, { timeout: 0 });
    a.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    a.exec('BEGIN IMMEDIATE');
    assert.equal(isSqliteUnavailable(caught(() => b.exec('INSERT INTO t VALUES (1)'))), true);
    a.exec('ROLLBACK');
    b.exec('INSERT INTO t VALUES (1)');
    assert.equal(isSqliteUnavailable(caught(() => b.exec('INSERT INTO t VALUES (1)'))), false);
    b.close();
    assert.equal(isSqliteUnavailable(caught(() => b.prepare('SELECT 1'))), true);
    a.close();
  });

  it('knows MongoDB’s lost primary and network errors from a duplicate key (classes only: no server here)', () => {
    assert.equal(isMongoUnavailable(new MongoNetworkError('connection reset')), true);
    assert.equal(isMongoUnavailable(new MongoServerError({ code: 189, errmsg: 'PrimarySteppedDown' })), true);
    assert.equal(isMongoUnavailable(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' })), false);
    assert.equal(isMongoUnavailable(new MongoServerSelectionError('no primary', { type: 'Unknown' } as never)), true);
    assert.equal(isMongoUnavailable(new Error('bug')), false);
  });

  it('turns a guarded store’s unavailability into StoreUnavailableError and leaves other errors alone', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jit-idp-unavail-')), 'idp.sqlite');
    const reported: [StoreUnavailableError, string][] = [];
    const store = guardStore(openEmbeddedStore(path, 0), isSqliteUnavailable, (...report) => reported.push(report));
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const error = await store.events.append({ type: 'registered', accountId: 'a' }).catch((e: unknown) => e);
      assert.ok(error instanceof StoreUnavailableError);
      assert.equal(error.statusCode, 503);
      assert.equal((await store.events.list()).length, 0, 'reads go on');
      assert.deepEqual(reported, [[error, 'events.append']]);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await store.events.append({ type: 'registered', accountId: 'a' });
    await assert.rejects(
      store.settings.set('x', Symbol('not storable')),
      (error) => !(error instanceof StoreUnavailableError),
    );
    assert.equal(reported.length, 1, 'only unavailability is reported');
    await store.close();
  });
});
