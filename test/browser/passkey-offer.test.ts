/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
 * The passkey offered at the end of a password sign-in (the migrating one and later ones, until the account has a
 * passkey or declines), in Debian's chromium with a virtual authenticator, at the demo stack's localhost issuer.
 */
describe('the passkey offered after a password sign-in, in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let metricsServer: Server;

  before(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await withoutPasskeyAutofill(context);
    page = await context.newPage();
    await addVirtualAuthenticator(page);
    metricsServer = createServer(stack.idp.metricsListener);
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    metricsServer.close();
    await browser.close();
    await stack.close();
  });

  const amr = async () => (JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as { amr?: string[] }).amr;
  const accountOf = async (username: string) => {
    const account = await stack.idp.store.accounts.findByLogin(username);
    assert.ok(account, `${username} has an account`);
    return account;
  };
  const answers = async (username: string) =>
    (await stack.idp.store.events.list({ type: 'passkey_offer_answered', accountId: (await accountOf(username)).id }))
      .map((event) => (event.type === 'passkey_offer_answered' ? event.answer : ''))
      .sort();
  const signInAtTheApp = async (login: string, password: string, target: Page = page) => {
    await target.context().clearCookies();
    await target.goto(stack.demo.appUrl);
    await target.getByRole('link', { name: 'Sign in' }).click();
    await target.waitForURL(/\/interaction\//);
    await signInOnHostedPage(target, login, password);
  };
  const offer = () => page.getByRole('heading', { level: 1, name: 'Add a passkey' });

  it('offers a passkey right after the migration; adding one completes the sign-in, and it signs in next time', async () => {
    await signInAtTheApp('carol', 'higher further faster');
    await offer().waitFor();
    assert.match(await page.locator('body').innerText(), /fingerprint, face or screen lock replaces your password/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    await screenshot(page, 'passkey-offer');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.match(await page.locator('body').innerText(), /migrated from the legacy system just now/);
    assert.deepEqual(await amr(), ['pwd'], 'making a passkey is not signing in with one');

    const carol = await accountOf('carol');
    const factors = await stack.idp.store.factors.listByAccount(carol.id);
    assert.deepEqual(
      factors.map((f) => f.kind),
      ['passkey'],
    );
    assert.deepEqual(await answers('carol'), ['added']);

    // Next time the passkey alone signs her in, and nothing is offered.
    await context.clearCookies();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.deepEqual(await amr(), ['hwk', 'user', 'mfa']);
  });

  it('asks again after "Not now" and never after "Don\'t ask me again"', async () => {
    await signInAtTheApp('alice', 'wonderland');
    await offer().waitFor();
    await page.getByRole('button', { name: 'Not now' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.deepEqual(await amr(), ['pwd']);
    assert.equal((await accountOf('alice')).passkeyOfferDeclinedAt, undefined);

    await signInAtTheApp('alice', 'wonderland');
    await offer().waitFor();
    await page.getByRole('button', { name: "Don't ask me again" }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.ok((await accountOf('alice')).passkeyOfferDeclinedAt, 'the answer is kept with the account');

    await signInAtTheApp('alice', 'wonderland');
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.deepEqual(await answers('alice'), ['declined', 'later']);
  });

  it('counts a double click on "Not now" once, and both submissions complete the sign-in', async () => {
    await signInAtTheApp('bob', 'can-we-fix-it');
    await offer().waitFor();
    const results = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form:not([data-passkey])[action$="/passkey-offer"]');
      const csrf = form?.querySelector<HTMLInputElement>('input[name="csrf"]')?.value ?? '';
      // (No named helpers inside: the test runner's transpiler would name them with a helper the page lacks.)
      const url = form?.action ?? '';
      const posts = await Promise.all([
        fetch(url, { method: 'POST', body: new URLSearchParams({ csrf, answer: 'later' }), redirect: 'manual' }),
        fetch(url, { method: 'POST', body: new URLSearchParams({ csrf, answer: 'later' }), redirect: 'manual' }),
      ]);
      return posts.map((post) => post.type);
    });
    assert.deepEqual(results, ['opaqueredirect', 'opaqueredirect'], 'both go on to the application');
    assert.deepEqual(await answers('bob'), ['later']);
  });

  it('offers nothing to a browser without JavaScript (it could not make a passkey)', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const noScript = await plain.newPage();
      await signInAtTheApp('bob', 'can-we-fix-it', noScript);
      await noScript.waitForURL(`${stack.demo.appUrl}/`);
      assert.match(await noScript.locator('body').innerText(), /Signed in as bob/);
    } finally {
      await plain.close();
    }
    assert.deepEqual(await answers('bob'), ['later']);
  });

  it('counts the answers in idp_passkey_offers_total, exactly', async () => {
    const { port } = metricsServer.address() as AddressInfo;
    const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    const counted = (answer: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`idp_passkey_offers_total{answer="${answer}"} `))
          ?.split(' ')[1] ?? 0,
      );
    assert.deepEqual([counted('added'), counted('later'), counted('declined')], [1, 2, 1]);
  });
});
