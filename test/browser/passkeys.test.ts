/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import {
  addVirtualAuthenticator,
  browserSkip,
  launchChromium,
  screenshot,
  signInOnHostedPage,
  withoutPasskeyAutofill,
} from '../support/browser.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';

/**
 * Passkeys in a real browser (Debian's chromium, JavaScript on) with Chromium's virtual authenticator, driven
 * through the DevTools protocol: a platform authenticator that keeps discoverable credentials and verifies its user
 * without asking. The demo stack's issuer is http://localhost:<port>: WebAuthn refuses IP addresses.
 */

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  userHandle?: string;
  privateKey: string;
  signCount: number;
}

describe('passkeys in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  let bobId = '';

  before(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // The autofill test has a context of its own.
    await withoutPasskeyAutofill(context);
    page = await context.newPage();
    ({ cdp, authenticatorId } = await addVirtualAuthenticator(page));
  });
  after(async () => {
    await browser.close();
    await stack.close();
  });

  const credentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[];
  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const claims = async () =>
    JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as { sub?: string; amr?: string[] };
  const passkeyButton = () => page.getByRole('button', { name: 'Use a passkey' });
  const events = (type: 'factor_failed' | 'factor_used' | 'factor_enrolled') =>
    stack.idp.store.events.list({ type, accountId: bobId });

  it('adds a passkey on the security page, kept by the authenticator for localhost', async () => {
    await page.goto(`${stack.issuer}/account/security`);
    await signInOnHostedPage(page, 'bob', 'can-we-fix-it');
    // Bob has just migrated and has no passkey: he is offered one (test/browser/passkey-offer.test.ts); not now.
    await page.getByRole('heading', { level: 1, name: 'Add a passkey' }).waitFor();
    await page.getByRole('button', { name: 'Not now' }).click();
    await page.waitForURL(`${stack.issuer}/account/security`);
    assert.equal(await heading(), 'Sign-in security');
    assert.equal(await page.locator('[data-passkey-fallback]').isVisible(), false, 'the no-JavaScript note is hidden');
    await page.getByLabel('Name for the passkey (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.locator('#notice').waitFor();
    assert.match((await page.locator('#notice').textContent()) ?? '', /Your passkey is added/);
    assert.match((await page.locator('#passkeys').textContent()) ?? '', /Test laptop/);
    await screenshot(page, 'passkey-added');

    const [credential, ...others] = await credentials();
    assert.equal(others.length, 0);
    assert.ok(credential?.isResidentCredential, 'a discoverable credential');
    assert.equal(credential.rpId, 'localhost');
    bobId = Buffer.from(credential.userHandle ?? '', 'base64').toString('utf8');
    const account = await stack.idp.store.accounts.findById(bobId);
    assert.equal(account?.username, 'bob', 'the user handle is the account id');
    assert.equal((await events('factor_enrolled')).filter((e) => 'factor' in e && e.factor === 'passkey').length, 1);
  });

  it('signs in to the demo app with the passkey alone, and the ID token says so in amr', async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await heading(), 'Sign in');
    await screenshot(page, 'passkey-sign-in');
    await passkeyButton().click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    const token = await claims();
    assert.equal(token.sub, bobId);
    assert.deepEqual(token.amr, ['hwk', 'user', 'mfa']);
    await screenshot(page, 'passkey-signed-in');

    const [credential] = await credentials();
    const factor = (await stack.idp.store.factors.listByAccount(bobId)).find((f) => f.kind === 'passkey');
    assert.ok(factor?.lastUsedAt, 'the use is noted');
    assert.equal(factor.mark, credential?.signCount, "the stored counter is the authenticator's");
    assert.equal((await events('factor_used')).filter((e) => 'factor' in e && e.factor === 'passkey').length, 1);
  });

  it('refuses an answer signed for another origin (the demo app, same RP ID) on the sign-in page', async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    const signInUrl = page.url();
    // The IdP's options, asked for as the page's script would.
    const options = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-passkey]');
      const csrf = form?.querySelector<HTMLInputElement>('input[name="csrf"]')?.value ?? '';
      const answer = await fetch(form?.dataset.optionsUrl ?? '', {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      return (await answer.json()) as PublicKeyCredentialRequestOptionsJSON;
    });
    // The same challenge answered by the authenticator on a page of http://localhost:<another port>: the RP ID
    // fits (ports do not count), the origin in the signed client data is the other one.
    await page.goto(stack.demo.appUrl);
    // (No helper functions inside: the test runner's transpiler would name them with a helper the page lacks.)
    const response = await page.evaluate(async (json) => {
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json);
      const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
      return JSON.stringify(credential.toJSON());
    }, options);
    const signed = JSON.parse(response) as { response: { clientDataJSON: string } };
    const clientData = JSON.parse(Buffer.from(signed.response.clientDataJSON, 'base64url').toString()) as {
      origin: string;
    };
    assert.equal(clientData.origin, stack.demo.appUrl);
    assert.notEqual(clientData.origin, stack.issuer);
    await page.goto(signInUrl);
    await page.evaluate((answer) => {
      const form = document.querySelector<HTMLFormElement>('form[data-passkey]');
      const field = form?.querySelector<HTMLInputElement>('input[name="response"]');
      if (!form || !field) throw new Error('no passkey form');
      field.value = answer;
      form.submit();
    }, response);
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /That passkey did not sign you in/);
    const [failed] = await events('factor_failed');
    assert.equal(failed?.type === 'factor_failed' ? failed.reason : '', 'passkey_rejected');
    // The password form is still there, and the passkey works from the right page.
    await passkeyButton().click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.deepEqual((await claims()).amr, ['hwk', 'user', 'mfa']);
  });

  it("gives options only to the page's own form (its CSRF token), not another page's", async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    const answers = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-passkey]');
      const url = form?.dataset.optionsUrl ?? '';
      const csrf = form?.querySelector<HTMLInputElement>('input[name="csrf"]')?.value ?? '';
      // (Inline: see above about helper functions.)
      const [forged, real, account] = await Promise.all([
        fetch(url, { method: 'POST', body: new URLSearchParams({ csrf: 'forged' }) }),
        fetch(url, { method: 'POST', body: new URLSearchParams({ csrf }) }),
        fetch('/account/security/passkeys/options', { method: 'POST', body: new URLSearchParams({ csrf }) }),
      ]);
      return { forged: forged.status, real: real.status, options: await real.text(), account: account.status };
    });
    assert.equal(answers.forged, 403);
    assert.equal(answers.real, 200);
    const options = JSON.parse(answers.options) as { rpId?: string; allowCredentials?: unknown[] };
    assert.equal(options.rpId, 'localhost');
    assert.equal(options.allowCredentials, undefined, 'usernameless: the page does not learn whose passkeys exist');
    // The sign-in page's token is bound to its interaction: the account page's endpoint does not take it.
    assert.equal(answers.account, 403);
  });

  it('says so when the user cancels, and signs nobody in', async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    try {
      await passkeyButton().click();
      await page.locator('[data-passkey-status]').filter({ hasText: /\S/ }).waitFor();
      assert.match((await page.locator('[data-passkey-status]').textContent()) ?? '', /No passkey was used|did not/);
      assert.match(page.url(), /\/interaction\//);
    } finally {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    }
  });

  it('asks for the passkey after the password, as the second step, and the ID token says pwd and mfa', async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    await signInOnHostedPage(page, 'bob', 'can-we-fix-it');
    await page.getByRole('heading', { level: 1, name: 'Two-step verification' }).waitFor();
    assert.equal(await page.getByLabel('Code').count(), 0, 'no code to type: bob has only a passkey');
    assert.equal(await page.locator('[data-passkey-fallback]').isVisible(), false, 'the no-JavaScript note is hidden');
    const options = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-passkey]');
      const csrf = form?.querySelector<HTMLInputElement>('input[name="csrf"]')?.value ?? '';
      const answer = await fetch(form?.dataset.optionsUrl ?? '', {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      return (await answer.json()) as { allowCredentials?: { id: string }[] };
    });
    const [credential] = await credentials();
    assert.deepEqual(
      options.allowCredentials?.map((c) => c.id),
      [Buffer.from(credential?.credentialId ?? '', 'base64').toString('base64url')],
      "only bob's passkeys are offered",
    );
    await screenshot(page, 'passkey-second-step');
    await passkeyButton().click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    const token = await claims();
    assert.equal(token.sub, bobId);
    assert.deepEqual(token.amr, ['pwd', 'hwk', 'mfa']);
  });

  it('without JavaScript, the second step says a passkey needs it', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const noScript = await plain.newPage();
      await noScript.goto(stack.demo.appUrl);
      await noScript.getByRole('link', { name: 'Sign in' }).click();
      await noScript.waitForURL(/\/interaction\//);
      await signInOnHostedPage(noScript, 'bob', 'can-we-fix-it');
      await noScript.getByRole('heading', { level: 1, name: 'Two-step verification' }).waitFor();
      assert.equal(await noScript.getByRole('button', { name: 'Use a passkey' }).count(), 0);
      assert.ok(await noScript.locator('[data-passkey-fallback]').isVisible(), 'the page says what a passkey needs');
    } finally {
      await plain.close();
    }
  });

  it("offers the passkey in the username field's autofill, and picking it signs in with no button", async () => {
    // A second browser profile whose authenticator holds the same passkey (as a synced one would), with autofill.
    const own = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const autofillPage = await own.newPage();
      const other = await addVirtualAuthenticator(autofillPage);
      const copy = async (from: typeof other, to: typeof other) => {
        const [credential] = (await from.cdp.send('WebAuthn.getCredentials', { authenticatorId: from.authenticatorId }))
          .credentials as VirtualCredential[];
        assert.ok(credential);
        await to.cdp.send('WebAuthn.clearCredentials', { authenticatorId: to.authenticatorId });
        await to.cdp.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential });
      };
      await copy({ cdp, authenticatorId }, other);

      await autofillPage.goto(stack.demo.appUrl);
      await autofillPage.getByRole('link', { name: 'Sign in' }).click();
      // The virtual authenticator stands in for the user's pick from the autofill list: the page goes on by itself.
      await autofillPage.waitForURL(`${stack.demo.appUrl}/`);
      const token = JSON.parse((await autofillPage.locator('#claims').textContent()) ?? '{}') as {
        sub?: string;
        amr?: string[];
      };
      assert.equal(token.sub, bobId);
      assert.deepEqual(token.amr, ['hwk', 'user', 'mfa']);
      // Its signature counter moved on: the first profile's authenticator takes the copy back, or its next use
      // would be refused as a clone.
      await copy(other, { cdp, authenticatorId });
    } finally {
      await own.close();
    }
  });

  it('marks the username field for autofill of passkeys (autocomplete "username webauthn")', async () => {
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.getByLabel('Username or email').getAttribute('autocomplete'), 'username webauthn');
  });

  it('removes the passkey: it no longer signs in', async () => {
    await context.clearCookies();
    await page.goto(`${stack.issuer}/account/security`);
    await signInOnHostedPage(page, 'bob', 'can-we-fix-it');
    // Bob has a passkey: it is the second step after his password.
    await passkeyButton().click();
    await page.waitForURL((url) => !url.pathname.startsWith('/interaction'));
    await page.goto(`${stack.issuer}/account/security`);
    await page.getByRole('button', { name: 'Remove the passkey Test laptop' }).click();
    assert.match((await page.locator('#notice').textContent()) ?? '', /The passkey is removed/);
    assert.equal(await page.locator('#passkeys').count(), 0);

    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    await passkeyButton().click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /That passkey did not sign you in/);
  });

  it('shows no passkey button without JavaScript: the password form is the way in', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const noScript = await plain.newPage();
      await noScript.goto(stack.demo.appUrl);
      await noScript.getByRole('link', { name: 'Sign in' }).click();
      await noScript.waitForURL(/\/interaction\//);
      assert.equal(await noScript.getByRole('button', { name: 'Use a passkey' }).count(), 0);
      await signInOnHostedPage(noScript, 'bob', 'can-we-fix-it');
      await noScript.waitForURL(`${stack.demo.appUrl}/`);
      await noScript.goto(`${stack.issuer}/account/security`);
      assert.equal(await noScript.getByRole('button', { name: 'Add a passkey' }).count(), 0);
      assert.ok(await noScript.locator('[data-passkey-fallback]').isVisible(), 'the page says what adding one needs');
    } finally {
      await plain.close();
    }
  });
});
