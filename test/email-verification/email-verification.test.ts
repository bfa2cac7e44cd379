import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createEmailVerification } from '../../src/email-verification/email-verification.js';
import type { IdpEvent } from '../../src/events/event.js';
import { outboxMailer } from '../../src/mail/mailer.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';
import { insertAccount } from '../support/accounts.js';

/** The link confirming an email address, against a real (in-memory) embedded store and an outbox. */
describe('email verification', () => {
  let store: Store;
  const events: IdpEvent[] = [];
  const mailer = outboxMailer();
  before(() => {
    store = openEmbeddedStore(':memory:');
  });
  after(() => store.close());

  const verification = (ttlSeconds = 3600) =>
    createEmailVerification({
      accounts: store.accounts,
      artifacts: store.artifacts,
      mailer,
      record: (event) => {
        events.push(event);
        return Promise.resolve();
      },
      linkFor: (token) => `https://id.example.com/email/verify?token=${token}`,
      productName: 'Example ID',
      ttlSeconds,
    });
  const newAccount = (email: string | undefined, emailVerified = false) =>
    insertAccount(store.accounts, { ...(email ? { email } : {}), emailVerified });
  const tokenMailedTo = (to: string) => {
    const mail = mailer.outbox.find((m) => m.to === to);
    assert.ok(mail, `a mail to ${to}`);
    return new URL(/https:\S+/.exec(mail.text)?.[0] ?? '').searchParams.get('token') ?? '';
  };

  it('mails a link that confirms the address once, and records it', async () => {
    const account = await newAccount(`${randomUUID()}@example.com`);
    assert.equal(await verification().send(account), 'sent');
    const mail = mailer.outbox[0];
    assert.ok(mail);
    assert.equal(mail.subject, 'Confirm your email address for Example ID');
    assert.match(mail.text, /within 1 hour:/);
    const token = tokenMailedTo(account.email ?? '');
    assert.equal(await verification().isUsable(token), true);
    const confirmed = await verification().confirm(token);
    assert.equal(confirmed.kind, 'verified');
    assert.equal((await store.accounts.findById(account.id))?.emailVerified, true);
    assert.deepEqual(events.at(-1), { type: 'email_verified', accountId: account.id });
    assert.deepEqual(await verification().confirm(token), { kind: 'invalid-link' }, 'used once');
    assert.equal(await verification().isUsable(token), false);
  });

  it('sends nothing for an address already confirmed, or an account without one', async () => {
    const sent = mailer.outbox.length;
    assert.equal(await verification().send(await newAccount('done@example.com', true)), 'nothing-to-verify');
    assert.equal(await verification().send(await newAccount(undefined)), 'nothing-to-verify');
    assert.equal(mailer.outbox.length, sent);
  });

  it('refuses a link for an address the account no longer has', async () => {
    const account = await newAccount(`${randomUUID()}@example.com`);
    await verification().send(account);
    const token = tokenMailedTo(account.email ?? '');
    const changed = await store.accounts.updateLogins(account.id, {
      email: `${randomUUID()}@example.com`,
      updatedAt: new Date(),
      ifUpdatedAt: account.updatedAt,
    });
    assert.equal(changed.kind, 'updated');
    assert.deepEqual(await verification().confirm(token), { kind: 'invalid-link' });
    assert.equal((await store.accounts.findById(account.id))?.emailVerified, false);
  });

  it('refuses an expired link and a made-up one', async () => {
    const account = await newAccount(`${randomUUID()}@example.com`);
    await verification(1).send(account);
    const token = tokenMailedTo(account.email ?? '');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await verification().confirm(token), { kind: 'invalid-link' });
    assert.deepEqual(await verification().confirm('made-up'), { kind: 'invalid-link' });
    assert.equal((await store.accounts.findById(account.id))?.emailVerified, false);
  });

  it('changes the address only once the link sent to the new one is used, and tells the old one', async () => {
    const account = await newAccount(`${randomUUID()}@example.com`, true);
    const next = `${randomUUID()}@example.org`;
    assert.equal(await verification().sendChange(account, ` ${next} `), 'sent');
    assert.equal((await store.accounts.findById(account.id))?.email, account.email, 'unchanged until the link is used');
    const confirmed = await verification().confirm(tokenMailedTo(next));
    assert.equal(confirmed.kind, 'verified');
    const changed = await store.accounts.findById(account.id);
    assert.equal(changed?.email, next);
    assert.equal(changed.emailVerified, true);
    const notice = mailer.outbox.find((m) => m.to === account.email);
    assert.match(notice?.subject ?? '', /has changed/);
    assert.deepEqual(
      events.slice(-2).map((e) => e.type),
      ['email_changed', 'email_verified'],
    );
  });

  it('sends no link to an address another account holds (and says the same), nor to what is no address', async () => {
    const holder = await newAccount(`${randomUUID()}@example.com`, true);
    const account = await newAccount(`${randomUUID()}@example.com`, true);
    const sent = mailer.outbox.length;
    assert.equal(await verification().sendChange(account, holder.email?.toUpperCase() ?? ''), 'sent');
    assert.equal(mailer.outbox.length, sent, 'nothing mailed');
    assert.equal(await verification().sendChange(account, 'not an address'), 'invalid');
  });

  it('refuses the link when the new address was taken meanwhile', async () => {
    const account = await newAccount(`${randomUUID()}@example.com`, true);
    const next = `${randomUUID()}@example.org`;
    await verification().sendChange(account, next);
    await newAccount(next, true);
    assert.deepEqual(await verification().confirm(tokenMailedTo(next)), { kind: 'invalid-link' });
    assert.equal((await store.accounts.findById(account.id))?.email, account.email);
  });
});
