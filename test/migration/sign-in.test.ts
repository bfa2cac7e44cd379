import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { createChooseLogins } from '../../src/migration/choose-logins.js';
import { createSignIn, type SignIn, type SignInOutcome } from '../../src/migration/sign-in.js';
import { closeHasher, domainFixture, legacyUser, SOURCE, type DomainFixture } from './domain-fixture.js';

const ALICE = legacyUser('L-1', 'alice', 'wonderland');
const DAVE = legacyUser('L-4', 'dave', 'pod-bay-doors', { disabled: true });
const ERIN = legacyUser('L-5', 'erin', 'no-valid-email', { mail: 'not an email' });
/** Legacy username "alice" too, but another legacy user: signs in by email and must choose a new name. */
const OTHER_ALICE = legacyUser('L-9', 'alice', 'the other one', { mail: 'alice.two@example.com' });

function signInWith(f: DomainFixture): SignIn {
  return createSignIn({
    accounts: f.store.accounts,
    hasher: f.hasher,
    legacy: f.cutOffAwareLegacy,
    transform: f.transform,
    record: f.record,
    tombstones: f.tombstones,
    singleFlight: { leases: f.store.leases, secret: 'unit-test', leaseMs: 5000, pollMs: 5, maxWaitMs: 1000 },
    followRenames: { username: false, email: false },
    now: f.now,
  });
}

function chooseLoginsOf(f: DomainFixture) {
  return createChooseLogins({
    accounts: f.store.accounts,
    record: f.record,
    tombstones: f.tombstones,
    legacy: f.cutOffAwareLegacy,
    transform: f.transform,
    emailRequired: true,
    now: f.now,
  });
}

function kindOf(outcome: SignInOutcome): string {
  return outcome.kind === 'invalid-credentials' ? `invalid-credentials/${outcome.via}` : outcome.kind;
}

describe('sign-in with just-in-time migration (fake legacy system, in-memory store)', () => {
  let f: DomainFixture;
  let signIn: SignIn;

  beforeEach(async () => {
    f = await domainFixture([ALICE, DAVE, ERIN, OTHER_ALICE]);
    signIn = signInWith(f);
  });
  afterEach(() => f.close());
  after(closeHasher);

  it('valid legacy password: adopts the user, records migrated with its latency, and writes back', async () => {
    const outcome = await signIn('Alice', 'wonderland');
    assert.ok(outcome.kind === 'signed-in' && outcome.migrated);
    const account = await f.store.accounts.findByLogin('alice');
    assert.equal(account?.origin, 'migrated');
    assert.deepEqual(account.legacy, { source: SOURCE, id: 'L-1', migratedAt: f.now() });
    assert.ok(account.password.kind === 'bcrypt');
    assert.ok(await f.hasher.verify('wonderland', account.password.hash));

    const [migrated] = await f.events('migrated');
    assert.ok(migrated?.type === 'migrated');
    assert.equal(migrated.login, 'alice');
    assert.deepEqual(migrated.legacy, { source: SOURCE, id: 'L-1' });
    assert.equal(typeof migrated.legacyLatencyMs, 'number');
    assert.equal(migrated.via, undefined);
    assert.deepEqual(
      (await f.events('signed_in')).map((e) => e.type === 'signed_in' && e.migrated),
      [true],
    );
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1']);
  });

  it('a failed write-back is recorded and does not fail the sign-in', async () => {
    f.legacy.writeBack = { kind: 'failed', cause: 'read-only replica' };
    assert.equal((await signIn('alice', 'wonderland')).kind, 'signed-in');
    await f.settle();
    const [failed] = await f.events('legacy_write_back_failed');
    assert.ok(failed?.type === 'legacy_write_back_failed');
    assert.equal(failed.cause, 'read-only replica');
  });

  it('wrong legacy password: refused as invalid credentials, nothing stored', async () => {
    assert.equal(kindOf(await signIn('alice', 'looking-glass')), 'invalid-credentials/legacy');
    assert.equal(await f.store.accounts.findByLogin('alice'), undefined);
    const [failed] = await f.events('migration_failed');
    assert.ok(failed?.type === 'migration_failed');
    assert.equal(failed.reason, 'invalid_credentials');
    assert.equal(failed.login, undefined, 'an unconfirmed login is never recorded');
  });

  it('disabled or locked in the legacy system: refused, nothing stored', async () => {
    assert.equal(kindOf(await signIn('dave', 'pod-bay-doors')), 'legacy-disabled');
    assert.equal(await f.store.accounts.findByLogin('dave'), undefined);
    assert.deepEqual(
      (await f.events('migration_failed')).map((e) => e.type === 'migration_failed' && e.reason),
      ['disabled'],
    );
  });

  it('legacy system unavailable: "temporarily unavailable", never a wrong password', async () => {
    f.legacy.down = true;
    assert.equal(kindOf(await signIn('alice', 'wonderland')), 'legacy-unavailable');
    assert.equal(await f.store.accounts.findByLogin('alice'), undefined);
    const [failed] = await f.events('migration_failed');
    assert.ok(failed?.type === 'migration_failed');
    assert.deepEqual([failed.reason, failed.cause], ['unavailable', 'fake outage']);
  });

  it('unusable legacy record: rejected for support, nothing stored', async () => {
    f.legacy.nextAnswer = { kind: 'unusable', cause: 'no stable id' };
    assert.equal(kindOf(await signIn('alice', 'wonderland')), 'migration-rejected');
    assert.equal(await f.store.accounts.findByLogin('alice'), undefined);
  });

  it('a password the legacy system cannot judge is told like a wrong one', async () => {
    f.legacy.nextAnswer = { kind: 'unjudgeable', reason: 'unsupported_hash', cause: 'md4', legacyId: 'L-1' };
    assert.equal(kindOf(await signIn('alice', 'wonderland')), 'invalid-credentials/legacy');
    const [failed] = await f.events('migration_failed');
    assert.ok(failed?.type === 'migration_failed');
    assert.deepEqual(failed.legacy, { source: SOURCE, id: 'L-1' });
  });

  it('a profile that fails validation is rejected with the failing fields, nothing stored', async () => {
    assert.equal(kindOf(await signIn('erin', 'no-valid-email')), 'migration-rejected');
    assert.equal(await f.store.accounts.findByLogin('erin'), undefined);
    const [failed] = await f.events('migration_failed');
    assert.ok(failed?.type === 'migration_failed');
    assert.deepEqual([failed.reason, failed.login, failed.fields], ['validation', 'erin', ['email']]);
    assert.deepEqual(f.legacy.calls.afterMigration, []);
  });

  it('a legacy name another account holds: the user chooses a new one, then is adopted like any first sign-in', async () => {
    assert.equal((await signIn('alice', 'wonderland')).kind, 'signed-in');
    const outcome = await signIn('alice.two@example.com', 'the other one');
    assert.ok(outcome.kind === 'login-taken');
    assert.deepEqual(outcome.pending.taken, ['username']);
    assert.equal(JSON.stringify(outcome.pending).includes('the other one'), false, 'no plaintext password kept');
    const [conflict] = await f.events('migration_conflict');
    assert.ok(conflict?.type === 'migration_conflict');
    assert.deepEqual(conflict.fields, ['username']);

    const chooseLogins = chooseLoginsOf(f);
    // Another legacy user's name is refused too (they have not migrated yet, and would lose it).
    assert.deepEqual(await chooseLogins(outcome.pending, { username: 'dave' }), {
      kind: 'taken',
      fields: ['username'],
    });
    const chosen = await chooseLogins(outcome.pending, { username: 'alice-two' });
    assert.equal(chosen.kind, 'signed-in');
    const account = await f.store.accounts.findByLogin('alice-two');
    assert.deepEqual([account?.origin, account?.legacy?.id], ['migrated', 'L-9']);
    const migrated = (await f.events('migrated')).find((e) => e.type === 'migrated' && e.legacy.id === 'L-9');
    assert.ok(migrated?.type === 'migrated');
    assert.deepEqual(migrated.chosen, ['username']);
    assert.equal(typeof migrated.legacyLatencyMs, 'number');
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1', 'L-9']);
  });

  it('choosing logins while the legacy system is down fails closed', async () => {
    await signIn('alice', 'wonderland');
    const outcome = await signIn('alice.two@example.com', 'the other one');
    assert.ok(outcome.kind === 'login-taken');
    f.legacy.down = true;
    const chooseLogins = chooseLoginsOf(f);
    assert.deepEqual(await chooseLogins(outcome.pending, { username: 'alice-two' }), { kind: 'legacy-unavailable' });
    assert.equal(await f.store.accounts.findByLogin('alice-two'), undefined);
  });

  it('once migrated, the account alone judges the password: the legacy system is never asked again', async () => {
    await signIn('alice', 'wonderland');
    const calls = f.legacy.calls.authenticate;
    f.legacy.down = true;
    const outcome = await signIn('alice', 'wonderland');
    assert.ok(outcome.kind === 'signed-in' && !outcome.migrated);
    assert.equal(f.legacy.calls.authenticate, calls);
    assert.equal((await f.events('migrated')).length, 1);
  });

  it('a wrong password on a migrated account is refused locally and recorded as sign_in_refused', async () => {
    await signIn('alice', 'wonderland');
    const calls = f.legacy.calls.authenticate;
    assert.equal(kindOf(await signIn('alice', 'wrong')), 'invalid-credentials/local');
    assert.equal(f.legacy.calls.authenticate, calls);
    const [refused] = await f.events('sign_in_refused');
    assert.ok(refused?.type === 'sign_in_refused');
    assert.equal(refused.reason, 'invalid_password');
  });

  it('after the cut-off an unknown login is a wrong password, and the legacy system is not called', async () => {
    await f.cutOffAwareLegacy.set(true, 'admin-1');
    assert.equal(kindOf(await signIn('alice', 'wonderland')), 'invalid-credentials/local');
    assert.equal(f.legacy.calls.authenticate, 0);
    assert.equal(await f.store.accounts.findByLogin('alice'), undefined);
  });
});
