import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normaliseLogin } from '../../src/accounts/account.js';
import { migrationStats } from '../../src/admin/stats.js';
import { alertText, unlabelledInputs } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, finishAuthorization, signIn } from '../support/oidc-flow.js';

/**
 * Legacy logins that clash once folded (case, a shared email) and a record whose hash cannot be judged, driven
 * through the hosted pages: nobody is stranded, nobody is merged, and nothing tells a stranger a login exists.
 */

const MODULE = fileURLToPath(new URL('../fixtures/clashing-legacy-module.ts', import.meta.url));

describe('legacy logins that clash here, and records that cannot be judged', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      legacy: { kind: 'module', source: 'clashing', path: MODULE },
      config: { migration: { mapping: { legacyId: 'uid', username: 'user_name', email: 'mail' } } },
    });
  });
  after(() => t.close());

  const eventsOf = async (type: 'migration_conflict' | 'migration_failed' | 'migrated') =>
    t.idp.store.events.list({ type });

  /** Signs in, lands on the choose-logins step, submits `chosen`, and follows through to the tokens if any. */
  async function signInChoosing(login: string, password: string, chosen: Record<string, string>) {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, { form: { login, password } });
    const asked = await posted.text();
    const submitted = await start.agent.request(`${start.interactionUrl}/logins`, { form: chosen });
    if (submitted.status !== 303) {
      return { askedStatus: posted.status, asked, status: submitted.status, page: await submitted.text() };
    }
    const next = await start.agent.follow(submitted, t.issuer);
    const tokens = await finishAuthorization(start, next.url);
    return { askedStatus: posted.status, asked, status: 303, page: '', tokens };
  }

  it('asks the second of two logins that differ only in case for a new username, then signs her in', async () => {
    const upper = await signIn(t.issuer, 'Alice', 'alice-upper-pw');
    assert.equal(upper.status, 303);

    const lower = await signInChoosing('alice', 'alice-lower-pw', { username: 'alice.lower' });
    assert.equal(lower.askedStatus, 200, 'the password was confirmed: a question, not a refusal');
    assert.match(lower.asked, /Another account here already uses the username <strong>alice<\/strong>/);
    assert.deepEqual(unlabelledInputs(lower.asked), []);
    assert.equal(lower.status, 303);
    const account = await t.idp.store.accounts.findByLegacyId('clashing', 'C-2');
    assert.equal(account?.username, 'alice.lower');
    assert.equal(account.email, 'alice.lower@example.com');
    assert.equal(lower.tokens?.claims()?.sub, account.id);

    const [conflict] = await eventsOf('migration_conflict');
    assert.deepEqual(conflict?.type === 'migration_conflict' && [conflict.legacy, conflict.fields], [
      { source: 'clashing', id: 'C-2' },
      ['username'],
    ]);
    const migrated = (await eventsOf('migrated')).find((e) => e.type === 'migrated' && e.legacy.id === 'C-2');
    assert.deepEqual(migrated?.type === 'migrated' && migrated.chosen, ['username']);
    // The first Alice's account is untouched.
    const first = await t.idp.store.accounts.findByLegacyId('clashing', 'C-1');
    assert.equal(first?.username, 'Alice');
  });

  it('signs both in afterwards by the login each one knows, each to their own account', async () => {
    const upper = await signIn(t.issuer, 'Alice', 'alice-upper-pw');
    const lower = await signIn(t.issuer, 'alice', 'alice-lower-pw');
    const byNewName = await signIn(t.issuer, 'alice.lower', 'alice-lower-pw');
    const first = await t.idp.store.accounts.findByLegacyId('clashing', 'C-1');
    const second = await t.idp.store.accounts.findByLegacyId('clashing', 'C-2');
    assert.equal(upper.tokens?.claims()?.sub, first?.id);
    assert.equal(lower.tokens?.claims()?.sub, second?.id);
    assert.equal(byNewName.tokens?.claims()?.sub, second?.id);
    // A wrong password stays a plain refusal, whoever it was meant for.
    assert.equal((await signIn(t.issuer, 'alice', 'neither-of-them')).status, 401);
    assert.equal((await signIn(t.issuer, 'Alice', 'alice-lower-pw')).status, 401);
  });

  it('does not copy an email another account holds: the user gives one, unverified', async () => {
    assert.equal((await signIn(t.issuer, 'carla', 'carla-pw-123')).status, 303);
    const dora = await signInChoosing('dora', 'dora-pw-123', { email: 'dora@example.com' });
    assert.match(dora.asked, /Another account here already uses the email address <strong>team@example.com<\/strong>/);
    assert.doesNotMatch(dora.asked, /name="username"/, 'only the taken login is asked for');
    assert.equal(dora.status, 303);
    const account = await t.idp.store.accounts.findByLegacyId('clashing', 'C-4');
    assert.deepEqual([account?.username, account?.email, account?.emailVerified], ['dora', 'dora@example.com', false]);
    const carla = await t.idp.store.accounts.findByLegacyId('clashing', 'C-3');
    assert.equal(carla?.email, 'team@example.com');
  });

  it('refuses a chosen name taken here or by another legacy user, or invalid, and keeps asking', async () => {
    assert.equal((await signIn(t.issuer, 'Bob', 'bob-upper-pw')).status, 303);
    const start = await beginAuthorization(t.issuer);
    const asked = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'bob', password: 'bob-lower-pw' },
    });
    assert.equal(asked.status, 200);
    const choose = (username: string) => start.agent.request(`${start.interactionUrl}/logins`, { form: { username } });

    const inLegacy = await choose('erik');
    assert.equal(inLegacy.status, 409, 'erik is a legacy user who has not moved yet: his name is not free');
    assert.match(await inLegacy.text(), /is already used by another account/);
    assert.equal((await choose('CARLA')).status, 409, 'carla is here, in any case');
    assert.equal((await choose('with@sign')).status, 400);
    assert.equal(await t.idp.store.accounts.findByLegacyId('clashing', 'C-8'), undefined, 'nothing stored yet');

    const chosen = await choose('bob.two');
    assert.equal(chosen.status, 303);
    const tokens = await finishAuthorization(start, (await start.agent.follow(chosen, t.issuer)).url);
    const account = await t.idp.store.accounts.findByLegacyId('clashing', 'C-8');
    assert.equal(account?.username, 'bob.two');
    assert.equal(tokens.claims()?.sub, account.id);
    // The step is single use: the same form again finds nothing waiting.
    assert.notEqual((await choose('bob.three')).status, 303);
    assert.equal(await t.idp.store.accounts.findByLogin('bob.three'), undefined);
  });

  it('answers an unjudgeable legacy record exactly like a wrong password, and tells the operator which one', async () => {
    const refused = await signIn(t.issuer, 'olga', 'nobody-knows');
    const wrong = await signIn(t.issuer, 'nobody-at-all', 'whatever-pw');
    assert.equal(refused.status, 401);
    assert.equal(alertText(refused.page), alertText(wrong.page));
    assert.equal(await t.idp.store.accounts.findByLogin(normaliseLogin('olga')), undefined);
    const failure = (await eventsOf('migration_failed')).find(
      (e) => e.type === 'migration_failed' && e.reason === 'unsupported_hash',
    );
    assert.ok(failure?.type === 'migration_failed');
    assert.deepEqual(failure.legacy, { source: 'clashing', id: 'C-6' });
    assert.equal(failure.cause, 'DES crypt is not supported');
    assert.equal(failure.login, undefined, 'nothing confirmed the login');
  });

  it('shows the operator both on the dashboard: the clashes users resolved, the hashes nobody could judge', async () => {
    const stats = await migrationStats(t.idp.store, t.idp.legacy, t.idp.cutOffAwareLegacy);
    assert.equal(stats.conflicts, 3, 'alice, dora and bob each chose anew');
    assert.deepEqual(
      stats.failuresByReason.find((row) => row.reason === 'unsupported_hash'),
      { reason: 'unsupported_hash', count: 1, fields: {} },
    );
  });
});
