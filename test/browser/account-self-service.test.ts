/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SentMail } from '../../src/mail/mailer.js';
import { eventually } from '../support/eventually.js';
import { browserSkip, launchChromium, screenshot } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';

/**
 * A user's own pages in a real browser set to German, on a phone: carol (moved from the legacy system with an
 * address it had not verified) signs in to /account, confirms her address through the mailed link, corrects her
 * name, sees where she is signed in, and erases her account. Every page in German and no wider than 390 px.
 */
describe('the account pages in a real browser, in German, phone-sized', { skip: browserSkip }, () => {
  let t: TestIdp;
  let browser: Browser;
  let page: Page;
  let outbox: readonly SentMail[];

  before(async () => {
    t = await startTestIdp();
    outbox = t.idp.outbox ?? [];
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'de-DE' });
    page = await context.newPage();
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  const fitsThePhone = async (name: string) => {
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${name}: the page is ${width}px wide on a 390px phone`);
    await screenshot(page, `account-${name}-de`);
  };

  it('signs in to the profile page, which says the address is not confirmed', async () => {
    await page.goto(`${t.issuer}/account`);
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('carol');
    await page.getByLabel('Passwort', { exact: true }).fill('higher further faster');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${t.issuer}/account`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Ihr Konto');
    assert.match((await page.locator('#profile-email').textContent()) ?? '', /noch nicht bestätigt/);
    await fitsThePhone('profile');
    // Readable, not squeezed into a sliver beside its label.
    const box = await page.locator('#profile-email').boundingBox();
    assert.ok(box && box.width >= 250, `the address is ${String(box?.width)}px wide`);
  });

  it('confirms the address through the mailed link, in German too', async () => {
    const mail = await eventually(() => outbox.find((m) => m.to === 'carol@example.com'), { what: 'the mail' });
    const link = /http:\S+/.exec(mail.text)?.[0] ?? assert.fail('no link in the mail');
    await page.goto(link);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Bestätigen Sie Ihre E-Mail-Adresse');
    await fitsThePhone('verify-email');
    await page.getByRole('button', { name: 'Meine E-Mail-Adresse bestätigen' }).click();
    await page.getByText('carol@example.com ist bestätigt').waitFor();
    assert.equal((await t.idp.store.accounts.findByLogin('carol'))?.emailVerified, true);
    await page.goto(`${t.issuer}/account`);
    assert.match((await page.locator('#profile-email').textContent()) ?? '', /\(bestätigt\)/);
  });

  it('corrects her name, and says a name too long in German', async () => {
    await page.getByLabel('Name', { exact: true }).fill('C'.repeat(300));
    await page.getByRole('button', { name: 'Speichern' }).click();
    assert.match((await page.locator('#name-error').textContent()) ?? '', /Der Name darf höchstens 256 Zeichen/);
    await fitsThePhone('profile-error');
    await page.getByLabel('Name', { exact: true }).fill('Carol Danvers');
    await page.getByRole('button', { name: 'Speichern' }).click();
    assert.equal((await page.locator('#notice').textContent())?.trim(), 'Ihr Profil ist gespeichert.');
    assert.equal((await t.idp.store.accounts.findByLogin('carol'))?.name, 'Carol Danvers');
  });

  it('lists where she is signed in: this browser', async () => {
    await page.getByRole('link', { name: 'Sitzungen' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Wo Sie angemeldet sind');
    assert.equal(await page.locator('li[data-session]').count(), 1);
    assert.match((await page.locator('li[data-session="current"]').textContent()) ?? '', /Dieser Browser/);
    await fitsThePhone('sessions');
  });

  it('erases the account once the username is typed', async () => {
    await page.getByRole('link', { name: 'Profil' }).click();
    await page.getByRole('link', { name: 'Ihr Konto und alle seine Daten löschen' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Konto löschen');
    await fitsThePhone('delete');
    const carol = await t.idp.store.accounts.findByLogin('carol');
    assert.ok(carol);
    await page.getByLabel(/Geben Sie zur Bestätigung Ihren Benutzernamen ein/).fill('alice');
    await page.getByRole('button', { name: 'Mein Konto löschen' }).click();
    assert.match((await page.locator('#confirm-error').textContent()) ?? '', /nichts gelöscht/);
    assert.ok(await t.idp.store.accounts.findById(carol.id), 'nothing erased yet');
    await page.getByLabel(/Geben Sie zur Bestätigung Ihren Benutzernamen ein/).fill('carol');
    await page.getByRole('button', { name: 'Mein Konto löschen' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Ihr Konto ist gelöscht');
    await fitsThePhone('deleted');
    assert.equal(await t.idp.store.accounts.findById(carol.id), undefined);
    await page.goto(`${t.issuer}/account`);
    await page.waitForURL(/\/interaction\//);
  });
});
