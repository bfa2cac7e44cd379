import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn, UserAgent } from '../support/oidc-flow.js';

/** The user's own account page (/account/security): a new password, behind a recent sign-in. */
describe("a user's own account page", () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());

  const go = async (agent: UserAgent, url: string, form?: Record<string, string>) => {
    const { response, url: at } = await agent.browse(url, form);
    return { url: at, text: await response.text() };
  };

  it('changes the password after a recent sign-in: the new one signs in, the old one no longer does', async () => {
    const agent = new UserAgent();
    const signInPage = await go(agent, `${t.issuer}/account/security`);
    assert.match(signInPage.url, /\/interaction\//);
    const security = await go(agent, `${signInPage.url}/login`, { login: 'alice', password: 'wonderland' });
    assert.match(security.text, /Sign-in security/);

    const mismatch = await go(agent, `${t.issuer}/account/security/password`, {
      password: 'a brand new passphrase',
      confirm: 'another passphrase',
    });
    assert.match(mismatch.text, /The two passwords are not the same/);
    const weak = await go(agent, `${t.issuer}/account/security/password`, {
      password: 'password',
      confirm: 'password',
    });
    assert.match(weak.text, /The new password .*: nothing was changed/);
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303, 'unchanged so far');

    const changed = await go(agent, `${t.issuer}/account/security/password`, {
      password: 'a brand new passphrase',
      confirm: 'a brand new passphrase',
    });
    assert.match(changed.text, /Your password is changed/);
    assert.equal((await signIn(t.issuer, 'alice', 'a brand new passphrase')).status, 303);
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 401);
    const [event] = await t.idp.store.events.list({ type: 'password_changed', limit: 1 });
    assert.equal(event?.type === 'password_changed' && event.reason, 'user');
  });
});
