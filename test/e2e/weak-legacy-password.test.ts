import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { alertText, unlabelledInputs } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, finishAuthorization, signIn } from '../support/oidc-flow.js';

const weakUser = (n: number): LegacyUserRecord => ({
  // Among the common passwords the policy refuses for new passwords.
  password: 'password1',
  profile: { uid: `W-${n}`, user_name: `weak${n}`, mail: `weak${n}@example.com`, first: 'Weak', last: 'Password' },
});
const strongUser: LegacyUserRecord = {
  password: 'correct horse battery staple',
  profile: { uid: 'S-1', user_name: 'strong', mail: 'strong@example.com', first: 'Strong', last: 'Password' },
};

describe('a weak legacy password at migration', () => {
  describe('with passwords.requireChangeOfWeakLegacyPasswords', () => {
    let t: TestIdp;
    before(async () => {
      t = await startTestIdp({
        users: [weakUser(1), weakUser(2), strongUser],
        config: { passwords: { requireChangeOfWeakLegacyPasswords: true } },
      });
    });
    after(() => t.close());

    it('migrates the user, then asks for a new password before issuing tokens', async () => {
      const start = await beginAuthorization(t.issuer);
      const posted = await start.agent.request(`${start.interactionUrl}/login`, {
        form: { login: 'weak1', password: 'password1' },
      });
      assert.equal(posted.status, 200);
      const page = await posted.text();
      assert.match(page, /Choose a new password/);
      assert.deepEqual(unlabelledInputs(page), []);
      // Not locked out: the account exists already, with the legacy password re-hashed.
      const account = await t.idp.store.accounts.findByLogin('weak1');
      assert.ok(account);

      const mismatch = await start.agent.request(`${start.interactionUrl}/password`, {
        form: { password: 'a much better passphrase', confirm: 'something else entirely' },
      });
      assert.equal(mismatch.status, 400);
      assert.match(alertText(await mismatch.text()), /not the same/);

      const common = await start.agent.request(`${start.interactionUrl}/password`, {
        form: { password: 'iloveyou', confirm: 'iloveyou' },
      });
      assert.equal(common.status, 400);
      const commonPage = await common.text();
      assert.match(alertText(commonPage), /common/);
      assert.doesNotMatch(commonPage, /iloveyou/);

      const changed = await start.agent.request(`${start.interactionUrl}/password`, {
        form: { password: 'a much better passphrase', confirm: 'a much better passphrase' },
      });
      assert.equal(changed.status, 303);
      const landed = await start.agent.follow(changed, t.issuer);
      const tokens = await finishAuthorization(start, landed.url);
      assert.equal(tokens.claims()?.sub, account.id);

      t.legacy.resetCalls();
      assert.equal((await signIn(t.issuer, 'weak1', 'password1')).status, 401);
      assert.ok((await signIn(t.issuer, 'weak1', 'a much better passphrase')).tokens);
      assert.equal(t.legacy.calls.authenticate, 0);
      const events = await t.idp.store.events.list({ type: 'password_changed' });
      assert.deepEqual(
        events.map((e) => e.type === 'password_changed' && e.accountId),
        [account.id],
      );
    });

    it('lets a user who walks away sign in with the legacy password and asks again', async () => {
      const first = await signIn(t.issuer, 'weak2', 'password1');
      assert.equal(first.status, 200);
      assert.match(first.page, /Choose a new password/);
      const again = await signIn(t.issuer, 'weak2', 'password1');
      assert.equal(again.status, 200);
      assert.match(again.page, /Choose a new password/);
    });

    it('lets a strong legacy password straight through', async () => {
      assert.ok((await signIn(t.issuer, 'strong', 'correct horse battery staple')).tokens);
    });

    it('refuses a password change nobody was asked for', async () => {
      const before = await t.idp.store.accounts.findByLogin('strong');
      const start = await beginAuthorization(t.issuer);
      const response = await start.agent.request(`${start.interactionUrl}/password`, {
        form: { password: 'a much better passphrase', confirm: 'a much better passphrase' },
      });
      assert.equal(response.status, 400);
      assert.deepEqual((await t.idp.store.accounts.findByLogin('strong'))?.password, before?.password);
    });
  });

  describe('without the setting (the default)', () => {
    let t: TestIdp;
    before(async () => {
      t = await startTestIdp({ users: [weakUser(1)] });
    });
    after(() => t.close());

    it('signs the user straight in', async () => {
      assert.ok((await signIn(t.issuer, 'weak1', 'password1')).tokens);
    });
  });
});
