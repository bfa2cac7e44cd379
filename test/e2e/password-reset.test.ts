import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { normaliseLogin } from '../../src/accounts/account.js';
import type { SentMail } from '../../src/mail/mailer.js';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { beginAuthorization, signIn, UserAgent } from '../support/oidc-flow.js';

const linkIn = (text: string) => /https?:\/\/\S+\/password\/reset\?token=\S+/.exec(text)?.[0] ?? '';
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';
const leadOf = (html: string) => /<p class="lead"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1]?.trim() ?? '';

describe('forgot password, also for users not yet migrated', () => {
  let t: TestIdp;
  let outbox: readonly SentMail[];
  before(async () => {
    t = await startTestIdp();
    outbox = t.idp.outbox ?? [];
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
  after(() => t.close());

  const requestLink = async (login: string, agent = new UserAgent()) => {
    const sent = outbox.length;
    await agent.request(`${t.issuer}/password/forgot`);
    const response = await agent.request(`${t.issuer}/password/forgot`, { form: { login, returnTo: '' } });
    assert.equal(response.status, 200);
    return { page: await response.text(), sent };
  };
  const mailAfter = (sent: number, to: string) =>
    eventually(() => (outbox.length > sent && outbox[0]?.to === to ? outbox[0] : undefined), { what: `mail to ${to}` });
  const choose = async (link: string, password: string, confirm = password) => {
    const token = new URL(link).searchParams.get('token') ?? '';
    const agent = new UserAgent();
    await agent.request(`${t.issuer}/password/forgot`);
    return agent.request(`${t.issuer}/password/reset`, { form: { token, password, confirm, returnTo: '' } });
  };

  it('mails a single-use link to a local user and changes the password with it', async () => {
    const { page, sent } = await requestLink('ALICE@example.com');
    assert.match(leadOf(page), /If an account exists for what you entered/);
    const mail = await mailAfter(sent, 'alice@example.com');
    assert.match(mail.subject, /Reset your JIT Identity password/);
    const link = linkIn(mail.text);
    assert.ok(link.startsWith(`${t.issuer}/password/reset?token=`));

    const form = await new UserAgent().request(link);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /Choose a new password/);

    const mismatch = await choose(link, 'a new password', 'another one');
    assert.equal(mismatch.status, 400);
    assert.equal(alertText(await mismatch.text()), 'The two passwords are not the same.');
    const tooShort = await choose(link, 'short');
    assert.equal(tooShort.status, 400);
    assert.match(alertText(await tooShort.text()), /at least 8 characters/);

    const done = await choose(link, 'alice new password');
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Your password has been changed/);
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 401);
    assert.equal((await signIn(t.issuer, 'alice', 'alice new password')).status, 303);

    const again = await choose(link, 'yet another password');
    assert.equal(again.status, 400, 'a link works once');
    assert.match(await again.text(), /expired or was already used/);
    assert.equal((await new UserAgent().request(link)).status, 400);
  });

  it('creates the account of a legacy user who never signed in, with the new password', async () => {
    const { sent } = await requestLink('carol');
    const mail = await mailAfter(sent, 'carol@example.com');
    assert.equal(await t.idp.store.accounts.findByLogin('carol'), undefined, 'nothing is created by asking');
    const done = await choose(linkIn(mail.text), 'carol chose this');
    assert.equal(done.status, 200);
    const carol = await t.idp.store.accounts.findByLogin(normaliseLogin('carol'));
    assert.equal(carol?.origin, 'migrated');
    assert.deepEqual(carol.roles, ['admin', 'employee']);
    const [migrated] = await t.idp.store.events.list({ type: 'migrated', accountId: carol.id });
    assert.deepEqual(migrated?.type === 'migrated' && migrated.via, 'password_reset');

    t.legacy.resetCalls();
    assert.equal((await signIn(t.issuer, 'carol', 'carol chose this')).status, 303);
    assert.equal(t.legacy.calls.authenticate, 0);
  });

  it('answers an unknown login exactly like a known one, and sends nothing', async () => {
    const known = await requestLink('bob');
    await mailAfter(known.sent, 'Bob.Builder@Example.com');
    const unknown = await requestLink('nobody-anywhere');
    assert.equal(leadOf(unknown.page), leadOf(known.page));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(outbox.every((mail) => !mail.to.includes('nobody')));
    assert.equal(outbox.length, unknown.sent);
  });

  it('never lets a reset create the account of a legacy user who is disabled', async () => {
    const { sent } = await requestLink('dave');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(outbox.length, sent, 'no link for a locked legacy account');
    assert.equal(await t.idp.store.accounts.findByLogin('dave'), undefined);
  });

  it('lets an imported user without a password set one', async () => {
    const now = new Date();
    await t.idp.store.accounts.insert({
      id: 'imported-no-password',
      username: 'ivy',
      email: 'ivy@example.com',
      emailVerified: true,
      roles: [],
      origin: 'imported',
      legacy: { source: 'test-legacy', id: 'IV-1', migratedAt: now },
      password: { kind: 'none' },
      createdAt: now,
      updatedAt: now,
    });
    assert.equal((await signIn(t.issuer, 'ivy', 'anything')).status, 401);
    const { sent } = await requestLink('ivy');
    const mail = await mailAfter(sent, 'ivy@example.com');
    assert.equal((await choose(linkIn(mail.text), 'ivy has a password')).status, 200);
    assert.equal((await signIn(t.issuer, 'ivy', 'ivy has a password')).status, 303);
  });

  it('offers "Sign in" after the reset: back into the sign-in in this browser, to its application elsewhere', async () => {
    const start = await beginAuthorization(t.issuer);
    const returnTo = new URL(start.interactionUrl).pathname;
    await start.agent.request(`${t.issuer}/password/forgot?return=${returnTo}`);
    const sent = outbox.length;
    await start.agent.request(`${t.issuer}/password/forgot`, { form: { login: 'bob', returnTo } });
    const link = linkIn((await mailAfter(sent, 'Bob.Builder@Example.com')).text);

    // The mail opened in the same browser: "Sign in" goes on with the sign-in that asked for it.
    await start.agent.request(link);
    const here = await (
      await start.agent.request(`${t.issuer}/password/reset`, {
        form: { token: tokenOf(link), password: 'bob chose a new one', confirm: 'bob chose a new one', returnTo: '' },
      })
    ).text();
    assert.match(here, new RegExp(`<a class="button primary" href="${returnTo}" id="sign-in">Sign in</a>`));
    const signedIn = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'bob', password: 'bob chose a new one' },
    });
    assert.equal(signedIn.status, 303);

    // A second reset, its mail opened in another browser: the sign-in is not there, its application is.
    const again = await beginAuthorization(t.issuer);
    const againTo = new URL(again.interactionUrl).pathname;
    await again.agent.request(`${t.issuer}/password/forgot?return=${againTo}`);
    const sentAgain = outbox.length;
    await again.agent.request(`${t.issuer}/password/forgot`, { form: { login: 'bob', returnTo: againTo } });
    const elsewhere = new UserAgent();
    const secondLink = linkIn((await mailAfter(sentAgain, 'Bob.Builder@Example.com')).text);
    await elsewhere.request(secondLink);
    const there = await (
      await elsewhere.request(`${t.issuer}/password/reset`, {
        form: { token: tokenOf(secondLink), password: 'bob chose another', confirm: 'bob chose another', returnTo: '' },
      })
    ).text();
    assert.match(
      there,
      /<a class="button primary" href="http:\/\/rp.test" id="sign-in">Sign in to First Party App<\/a>/,
    );
  });

  it('is linked from the sign-in page and links back to it, never elsewhere', async () => {
    const start = await beginAuthorization(t.issuer);
    const uid = start.interactionUrl.split('/').pop() ?? '';
    const login = await (await start.agent.request(start.interactionUrl)).text();
    assert.match(login, new RegExp(`href="/password/forgot\\?return=/interaction/${uid}"`));
    const forgot = await (await start.agent.request(`${t.issuer}/password/forgot?return=/interaction/${uid}`)).text();
    assert.match(forgot, new RegExp(`href="/interaction/${uid}">Back to sign in`));
    const evil = await (await start.agent.request(`${t.issuer}/password/forgot?return=https://evil.example/`)).text();
    assert.doesNotMatch(evil, /evil\.example/);
  });
});

describe('password reset mail over SMTP', () => {
  const received: { to: string[]; body: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  let t: TestIdp;
  before(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    t = await startTestIdp({
      config: { mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'IdP <idp@example.com>', outbox: false } },
    });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers the link to the SMTP server, and keeps no outbox', async () => {
    assert.equal(t.idp.outbox, undefined);
    assert.equal((await fetch(`${t.issuer}/dev/outbox`)).status, 404);
    const agent = new UserAgent();
    await agent.request(`${t.issuer}/password/forgot`);
    await agent.request(`${t.issuer}/password/forgot`, { form: { login: 'carol', returnTo: '' } });
    const mail = await eventually(() => received[0], { what: 'an SMTP delivery' });
    assert.deepEqual(mail.to, ['carol@example.com']);
    assert.match(mail.body, /From: IdP <idp@example.com>/);
    assert.match(mail.body.replace(/=\r?\n/g, ''), /password\/reset\?token=/);
  });
});
