import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { createWeakLegacyPassword, type WeakLegacyPassword } from '../../src/migration/weak-legacy-password.js';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';
import { closeHasher, domainFixture, type DomainFixture } from './domain-fixture.js';

describe('replacing a weak legacy password at sign-in (in-memory store)', () => {
  let f: DomainFixture;
  let weak: WeakLegacyPassword;

  beforeEach(async () => {
    f = await domainFixture();
    weak = createWeakLegacyPassword({
      policy: createPasswordPolicy(8),
      hasher: f.hasher,
      accounts: f.store.accounts,
      artifacts: f.store.artifacts,
      record: f.record,
    });
  });
  afterEach(() => f.close());
  after(closeHasher);

  it('judges passwords by the policy, with the account’s own names', () => {
    assert.equal(weak.isWeak('password', { username: 'alice' }), true);
    assert.equal(weak.isWeak('alice-in-wonderland', { username: 'alice-in-wonderland' }), true);
    assert.equal(weak.isWeak('a long and unusual sentence', { username: 'alice' }), false);
  });

  it('changes the password once, bound to the interaction, with an event', async () => {
    const account = await f.localAccount('alice', 'password');
    assert.equal(await weak.pendingFor('uid-1'), undefined);
    // A second factor was passed before the change: the end of the sign-in still says so.
    await weak.require('uid-1', account.id, ['pwd', 'otp', 'mfa']);
    assert.equal((await weak.pendingFor('uid-1'))?.id, account.id);
    assert.equal(await weak.pendingFor('uid-2'), undefined);

    // Refused by the policy: still pending, nothing stored.
    const refused = await weak.change('uid-1', account, 'alice');
    assert.ok(refused.kind === 'refused' && refused.problem.length > 0);
    assert.equal((await weak.pendingFor('uid-1'))?.id, account.id);
    const changed = await weak.change('uid-1', account, 'a long and unusual sentence');
    assert.deepEqual(changed, { kind: 'changed', accountId: account.id, amr: ['pwd', 'otp', 'mfa'] });
    const stored = await f.store.accounts.findById(account.id);
    assert.ok(stored?.password.kind === 'bcrypt');
    assert.equal(await f.hasher.verify('a long and unusual sentence', stored.password.hash), true);

    // A second submission finds nothing left to change.
    assert.deepEqual(await weak.change('uid-1', account, 'another long sentence'), { kind: 'not-pending' });
    const events = await f.events('password_changed');
    assert.deepEqual(
      events.map((e) => e.type === 'password_changed' && [e.accountId, e.reason]),
      [[account.id, 'weak_legacy_password']],
    );
  });
});
