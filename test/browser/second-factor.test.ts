/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext } from 'playwright-core';
import { browserSkip, launchChromium, screenshot, signInOnHostedPage } from '../support/browser.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';

/**
 * Setting up an authenticator app and signing in with it, in a real browser (Debian's chromium) with JavaScript off
 * and a phone-sized window: the pages must work as plain HTML forms. Codes come from Debian's oathtool.
 */

const oathtool = (secret: string, at: Date) =>
  execFileSync('oathtool', ['--totp', '-b', secret, '--now', `@${String(Math.floor(at.getTime() / 1000))}`], {
    encoding: 'utf8',
  }).trim();

describe('second factors in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let secret = '';

  before(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await stack.close();
  });

  const newPage = async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    contexts.push(context);
    return context.newPage();
  };

  it('sets up an authenticator app from a QR code and shows ten recovery codes once', async () => {
    const page = await newPage();
    await page.goto(`${stack.issuer}/account/security`);
    await signInOnHostedPage(page, 'bob', 'can-we-fix-it');
    await page.goto(`${stack.issuer}/account/security`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign-in security');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    assert.ok(await page.locator('.qr svg').isVisible(), 'the QR code is drawn');
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await screenshot(page, 'totp-setup');
    await page.getByLabel('Code from the app').fill(oathtool(secret, new Date()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /recovery codes/);
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${String(overflow)}px on a phone`);
    await screenshot(page, 'recovery-codes');
  });

  it('asks for the code after the password, says when it is wrong, and lands in the app with amr otp', async () => {
    const page = await newPage();
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInOnHostedPage(page, 'bob', 'can-we-fix-it');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Two-step verification');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'code', 'the code field has focus');
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Verify and continue' }).click();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /That code is not right/);
    await screenshot(page, 'second-factor');
    // The setup used this step's code: the next one is within the window.
    await page.getByLabel('Code').fill(oathtool(secret, new Date(Date.now() + 30_000)));
    await page.getByRole('button', { name: 'Verify and continue' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
    const claims = JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as { amr?: string[] };
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });
});
