import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AccountProfile } from '../../src/accounts/account.js';
import { adopt, type Adoption } from '../../src/migration/adopt.js';
import { domainFixture, SOURCE, type DomainFixture } from './domain-fixture.js';

const profile = (username: string): AccountProfile => ({
  username,
  email: `${username}@example.com`,
  emailVerified: true,
  roles: [],
});

const adoption = (id: string, username: string, extra: Partial<Adoption> = {}): Adoption => ({
  legacy: { source: SOURCE, id },
  profile: profile(username),
  passwordHash: '$2b$04$not.a.real.hash.but.never.verified.here.........',
  login: username,
  ...extra,
});

describe('adopting a legacy user (fake legacy system, in-memory store)', () => {
  let f: DomainFixture;
  const deps = () => ({ accounts: f.store.accounts, record: f.record, tombstones: f.tombstones, now: f.now });

  beforeEach(async () => {
    f = await domainFixture([], { hashes: false });
  });
  afterEach(() => f.close());

  it('stores the account and records migrated, with a latency only when the legacy system judged a password', async () => {
    const signedIn = await adopt(deps(), adoption('L-1', 'alice', { legacyLatencyMs: 12 }), f.legacy);
    const reset = await adopt(deps(), adoption('L-2', 'bob', { via: 'password_reset' }), f.legacy);
    assert.ok(signedIn.kind === 'adopted' && reset.kind === 'adopted');
    assert.deepEqual(signedIn.account.legacy, { source: SOURCE, id: 'L-1', migratedAt: f.now() });
    assert.equal(signedIn.account.origin, 'migrated');

    const events = (await f.events('migrated')).reverse();
    assert.deepEqual(
      events.map((e) => e.type === 'migrated' && [e.login, e.legacyLatencyMs, e.via]),
      [
        ['alice', 12, undefined],
        ['bob', undefined, 'password_reset'],
      ],
    );
    assert.equal('legacyLatencyMs' in (events[1] ?? {}), false);
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1', 'L-2']);
  });

  it('a legacy user already here (a parallel first sign-in won): that account, no second event', async () => {
    const first = await adopt(deps(), adoption('L-1', 'alice'), f.legacy);
    const second = await adopt(deps(), adoption('L-1', 'alice'), f.legacy);
    assert.ok(first.kind === 'adopted' && second.kind === 'already-here');
    assert.equal(second.account.id, first.account.id);
    assert.equal((await f.events('migrated')).length, 1);
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1']);
  });

  it('logins other accounts hold: nothing stored, and every taken login named', async () => {
    await f.localAccount('alice', 'irrelevant', { email: 'alice@example.com', password: { kind: 'none' } });
    const outcome = await adopt(deps(), adoption('L-1', 'Alice'), f.legacy);
    assert.deepEqual(outcome, { kind: 'taken', fields: ['username', 'email'] });
    assert.equal(await f.store.accounts.findByLegacyId(SOURCE, 'L-1'), undefined);
    assert.deepEqual(await f.events('migrated'), []);
    assert.deepEqual(f.legacy.calls.afterMigration, []);
  });

  it('an erased legacy user (a tombstone): nothing stored, no event, no write-back, until the tombstone is lifted', async () => {
    await f.tombstones.bury({ source: SOURCE, id: 'L-1' }, f.now());
    assert.deepEqual(await adopt(deps(), adoption('L-1', 'alice'), f.legacy), { kind: 'erased' });
    assert.equal(await f.store.accounts.findByLegacyId(SOURCE, 'L-1'), undefined);
    assert.deepEqual(await f.events('migrated'), []);
    const sameIdElsewhere = adoption('L-1', 'alice2', { legacy: { source: 'other-source', id: 'L-1' } });
    assert.equal((await adopt(deps(), sameIdElsewhere, f.legacy)).kind, 'adopted', 'the tombstone is per source');
    assert.equal(await f.tombstones.lift({ source: SOURCE, id: 'L-1' }), true);
    assert.equal((await adopt(deps(), adoption('L-1', 'alice'), f.legacy)).kind, 'adopted');
    await f.settle();
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-1', 'L-1']);
  });

  it('no write-back without a connected legacy system, nor when the connector has none', async () => {
    assert.equal((await adopt(deps(), adoption('L-1', 'alice'), undefined)).kind, 'adopted');
    f.legacy.writeBack = undefined;
    assert.equal((await adopt(deps(), adoption('L-2', 'bob'), f.legacy)).kind, 'adopted');
    await f.settle();
    assert.deepEqual(f.legacy.calls.afterMigration, ['L-2']);
    assert.deepEqual(await f.events('legacy_write_back_failed'), []);
  });
});
