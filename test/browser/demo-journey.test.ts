/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { browserSkip, launchChromium, screenshot, signInOnHostedPage } from '../support/browser.js';

/**
 * A newcomer's first minutes, in a real browser (Debian's chromium) with JavaScript switched off: the hosted pages
 * and the demo app must work as plain HTML forms.
 */

describe('the demo in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    page = await context.newPage();
  });
  after(async () => {
    await browser.close();
    await stack.close();
  });

  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

  it('sends the newcomer from the demo app to a labelled, focused, phone-sized sign-in page', async () => {
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
    const text = await page.locator('body').innerText();
    assert.match(text, /JIT Identity/);
    assert.match(text, /Demo mode/);
    assert.match(text, /Demo App/);
    assert.equal(await focusedId(), 'login', 'the first field has focus');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    await screenshot(page, 'sign-in');
  });

  it('keeps the login and shows the neutral message after a wrong password', async () => {
    await signInOnHostedPage(page, 'bob', 'not-the-password');
    const alert = page.getByRole('alert');
    assert.equal((await alert.textContent())?.trim(), 'Wrong username or password.');
    assert.equal(await page.getByLabel('Username or email').inputValue(), 'bob');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.equal(await focusedId(), 'password', 'focus goes to the field to fix');
  });

  it('migrates a legacy user with the keyboard alone and lands back in the app with the claims', async () => {
    await page.getByLabel('Username or email').fill('alice');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(), 'password');
    await page.keyboard.type('wonderland');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${stack.demo.appUrl}/`);
    const text = await page.locator('body').innerText();
    assert.match(text, /Signed in as alice/);
    assert.match(text, /migrated from the legacy system just now/);
    const claims = JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as Record<string, unknown>;
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(claims.account_origin, 'migrated');
    assert.equal(stack.demo.legacy.calls.authenticate, 2, 'one wrong password and one migration');
    await screenshot(page, 'demo-app-signed-in');
  });

  it('signs the migrated user in again after the legacy service is stopped', async () => {
    await page.getByRole('button', { name: 'Stop the legacy service' }).click();
    assert.match(await page.locator('body').innerText(), /Status: stopped/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/session\/end/);
    assert.match(await page.locator('body').innerText(), /Sign out\?/);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInOnHostedPage(page, 'alice@example.com', 'wonderland');
    await page.waitForURL(`${stack.demo.appUrl}/`);
    assert.match(await page.locator('body').innerText(), /Signed in as alice/);
    assert.equal(stack.demo.legacy.running, false);
  });

  it('tells a not yet migrated user that sign-in is temporarily unavailable while the legacy service is down', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).click();
    const response = page.waitForResponse((r) => r.url().endsWith('/login'));
    await signInOnHostedPage(page, 'carol', 'higher further faster');
    assert.equal((await response).status(), 429, 'below 500: the IdP itself is fine');
    assert.match((await page.getByRole('alert').textContent()) ?? '', /temporarily unavailable/);
  });

  it('creates an account on the sign-up page and signs the new user in', async () => {
    await stack.demo.legacy.start();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('newcomer');
    await page.getByLabel('Email').fill('newcomer@example.org');
    await page.getByLabel('First name (optional)').fill('New');
    await page.getByLabel('Password').fill('a fresh password');
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    const text = await page.locator('body').innerText();
    assert.match(text, /Signed in as newcomer/);
    assert.match(text, /created in the IdP \(registered\)/);
  });
});
