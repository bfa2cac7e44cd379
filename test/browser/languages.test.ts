/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, launchChromium, screenshot } from '../support/browser.js';
import { RP_REDIRECT, startTestIdp, type TestIdp } from '../support/harness.js';
import { discover, finishAuthorization, SIGN_IN_SCOPE } from '../support/oidc-flow.js';

/**
 * The German sign-in page on a phone: an application asks for German (`ui_locales=de`) from a browser set to
 * English; the page is German, longer words and all, and fits 390 px without sideways scrolling.
 */
describe('signing in on the German page in a real browser, phone-sized', { skip: browserSkip }, () => {
  let t: TestIdp;
  let browser: Browser;
  let page: Page;
  let start: { config: oidc.Configuration; verifier: string; state: string; nonce: string; url: URL };
  let callback = '';

  before(async () => {
    t = await startTestIdp();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    page = await context.newPage();
    // The relying party's redirect URI is not a real host: the browser's arrival there is the end of the sign-in.
    await page.route(`${RP_REDIRECT}**`, (route) => {
      callback = route.request().url();
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' });
    });
    const config = await discover(t.issuer);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: RP_REDIRECT,
      scope: SIGN_IN_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ui_locales: 'de',
    });
    start = { config, verifier, state, nonce, url };
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  const noSidewaysScrolling = async () => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide on a 390px phone`);
  };

  it('shows the sign-in page in German, fitting a phone', async () => {
    await page.goto(start.url.href);
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Anmelden');
    const text = await page.locator('body').innerText();
    assert.match(text, /um mit First Party App fortzufahren/);
    assert.match(text, /Passwort vergessen\?/);
    assert.match(text, /Neu hier\? Konto erstellen/);
    assert.match(text, /Abbrechen und zurück zu First Party App/);
    await noSidewaysScrolling();
    await screenshot(page, 'sign-in-de');
  });

  it('says a wrong password in German, still fitting', async () => {
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('alice');
    await page.getByLabel('Passwort', { exact: true }).fill('not her password');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    assert.equal((await page.getByRole('alert').textContent())?.trim(), 'Benutzername oder Passwort ist falsch.');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await noSidewaysScrolling();
  });

  it('completes the sign-in from the German page', async () => {
    await page.getByLabel('Passwort', { exact: true }).fill('wonderland');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${RP_REDIRECT}**`);
    const tokens = await finishAuthorization(start, callback);
    assert.equal(tokens.claims()?.preferred_username, 'alice');
  });
});
