import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { beginAuthorization, finishAuthorization, signIn } from '../support/oidc-flow.js';

/**
 * The embedded store made unavailable for real: another connection takes SQLite's write lock and keeps it, as a
 * stuck process or a long backup would. Reads still work (WAL), so a sign-in gets as far as its first write.
 * (MongoDB's equivalent, a lost primary, needs a replica set to break; its errors are classified in
 * test/store/store-unavailable.test.ts.)
 */
describe('the store unavailable in the middle of a sign-in (embedded, write lock held elsewhere)', () => {
  let t: TestIdp;
  let blocker: Database.Database;
  before(async () => {
    t = await startTestIdp({ config: { store: { sqliteBusyTimeoutMs: 300 } } });
    assert.ok(t.sqlitePath);
    blocker = new Database(t.sqlitePath);
  });
  after(async () => {
    if (blocker.inTransaction) blocker.exec('ROLLBACK');
    blocker.close();
    await t.close();
  });

  /** What the IdP told its operators: warnings that the store was unavailable, with the call and SQLite's code. */
  const storeWarnings = () =>
    t.logs
      .map((line) => JSON.parse(line) as { level: number; msg: string; operation?: string; err?: { message?: string } })
      .filter((entry) => entry.level === 40 && entry.msg === 'store unavailable');

  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    blocker.exec('BEGIN IMMEDIATE');
    try {
      return await fn();
    } finally {
      blocker.exec('ROLLBACK');
    }
  };

  it('answers a first sign-in 503 after the legacy system said yes, writes nothing, and migrates on the retry', async () => {
    const start = await beginAuthorization(t.issuer);
    t.logs.length = 0;
    // The lock is taken while the legacy system is being asked: after the sign-in's lease, before its insert.
    t.legacy.delayMs = 400;
    const pending = start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'carol', password: 'higher further faster' },
    });
    const leases = blocker.prepare<[], { n: number }>('SELECT count(*) AS n FROM leases');
    await eventually(() => (leases.get()?.n ?? 0) > 0, { intervalMs: 5, what: 'the sign-in to take its lease' });
    const refused = await locked(() => pending);
    t.legacy.delayMs = 0;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(alertText(await refused.text()), /temporarily unavailable/i);
    assert.equal(t.legacy.calls.authenticate, 1);
    assert.equal(await t.idp.store.accounts.findByLogin('carol'), undefined);
    assert.equal((await t.idp.store.events.list({ type: 'migrated' })).length, 0);
    const warnings = storeWarnings();
    // The lease could not be given back either: it is offered again in the background, so the retry goes through.
    assert.deepEqual(
      warnings.map((entry) => entry.operation),
      ['accounts.insert', 'leases.release'],
    );
    assert.match(warnings[0]?.err?.message ?? '', /SQLITE_BUSY|database is locked/);

    const retried = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'carol', password: 'higher further faster' },
    });
    assert.equal(retried.status, 303);
    const tokens = await finishAuthorization(start, (await start.agent.follow(retried, t.issuer)).url);
    const account = await t.idp.store.accounts.findByLogin('carol');
    assert.equal(tokens.claims()?.sub, account?.id);
    assert.equal((await t.idp.store.events.list({ type: 'migrated' })).length, 1);
  });

  it('refuses a token exchange with temporarily_unavailable and keeps the code usable', async () => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'carol', password: 'higher further faster' },
    });
    const callback = (await start.agent.follow(posted, t.issuer)).url;

    // openid-client gives up on a 503 without reading it (only 4xx carry OAuth errors for it); read it here.
    t.logs.length = 0;
    const refused = await locked(() => finishAuthorization(start, callback).catch((error: unknown) => error));
    assert.ok(refused instanceof Error && refused.cause instanceof Response);
    assert.equal(refused.cause.status, 503);
    assert.deepEqual(await refused.cause.json(), {
      error: 'temporarily_unavailable',
      error_description: 'The service is temporarily unavailable. Please try again in a moment.',
    });
    assert.deepEqual(
      storeWarnings().map((entry) => entry.operation),
      ['artifacts.consume'],
    );

    const tokens = await finishAuthorization(start, callback);
    assert.ok(tokens.access_token);
  });

  it('keeps the readiness probe honest and serves again at once when the lock goes', async () => {
    await locked(async () => {
      // Reads still work under WAL: the IdP is up and says so; only writes wait.
      assert.equal((await fetch(`${t.issuer}/readyz`)).status, 200);
    });
    assert.ok((await signIn(t.issuer, 'carol', 'higher further faster')).tokens);
  });
});
