import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SentMail } from '../../src/mail/mailer.js';
import { eventually } from '../support/eventually.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { csrfFieldOf, signIn, UserAgent } from '../support/oidc-flow.js';

/**
 * A migrated user whose legacy email was not verified gets a link at the first sign-in; using it turns the claim
 * true in the next tokens. The link's page asks for a click (a mail scanner's visit uses nothing), works once, and
 * a user whose address was verified gets no mail.
 */
describe('email addresses confirmed by a link', () => {
  let t: TestIdp;
  let outbox: readonly SentMail[];
  before(async () => {
    t = await startTestIdp();
    outbox = t.idp.outbox ?? [];
  });
  after(() => t.close());

  it('mails carol (migrated unverified) a link; using it makes email_verified true', async () => {
    const first = await signIn(t.issuer, 'carol', 'higher further faster');
    assert.equal(first.status, 303);
    assert.equal(first.tokens?.claims()?.email_verified, false);
    const mail = await eventually(() => outbox.find((m) => m.to === 'carol@example.com'), { what: 'the mail' });
    assert.match(mail.subject, /Confirm your email address/);
    const link = /http:\S+/.exec(mail.text)?.[0] ?? '';
    assert.ok(link.startsWith(`${t.issuer}/email/verify?token=`));

    const agent = new UserAgent();
    const page = await agent.request(link);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Confirm my email address/);
    assert.equal((await t.idp.store.accounts.findByLogin('carol'))?.emailVerified, false, 'opening it used nothing');

    const token = new URL(link).searchParams.get('token') ?? '';
    const confirmed = await agent.request(`${t.issuer}/email/verify`, {
      form: { token, csrf: csrfFieldOf(html) ?? '' },
    });
    assert.equal(confirmed.status, 200);
    assert.match(await confirmed.text(), /carol@example\.com<\/strong> is verified/);
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).tokens?.claims()?.email_verified, true);

    const again = await agent.request(link);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /This link does not work/);
    const [event] = await t.idp.store.events.list({ type: 'email_verified', limit: 1 });
    assert.equal(
      event?.type === 'email_verified' && event.accountId,
      (await t.idp.store.accounts.findByLogin('carol'))?.id,
    );
  });

  it('mails nobody whose address the legacy system had verified', async () => {
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).tokens?.claims()?.email_verified, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(outbox.filter((m) => m.to === 'alice@example.com').length, 0);
  });
});
