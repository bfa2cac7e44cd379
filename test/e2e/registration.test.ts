import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../src/accounts/account.js';
import { alertText, unlabelledInputs } from '../support/html.js';
import { BACKENDS, startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, finishAuthorization, signIn } from '../support/oidc-flow.js';

for (const { backend, skip } of BACKENDS) {
  describe(`sign-up on the hosted pages (${backend})`, { skip }, () => {
    let t: TestIdp;
    before(async () => {
      t = await startTestIdp({ backend });
    });
    after(() => t.close());

    const submit = async (form: Record<string, string>) => {
      const start = await beginAuthorization(t.issuer);
      const page = await start.agent.request(`${start.interactionUrl}/register`);
      assert.equal(page.status, 200);
      const response = await start.agent.request(`${start.interactionUrl}/register`, { form });
      return { start, response, html: response.status === 303 ? '' : await response.text() };
    };

    const newUser = (suffix: string) => ({
      username: `new-${suffix}`,
      email: `new-${suffix}@example.org`,
      givenName: 'New',
      familyName: 'Person',
      password: 'a long enough password',
    });

    it('shows a form whose every input is labelled', async () => {
      const start = await beginAuthorization(t.issuer);
      const html = await (await start.agent.request(`${start.interactionUrl}/register`)).text();
      assert.match(html, /<form method="post" action="\/interaction\/[^"]+\/register"/);
      assert.deepEqual(unlabelledInputs(html), []);
      assert.match(html, /First Party App/);
    });

    it('refuses a username that exists locally and tells the user to sign in', async () => {
      assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
      const { response, html } = await submit({ ...newUser('x1'), username: 'ALICE' });
      assert.equal(response.status, 409);
      assert.match(alertText(html), /already exists\. Sign in with your existing password instead/);
    });

    it('refuses an email that exists only in the legacy system, asking the legacy system', async () => {
      t.legacy.resetCalls();
      const { response, html } = await submit({ ...newUser('x2'), email: 'carol@example.com' });
      assert.equal(response.status, 409);
      assert.match(alertText(html), /already exists/);
      assert.ok(t.legacy.calls.findUser >= 1);
      assert.equal(await t.idp.store.accounts.findByLogin(normaliseLogin('new-x2')), undefined);
    });

    it('refuses a legacy username and the same message as for a local one', async () => {
      const legacyName = await submit({ ...newUser('x3'), username: 'Carol' });
      const localName = await submit({ ...newUser('x4'), username: 'alice' });
      assert.equal(legacyName.response.status, 409);
      assert.equal(alertText(legacyName.html), alertText(localName.html));
    });

    it('fails closed with "try again later" when the legacy system cannot be asked', async () => {
      await t.legacy.stop();
      try {
        const { response, html } = await submit(newUser('x5'));
        assert.equal(response.status, 429);
        assert.equal(response.headers.get('retry-after'), '10');
        assert.match(alertText(html), /try again later/);
      } finally {
        await t.legacy.start();
      }
      assert.equal(await t.idp.store.accounts.findByLogin(normaliseLogin('new-x5')), undefined);
    });

    it('explains each invalid field without echoing the password', async () => {
      const { response, html } = await submit({
        username: 'has space',
        email: 'nope',
        password: 'short-pw'.slice(0, 5),
      });
      assert.equal(response.status, 400);
      assert.match(html, /id="username-error"/);
      assert.match(html, /id="email-error"/);
      assert.match(html, /id="password-error"/);
      assert.match(html, /aria-invalid="true"/);
      assert.doesNotMatch(html, /short/);
    });

    it('refuses a common password and the username as password', async () => {
      const common = await submit({ ...newUser('weak1'), password: 'iloveyou' });
      assert.equal(common.response.status, 400);
      assert.match(common.html, /most common passwords/);
      const own = await submit({ ...newUser('weak2'), password: 'new-weak2' });
      assert.equal(own.response.status, 400);
      assert.match(own.html, /The password must not be your username or email\./, 'a whole sentence');
    });

    it('refuses a username mixing scripts, the look-alike of an existing name, and keeps one-script names', async () => {
      assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
      const lookAlike = await submit({ ...newUser('x6'), username: '\u0430lice' }); // Cyrillic а
      assert.equal(lookAlike.response.status, 400);
      assert.match(lookAlike.html, /must not mix letters of different scripts/);
      assert.equal(await t.idp.store.accounts.findByLogin(normaliseLogin('\u0430lice')), undefined);
      const cyrillic = await submit({ ...newUser('x7'), username: 'алиса' });
      assert.equal(cyrillic.response.status, 303);
    });

    it('creates a registered account, signs the user in, and later sign-ins never ask the legacy system', async () => {
      const { start, response } = await submit(newUser('ok'));
      assert.equal(response.status, 303);
      const done = await start.agent.follow(response, t.issuer);
      const tokens = await finishAuthorization(start, done.url);
      const claims = tokens.claims();
      assert.equal(claims?.preferred_username, 'new-ok');
      assert.equal(claims.account_origin, 'registered');
      assert.equal(claims.email_verified, false);

      const account = await t.idp.store.accounts.findByLogin(normaliseLogin('new-ok@example.org'));
      assert.equal(account?.origin, 'registered');
      assert.equal(account.legacy, undefined);

      t.legacy.resetCalls();
      assert.equal((await signIn(t.issuer, 'new-ok', 'a long enough password')).status, 303);
      assert.equal((await signIn(t.issuer, 'new-ok', 'a wrong password')).status, 401);
      assert.equal(t.legacy.calls.authenticate, 0);
    });
  });
}
