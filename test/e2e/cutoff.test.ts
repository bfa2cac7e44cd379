import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, signIn } from '../support/oidc-flow.js';

describe('the cut-off: switching the legacy system off', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
    await t.idp.cutOffAwareLegacy.set(true, 'admin-1');
    t.legacy.resetCalls();
  });
  after(() => t.close());

  it('records who cut off and when, for every process on the store', async () => {
    const state = await t.idp.cutOffAwareLegacy.state();
    assert.equal(state.cutOff, true);
    assert.equal(state.by, 'admin-1');
    await t.restart();
    assert.equal((await t.idp.cutOffAwareLegacy.state()).cutOff, true, 'a new process reads it from the store');
  });

  it('answers a legacy user who never migrated as a plain wrong username or password, without a legacy call', async () => {
    const attempt = await signIn(t.issuer, 'carol', 'higher further faster');
    assert.equal(attempt.status, 401);
    assert.equal(alertText(attempt.page), 'Wrong username or password.');
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303, 'migrated users are unaffected');
    assert.deepEqual(t.legacy.calls, { authenticate: 0, findUser: 0, list: 0 });
  });

  it('checks only the local store at sign-up', async () => {
    const start = await beginAuthorization(t.issuer);
    const response = await start.agent.request(`${start.interactionUrl}/register`, {
      form: { username: 'bob', email: 'new-bob@example.org', password: 'a fresh password' },
    });
    assert.equal(response.status, 303, 'the legacy name is free now');
    assert.deepEqual(t.legacy.calls, { authenticate: 0, findUser: 0, list: 0 });
  });

  it('can be undone, and calls the legacy system again', async () => {
    await t.idp.cutOffAwareLegacy.set(false, 'admin-1');
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 303);
    assert.equal(t.legacy.calls.authenticate, 1);
  });
});

describe('the cut-off fixed by configuration', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { migration: { cutOff: true } } });
  });
  after(() => t.close());

  it('never calls the legacy system and cannot be undone from the console', async () => {
    assert.deepEqual(await t.idp.cutOffAwareLegacy.state(), { cutOff: true, byConfiguration: true });
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 401);
    assert.equal(t.legacy.calls.authenticate, 0);
    await assert.rejects(t.idp.cutOffAwareLegacy.set(false, 'admin-1'), /fixed by the configuration/);
  });
});
