/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { browserSkip, launchChromium, screenshot, signInOnHostedPage } from '../support/browser.js';

/** An operator's tour of the console in a real browser (JavaScript on: the charts need it). */

describe('the operators’ console in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startDemoStack({ offerPasskeys: false });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser.close();
    await stack.close();
  });

  it('lets users migrate through the demo app first', async () => {
    for (const [login, password] of [
      ['alice', 'wonderland'],
      ['erin', 'no-valid-email'],
      ['bob', 'not-his-password'],
    ] as const) {
      await page.goto(stack.demo.appUrl);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await signInOnHostedPage(page, login, password);
      await page.waitForLoadState();
      if (login === 'alice') await page.getByRole('button', { name: 'Sign out' }).click();
      if (login === 'alice') await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    }
    assert.equal((await stack.idp.store.accounts.countByOrigin()).migrated, 1);
  });

  it('sends an operator through the IdP’s own sign-in, migrating them on the way, to a dashboard with charts', async () => {
    await page.goto(`${stack.issuer}/admin`);
    await page.waitForURL(/\/interaction\//);
    assert.match(await page.locator('body').innerText(), /JIT Identity console/);
    await signInOnHostedPage(page, 'carol', 'higher further faster');
    await page.waitForURL(`${stack.issuer}/admin`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Migration');
    assert.equal(await page.locator('#migrated-accounts').textContent(), '2');
    for (const id of ['per-hour', 'per-day', 'latency', 'errors']) {
      await page.locator(`canvas#${id}[data-rendered="true"]`).waitFor();
    }
    assert.match(await page.locator('table').first().innerText(), /validation\s+1\s+email \(1\)/);
    assert.match(await page.locator('table').first().innerText(), /invalid_credentials\s+1/);
    await screenshot(page, 'console-dashboard');
  });

  it('filters the event log', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Type').selectOption('migration_failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=migration_failed/);
    const rows = page.locator('#events tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.first().innerText(), /migration_failed/);
    await screenshot(page, 'console-events');
  });

  it('finds an account', async () => {
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Username, email, id or legacy id').fill('ali');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('#accounts tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /alice\s+alice@example.com\s+migrated\s+demo-legacy:L-1001\s+bcrypt/);
  });

  it('checks readiness, then cuts the legacy system off', async () => {
    await page.getByRole('link', { name: 'Migration' }).click();
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/import')),
      page.getByRole('button', { name: 'Check readiness' }).click(),
    ]);
    await page.waitForLoadState('load');
    await stack.idp.jobs.settled();
    await page.goto(`${stack.issuer}/admin`);
    assert.match(
      await page.locator('#readiness').innerText(),
      /2 of 5 legacy users have an account here; 3 would be left behind by a cut-off now: 1 never signed in, 1 disabled, 1 validation\./,
    );
    await page.getByRole('button', { name: 'Cut off the legacy system' }).click();
    // A confirmation with the readiness numbers first.
    assert.match(await page.locator('#left-behind').innerText(), /^3$/);
    await page.getByRole('button', { name: 'Yes, cut it off' }).click();
    await page.waitForURL(`${stack.issuer}/admin`);
    assert.match(await page.locator('#cutoff-banner').innerText(), /The legacy system is cut off/);
    assert.match(await page.locator('#cutoff-state').innerText(), /^cut off by /);
    assert.equal(await page.getByRole('button', { name: 'Reconnect the legacy system' }).count(), 1);
    assert.equal((await stack.idp.cutOffAwareLegacy.state()).cutOff, true);
    await screenshot(page, 'console-cut-off');
  });
});
