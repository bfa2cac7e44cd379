/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { browserSkip, launchChromium, screenshot, signInOnHostedPage } from '../support/browser.js';

/**
 * An operator's working day in a real browser: two consoles open that follow sign-ins by themselves, people named
 * by username and times in the reader's own zone, an account found and switched off, on again and deleted, the
 * console on a phone, and the ways out of every page that is not where a person wanted to be.
 */
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('the console and hosted pages at work, in a real browser', { skip: browserSkip }, () => {
  let stack: DemoStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    stack = await startDemoStack({ offerPasskeys: false });
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await stack.close();
  });

  /** A browser of its own (cookies, zone, screen): each person here is someone else at another desk. */
  const newPage = async (options: { timezoneId: string; viewport: { width: number; height: number } }) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context.newPage();
  };
  const sideways = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  /** Signs in at the demo app; the hosted page's answer (status) when it refuses, else the app's page text. */
  const signInAtDemoApp = async (page: Page, login: string, password: string) => {
    await page.goto(stack.demo.appUrl);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    const answer = page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST');
    await signInOnHostedPage(page, login, password);
    const status = (await answer).status();
    await page.waitForLoadState();
    return { status, text: await page.locator('body').innerText() };
  };
  /** Out of the demo app, and out of the IdP if a session there is left to confirm the end of. */
  const signOutOfDemoApp = async (page: Page) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href === `${stack.demo.appUrl}/` || url.pathname.startsWith('/session/end'));
    if (page.url().startsWith(stack.issuer)) await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${stack.demo.appUrl}/`);
  };

  let ny: Page;
  let tokyo: Page;
  let user: Page;

  it('offers a non-operator who opens the console a way to sign in as someone else', async () => {
    ny = await newPage({ timezoneId: 'America/New_York', viewport: DESKTOP });
    await ny.goto(`${stack.issuer}/admin`);
    await ny.waitForURL(/\/interaction\//);
    await signInOnHostedPage(ny, 'alice', 'wonderland');
    await ny.waitForLoadState();
    assert.equal(await ny.getByRole('heading', { level: 1 }).textContent(), 'This account cannot use the console');
    await ny.getByRole('link', { name: 'Sign in as someone else' }).click();
    await ny.getByRole('button', { name: 'Yes, sign me out' }).click();
    await ny.waitForURL(/\/interaction\//);
    await signInOnHostedPage(ny, 'carol', 'higher further faster');
    await ny.waitForURL(`${stack.issuer}/admin`);
    assert.equal(await ny.getByRole('heading', { level: 1 }).textContent(), 'Migration');
  });

  it('shows a sign-in in every open console within seconds, without a reload', async () => {
    tokyo = await newPage({ timezoneId: 'Asia/Tokyo', viewport: DESKTOP });
    await tokyo.goto(`${stack.issuer}/admin`);
    await signInOnHostedPage(tokyo, 'carol', 'higher further faster');
    await tokyo.waitForURL(`${stack.issuer}/admin`);
    await ny.reload();
    for (const console of [ny, tokyo]) assert.equal(await console.locator('#migrated-accounts').textContent(), '2');

    user = await newPage({ timezoneId: 'Europe/Berlin', viewport: PHONE });
    const { text } = await signInAtDemoApp(user, 'bob', 'can-we-fix-it');
    assert.match(text, /Signed in as bob/);
    assert.match(text, /migrated from the legacy system just now/);
    const signedInAt = Date.now();
    for (const console of [ny, tokyo]) {
      await console.locator('#migrated-accounts', { hasText: /^3$/ }).waitFor({ timeout: 5_000 });
    }
    const followedIn = Date.now() - signedInAt;
    assert.ok(followedIn < 5_000, `both consoles showed the sign-in ${followedIn} ms after it`);
    await screenshot(ny, 'console-dashboard-live');
  });

  it('names people by username and writes times in the reader’s own zone', async () => {
    await ny.getByRole('link', { name: 'Events' }).click();
    const events = await ny.locator('#events').innerText();
    assert.match(events, /\bbob\b/);
    assert.doesNotMatch(events, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'no account shown by its UUID');
    const nyTime = await ny.locator('#events time').first().textContent();
    assert.match(nyTime ?? '', /\b(EST|EDT)\b/);
    await tokyo.goto(`${stack.issuer}/admin/events`);
    assert.match((await tokyo.locator('#events time').first().textContent()) ?? '', /GMT\+9|JST/);
    // Filtering by the username a person knows, not by an id.
    await ny.getByLabel('Account: username, email or id').fill('bob');
    await ny.getByRole('button', { name: 'Filter' }).click();
    const rows = ny.locator('#events tbody tr');
    assert.ok((await rows.count()) >= 1);
    for (const row of await rows.all()) assert.match(await row.innerText(), /\bbob\b/);
    await screenshot(ny, 'console-events');
  });

  it('finds an account, switches its sign-in off and on again, and deletes it after a confirmation', async () => {
    await ny.getByRole('link', { name: 'Accounts' }).click();
    assert.match(await ny.locator('#accounts-total').innerText(), /^3 accounts/);
    await ny.getByLabel('Username, email, id or legacy id').fill('Bob.Builder@');
    await ny.getByRole('button', { name: 'Search' }).click();
    assert.match(await ny.locator('#accounts-total').innerText(), /^1 account matches “Bob.Builder@”/);
    await ny.locator('#accounts').getByRole('link', { name: 'bob' }).click();
    assert.equal(await ny.getByRole('heading', { level: 1 }).textContent(), 'bob');
    await screenshot(ny, 'console-account');

    await ny.getByRole('button', { name: 'Disable sign-in' }).click();
    assert.equal(await ny.locator('#sign-in-state').textContent(), 'switched off by an operator');
    await signOutOfDemoApp(user);
    const refused = await signInAtDemoApp(user, 'bob', 'can-we-fix-it');
    assert.equal(refused.status, 403);
    assert.match(refused.text, /cannot sign in at the moment/);

    await ny.getByRole('button', { name: 'Enable sign-in' }).click();
    assert.equal(await ny.locator('#sign-in-state').textContent(), 'allowed');
    await user.getByLabel('Password').fill('can-we-fix-it');
    await user.getByRole('button', { name: 'Sign in' }).click();
    await user.waitForURL(`${stack.demo.appUrl}/`);
    const again = await user.locator('body').innerText();
    assert.match(again, /Signed in as bob/);
    assert.doesNotMatch(again, /just now/, 'moved by an earlier sign-in');
    assert.match(await ny.locator('#account-events').innerText(), /account_enabled[\s\S]*by carol/);

    await ny.getByRole('button', { name: 'Delete the account' }).click();
    assert.match(await ny.getByRole('heading', { level: 1 }).innerText(), /Delete bob\?/);
    await ny.getByRole('button', { name: 'Yes, delete it' }).click();
    await ny.waitForURL(`${stack.issuer}/admin/accounts`);
    assert.equal(await stack.idp.store.accounts.findByLogin('bob'), undefined);
    assert.match(await ny.locator('#accounts-total').innerText(), /^2 accounts/);
  });

  it('fits a phone: no page of the console scrolls sideways at 390 px', async () => {
    const phone = await newPage({ timezoneId: 'Europe/Berlin', viewport: PHONE });
    await phone.goto(`${stack.issuer}/admin`);
    await signInOnHostedPage(phone, 'carol', 'higher further faster');
    await phone.waitForURL(`${stack.issuer}/admin`);
    const carol = await stack.idp.store.accounts.findByLogin('carol');
    assert.ok(carol);
    for (const [path, name] of [
      ['/admin', 'dashboard'],
      ['/admin/accounts', 'accounts'],
      [`/admin/accounts/${carol.id}`, 'account'],
      ['/admin/events', 'events'],
      ['/admin/readiness', 'readiness'],
    ] as const) {
      await phone.goto(`${stack.issuer}${path}`);
      assert.equal(await sideways(phone), 0, `${path} scrolls sideways on a phone`);
      await screenshot(phone, `console-${name}-phone`);
    }
  });

  it('brings a user who cancels back to the application, which says so', async () => {
    await signOutOfDemoApp(user);
    await user.getByRole('link', { name: 'Sign in' }).click();
    await user.waitForURL(/\/interaction\//);
    await user.getByRole('button', { name: 'Cancel and return to Demo App' }).click();
    await user.waitForURL(new RegExp(`^${stack.demo.appUrl}/`));
    assert.match(await user.locator('body').innerText(), /You cancelled the sign-in/);
  });

  it('does not say “migrated just now” of a user moved by an earlier sign-in elsewhere', async () => {
    // Alice moved when she tried the console; her first visit to the demo app is not the sign-in that moved her.
    await user.goto(stack.demo.appUrl);
    assert.match(await user.locator('#moved-summary').innerText(), /^2 of 5 have moved/);
    const { text } = await signInAtDemoApp(user, 'alice', 'wonderland');
    assert.match(text, /Signed in as alice/);
    assert.match(text, /migrated from the legacy system on \d{4}-/);
    assert.doesNotMatch(text, /just now/);
  });

  it('puts focus on the first field to fix on the sign-up page, with its problem as a sentence', async () => {
    await signOutOfDemoApp(user);
    await user.getByRole('link', { name: 'Sign in' }).click();
    await user.getByRole('link', { name: 'Create an account' }).click();
    await user.getByLabel('Username').fill('newcomer');
    await user.getByLabel('Email').fill('not an address');
    await user.getByLabel('Password').fill('short');
    await user.getByRole('button', { name: 'Create account' }).click();
    await user.waitForLoadState();
    assert.equal(await user.evaluate(() => document.activeElement?.id), 'email');
    const emailProblem = await user.locator('#email-error').innerText();
    assert.match(emailProblem, /^[A-Z].*\.$/, 'a sentence');
    assert.equal(await sideways(user), 0);
    await screenshot(user, 'sign-up-errors-phone');
  });

  it('shows a failed first sign-in and the legacy circuit opening in every open console within seconds', async () => {
    for (const console of [ny, tokyo]) await console.goto(`${stack.issuer}/admin`);
    for (const console of [ny, tokyo]) {
      assert.match(await console.locator('#live-failures').innerText(), /No failed first sign-ins/);
      assert.match((await console.locator('#circuit').textContent()) ?? '', /^closed/);
    }
    // Erin's legacy profile has no usable email: she cannot be moved, and the operators see why.
    const erin = await signInAtDemoApp(user, 'erin', 'no-valid-email');
    assert.match(erin.text, /could not be moved/);
    const failedAt = Date.now();
    for (const console of [ny, tokyo]) {
      await console.locator('#live-failures td', { hasText: /^validation$/ }).waitFor({ timeout: 5_000 });
    }
    assert.ok(Date.now() - failedAt < 5_000);

    // The legacy system goes away: five unanswered first sign-ins open the circuit (breakerFailures' default).
    await stack.demo.legacy.stop();
    try {
      for (let i = 0; i < 5; i++) {
        const attempt = await signInAtDemoApp(user, `newcomer-${i}`, 'some password');
        assert.equal(attempt.status, 429);
        assert.match(attempt.text, /temporarily unavailable/);
      }
      const openedAt = Date.now();
      for (const console of [ny, tokyo]) {
        await console.locator('#circuit', { hasText: /^open/ }).waitFor({ timeout: 5_000 });
      }
      assert.ok(Date.now() - openedAt < 5_000);
    } finally {
      await stack.demo.legacy.start();
    }
  });
});
