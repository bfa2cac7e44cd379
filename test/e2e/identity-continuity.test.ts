import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../src/accounts/account.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

describe('identity continuity: users renamed in the legacy system', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { migration: { followRenames: { username: true, email: true } } } });
  });
  after(() => t.close());

  const accountOf = (login: string) => t.idp.store.accounts.findByLogin(normaliseLogin(login));

  it('signs a renamed user in to the migrated account and lets its username and email follow', async () => {
    const first = await signIn(t.issuer, 'alice', 'wonderland');
    const sub = first.tokens?.claims()?.sub;
    t.legacy.addUser({
      password: 'wonderland',
      profile: {
        uid: 'L-1001',
        user_name: 'alice.liddell',
        mail: 'a.liddell@example.org',
        first: 'Alice',
        last: 'Liddell',
        mail_confirmed: true,
      },
    });
    const renamed = await signIn(t.issuer, 'alice.liddell', 'wonderland');
    assert.equal(renamed.status, 303);
    assert.equal(renamed.tokens?.claims()?.sub, sub);
    assert.equal(renamed.tokens?.claims()?.preferred_username, 'alice.liddell');
    assert.equal(renamed.tokens.claims()?.email, 'a.liddell@example.org');
    assert.equal(await accountOf('alice'), undefined, 'the old name moved, no second account');
    const [event] = await t.idp.store.events.list({ type: 'account_renamed' });
    assert.deepEqual(event?.type === 'account_renamed' && event.fields, ['username', 'email']);

    t.legacy.resetCalls();
    assert.equal((await signIn(t.issuer, 'alice.liddell', 'wonderland')).status, 303);
    assert.equal(t.legacy.calls.authenticate, 0, 'the new name is now local');
  });

  it('keeps the old name when the new one belongs to another account, and never fails on the unique index', async () => {
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 303);
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 303);
    const carol = await accountOf('carol');
    t.legacy.addUser({
      password: 'higher further faster',
      profile: {
        uid: 'L-1003',
        user_name: 'captain.marvel',
        mail: 'bob.builder@example.com',
        first: 'Carol',
        last: 'Danvers',
      },
    });
    const attempt = await signIn(t.issuer, 'captain.marvel', 'higher further faster');
    assert.equal(attempt.status, 303);
    assert.equal(attempt.tokens?.claims()?.sub, carol?.id);
    assert.deepEqual(await t.idp.store.accounts.findById(carol?.id ?? ''), carol, 'unchanged');
    const [event] = await t.idp.store.events.list({ type: 'account_rename_refused' });
    assert.deepEqual(event?.type === 'account_rename_refused' && event.field, 'email');
  });
});
