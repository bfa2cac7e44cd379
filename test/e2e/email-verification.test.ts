import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SentMail } from '../../src/mail/mailer.js';
import { eventually } from '../support/eventually.js';
import { RP_REDIRECT, startTestIdp, TEST_CLIENTS, type TestIdp } from '../support/harness.js';
import { beginAuthorization, csrfFieldOf, finishAuthorization, signIn, UserAgent } from '../support/oidc-flow.js';

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

describe('a client that requires a confirmed email address', () => {
  let t: TestIdp;
  let outbox: readonly SentMail[];
  before(async () => {
    t = await startTestIdp({
      config: {
        clients: [
          {
            ...TEST_CLIENTS.firstParty,
            redirect_uris: [RP_REDIRECT],
            first_party: true,
            require_verified_email: true,
          },
        ],
      },
    });
    outbox = t.idp.outbox ?? [];
  });
  after(() => t.close());

  it('gives no token until the address is confirmed, then goes on to the client', async () => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'carol', password: 'higher further faster' },
    });
    const landed = await start.agent.follow(posted, t.issuer);
    assert.match(landed.url, /\/interaction\//, 'not back at the client');
    const page = await landed.response.text();
    assert.match(page, /Confirm your email address/);
    assert.match(page, /carol@example\.com/);
    const mails = () => outbox.filter((m) => m.to === 'carol@example.com');
    await eventually(() => mails().length > 0, { what: 'the link' });
    assert.equal(mails().length, 1, 'one link, though both the migration and the page asked for one');

    const early = await start.agent.request(`${landed.url}/email`, { form: { action: 'continue' } });
    assert.equal(early.status, 400);
    assert.match(await early.text(), /is not confirmed yet/);

    // The link, opened in another browser (the mail app's), and confirmed there.
    const link = /http:\S+/.exec(mails()[0]?.text ?? '')?.[0] ?? '';
    const mailApp = new UserAgent();
    const html = await (await mailApp.request(link)).text();
    const token = new URL(link).searchParams.get('token') ?? '';
    const confirmed = await mailApp.request(`${t.issuer}/email/verify`, {
      form: { token, csrf: csrfFieldOf(html) ?? '' },
    });
    assert.equal(confirmed.status, 200);

    const goOn = await start.agent.request(`${landed.url}/email`, { form: { action: 'continue' } });
    const back = await start.agent.follow(goOn, t.issuer);
    const tokens = await finishAuthorization(start, back.url);
    assert.equal(tokens.claims()?.email_verified, true);
  });

  it('lets an account whose address is confirmed through at once', async () => {
    const attempt = await signIn(t.issuer, 'alice', 'wonderland');
    assert.equal(attempt.status, 303);
    assert.equal(attempt.tokens?.claims()?.email_verified, true);
  });
});
