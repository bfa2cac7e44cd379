import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';
import { createRegister, type Register, type RegistrationInput } from '../../src/registration/register.js';
import { closeHasher, domainFixture, legacyUser, type DomainFixture } from '../migration/domain-fixture.js';

const input = (username: string, extra: Partial<RegistrationInput> = {}): RegistrationInput => ({
  username,
  email: `${username}@new.example.com`,
  password: 'a long enough passphrase',
  ...extra,
});

describe('registration (fake legacy system, in-memory store)', () => {
  let f: DomainFixture;
  let register: Register;

  beforeEach(async () => {
    f = await domainFixture([legacyUser('L-1', 'alice', 'wonderland')]);
    register = createRegister({
      accounts: f.store.accounts,
      hasher: f.hasher,
      legacy: f.cutOffAwareLegacy,
      record: f.record,
      passwordPolicy: createPasswordPolicy(10),
      now: f.now,
    });
  });
  afterEach(() => f.close());
  after(closeHasher);

  it('registers a new name after asking the legacy system about it', async () => {
    const outcome = await register(input('zoe', { givenName: 'Zoe' }));
    assert.equal(outcome.kind, 'registered');
    const account = await f.store.accounts.findByLogin('zoe@new.example.com');
    assert.deepEqual(
      [account?.origin, account?.emailVerified, account?.givenName, account?.createdAt],
      ['registered', false, 'Zoe', f.now()],
    );
    assert.ok(account?.password.kind === 'bcrypt');
    assert.ok(await f.hasher.verify('a long enough passphrase', account.password.hash));
    assert.equal(f.legacy.calls.findUser, 2, 'username and email');
    assert.equal((await f.events('registered')).length, 1);
  });

  it('refuses a name or email a local account holds', async () => {
    await f.localAccount('bob', 'bobs password');
    assert.deepEqual(await register(input('BOB')), { kind: 'taken' });
    assert.deepEqual(await register(input('bob2', { email: 'bob@local.example.com' })), { kind: 'taken' });
    assert.equal(f.legacy.calls.findUser, 0, 'no need to ask the legacy system');
  });

  it('refuses a name or email a legacy user holds (they should sign in instead)', async () => {
    assert.deepEqual(await register(input('Alice')), { kind: 'taken' });
    assert.deepEqual(await register(input('alice2', { email: 'alice@example.com' })), { kind: 'taken' });
    assert.equal(await f.store.accounts.findByLogin('alice2'), undefined);
  });

  it('fails closed while the legacy system is unavailable', async () => {
    f.legacy.down = true;
    assert.deepEqual(await register(input('zoe')), { kind: 'legacy-unavailable' });
    assert.equal(await f.store.accounts.findByLogin('zoe'), undefined);
  });

  it('after the cut-off checks only the local store', async () => {
    await f.cutOffAwareLegacy.set(true, 'admin-1');
    f.legacy.down = true;
    assert.equal((await register(input('alice'))).kind, 'registered');
    assert.equal(f.legacy.calls.findUser, 0);
  });

  it('reports every invalid field and a weak password, storing nothing', async () => {
    const outcome = await register(input('', { email: 'nope', password: 'short' }));
    assert.ok(outcome.kind === 'invalid-input');
    assert.deepEqual(Object.keys(outcome.errors).sort(), ['email', 'password', 'username']);
    assert.equal(f.legacy.calls.findUser, 0);
  });
});
