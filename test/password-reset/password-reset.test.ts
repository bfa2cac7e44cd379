import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { outboxMailer } from '../../src/mail/mailer.js';
import { createPasswordReset, type PasswordReset } from '../../src/password-reset/password-reset.js';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';
import { closeHasher, domainFixture, legacyUser, SOURCE, type DomainFixture } from '../migration/domain-fixture.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('password reset (fake legacy system, in-memory store)', () => {
  let f: DomainFixture;
  let mailer: ReturnType<typeof outboxMailer>;
  let reset: PasswordReset;

  /** The token of the newest link mailed to `to`. */
  const tokenMailedTo = (to: string) => {
    const mail = mailer.outbox.find((m) => m.to === to);
    assert.ok(mail, `a mail to ${to}`);
    const token = /https:\/\/idp\.test\/reset\/(\S+)/.exec(mail.text)?.[1];
    assert.ok(token);
    return token;
  };

  beforeEach(async () => {
    f = await domainFixture([
      legacyUser('L-1', 'alice', 'wonderland'),
      legacyUser('L-4', 'dave', 'pod-bay-doors', { disabled: true }),
    ]);
    mailer = outboxMailer();
    reset = createPasswordReset({
      accounts: f.store.accounts,
      artifacts: f.store.artifacts,
      hasher: f.hasher,
      legacy: f.cutOffAwareLegacy,
      transform: f.transform,
      record: f.record,
      tombstones: f.tombstones,
      mailer,
      linkFor: (token) => `https://idp.test/reset/${token}`,
      productName: 'Test IdP',
      passwordPolicy: createPasswordPolicy(10),
      ttlSeconds: 900,
      now: f.now,
    });
  });
  afterEach(() => f.close());
  after(closeHasher);

  it('a local user: the link sets the new password, once, without asking the legacy system', async () => {
    const bob = await f.localAccount('bob', 'old password');
    await reset.request('BOB', { returnTo: '/interaction/x' });
    const token = tokenMailedTo('bob@local.example.com');
    assert.ok(await reset.isUsable(token));

    const weak = await reset.complete(token, 'short');
    assert.equal(weak.kind, 'invalid-password');
    assert.ok(await reset.isUsable(token), 'a weak password does not use the link up');

    const done = await reset.complete(token, NEW_PASSWORD);
    assert.ok(done.kind === 'done');
    assert.deepEqual([done.migrated, done.from], [false, { returnTo: '/interaction/x' }]);
    const stored = await f.store.accounts.findById(bob.id);
    assert.ok(stored?.password.kind === 'bcrypt');
    assert.ok(await f.hasher.verify(NEW_PASSWORD, stored.password.hash));
    assert.deepEqual(await reset.complete(token, NEW_PASSWORD), { kind: 'invalid-link' });
    assert.deepEqual([f.legacy.calls.findUser, f.legacy.calls.afterMigration], [0, []]);
    assert.deepEqual(
      (await f.events('password_reset')).map((e) => e.type === 'password_reset' && e.migrated),
      [false],
    );
  });

  it('a legacy user who never signed in is adopted: migrated via password_reset, no made-up latency, write-back', async () => {
    await reset.request('alice');
    const done = await reset.complete(tokenMailedTo('alice@example.com'), NEW_PASSWORD);
    assert.ok(done.kind === 'done' && done.migrated);
    const account = await f.store.accounts.findByLogin('alice');
    assert.deepEqual(
      [account?.id, account?.origin, account?.legacy],
      [done.account.id, 'migrated', { source: SOURCE, id: 'L-1', migratedAt: f.now() }],
    );
    assert.ok(account?.password.kind === 'bcrypt');
    assert.ok(await f.hasher.verify(NEW_PASSWORD, account.password.hash));
    assert.equal(account.emailVerified, true, 'the link proved the mailbox the legacy system holds');

    const [migrated] = await f.events('migrated');
    assert.ok(migrated?.type === 'migrated');
    assert.deepEqual([migrated.via, migrated.login, migrated.accountId], ['password_reset', 'alice', account.id]);
    assert.equal('legacyLatencyMs' in migrated, false, 'no legacy password check, so no latency');
    assert.deepEqual(
      (await f.events('password_reset')).map((e) => e.type === 'password_reset' && e.migrated),
      [true],
    );
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1']);
    assert.equal(f.legacy.calls.authenticate, 0);
  });

  it("the link confirms the account's address when it was not: email_verified, with an event", async () => {
    const carol = await f.localAccount('carol', 'old password', { emailVerified: false });
    await reset.request('carol');
    const done = await reset.complete(tokenMailedTo('carol@local.example.com'), NEW_PASSWORD);
    assert.ok(done.kind === 'done' && done.account.emailVerified);
    assert.equal((await f.store.accounts.findById(carol.id))?.emailVerified, true);
    assert.deepEqual(
      (await f.events('email_verified')).map((e) => 'accountId' in e && e.accountId),
      [carol.id],
    );

    // A link mailed before the address changed proves the old mailbox, not the new one.
    const dan = await f.localAccount('dan', 'old password', { emailVerified: false });
    await reset.request('dan');
    const token = tokenMailedTo('dan@local.example.com');
    const moved = await f.store.accounts.updateLogins(dan.id, {
      email: 'dan.new@example.com',
      emailVerified: false,
      updatedAt: f.now(),
      ifUpdatedAt: dan.updatedAt,
    });
    assert.equal(moved.kind, 'updated');
    const later = await reset.complete(token, NEW_PASSWORD);
    assert.ok(later.kind === 'done' && !later.account.emailVerified);
    assert.equal((await f.store.accounts.findById(dan.id))?.emailVerified, false);
  });

  it('a legacy user migrated between the request and the link: the link sets the password of that account', async () => {
    await reset.request('alice');
    const token = tokenMailedTo('alice@example.com');
    // Meanwhile a first sign-in (or an import) brought her over.
    const migrated = await f.localAccount('alice', 'wonderland', {
      origin: 'migrated',
      legacy: { source: SOURCE, id: 'L-1', migratedAt: f.now() },
    });
    const done = await reset.complete(token, NEW_PASSWORD);
    assert.ok(done.kind === 'done' && !done.migrated);
    assert.equal(done.account.id, migrated.id);
    const stored = await f.store.accounts.findById(migrated.id);
    assert.ok(stored?.password.kind === 'bcrypt');
    assert.ok(await f.hasher.verify(NEW_PASSWORD, stored.password.hash));
    assert.deepEqual(await f.events('migrated'), []);
  });

  it('a disabled legacy user gets no link, and one disabled after the link is refused', async () => {
    await reset.request('dave');
    assert.equal(mailer.outbox.length, 0);

    await reset.request('alice');
    const token = tokenMailedTo('alice@example.com');
    const alice = f.legacy.users.find((user) => user.profile.uid === 'L-1');
    assert.ok(alice);
    alice.disabled = true;
    assert.deepEqual(await reset.complete(token, NEW_PASSWORD), { kind: 'rejected' });
    assert.equal(await f.store.accounts.findByLogin('alice'), undefined);
    assert.deepEqual(f.legacy.calls.afterMigration, []);
  });

  it('an unknown login gets no link and no event', async () => {
    await reset.request('nobody');
    assert.equal(mailer.outbox.length, 0);
    assert.deepEqual(await f.events('password_reset_requested'), []);
  });

  it('the legacy system down when the link is used: unavailable, and the link still works later', async () => {
    await reset.request('alice');
    const token = tokenMailedTo('alice@example.com');
    f.legacy.down = true;
    assert.deepEqual(await reset.complete(token, NEW_PASSWORD), { kind: 'legacy-unavailable' });
    f.legacy.down = false;
    assert.equal((await reset.complete(token, NEW_PASSWORD)).kind, 'done');
  });
});
