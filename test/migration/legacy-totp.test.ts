import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { totpSealContext } from '../../src/mfa/second-factor.js';
import { adopt, type Adoption } from '../../src/migration/adopt.js';
import { createChooseLogins } from '../../src/migration/choose-logins.js';
import { readLegacyTotpSecret, type LegacyFactorDependencies } from '../../src/migration/legacy-totp.js';
import { createSignIn } from '../../src/migration/sign-in.js';
import { createProfileTransformer } from '../../src/migration/transform.js';
import { createPasswordReset } from '../../src/password-reset/password-reset.js';
import type { ImportSource } from '../../src/import/import-source.js';
import { runImport } from '../../src/import/run-import.js';
import { outboxMailer } from '../../src/mail/mailer.js';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';
import { closeHasher, domainFixture, legacyUser, SOURCE, type DomainFixture } from './domain-fixture.js';

/** RFC 6238's test secret, "12345678901234567890" (20 bytes). */
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const secretBox = createSecretBox([{ id: 'unit', key: randomBytes(32) }]);

describe('reading a legacy TOTP secret', () => {
  it('takes base32 as people and systems write it: any case, grouped, padded', () => {
    for (const written of [
      SECRET,
      SECRET.toLowerCase(),
      'gezd gnbv gy3t qojq gezd gnbv gy3t qojq',
      'GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ',
    ]) {
      assert.deepEqual(readLegacyTotpSecret(written), { kind: 'valid', secret: SECRET }, written);
    }
    // 16 bytes, the least RFC 4226 allows: 26 characters, padded to 32.
    const sixteen = 'GEZDGNBVGY3TQOJQGEZDGNBVGY';
    assert.deepEqual(readLegacyTotpSecret(`${sixteen}======`), { kind: 'valid', secret: sixteen });
    // 10 bytes, what Google2FA (Laravel Fortify), older PyOTP and ROTP and Google's own example made.
    assert.deepEqual(readLegacyTotpSecret('JBSWY3DPEHPK3PXP'), { kind: 'valid', secret: 'JBSWY3DPEHPK3PXP' });
  });

  it('has nothing to carry for a missing or empty value', () => {
    for (const absent of [undefined, null, '', '   ']) assert.equal(readLegacyTotpSecret(absent), undefined);
  });

  it('refuses what cannot be a secret of at least 10 bytes', () => {
    for (const value of [
      'JBSWY3DPEHPK3PX', // 9 bytes
      'GEZDGNBVGY3TQOJQGEZDGNBVG', // 25 characters: 15 bytes and some bits
      `${SECRET}1`, // 1 is not base32 (nor 0, 8, 9)
      `${SECRET}A`, // 33 characters: no whole number of bytes
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ=X',
      'A'.repeat(232), // 145 bytes: junk, not a secret
      1234567890,
      { secret: SECRET },
    ]) {
      assert.deepEqual(readLegacyTotpSecret(value), { kind: 'invalid' }, JSON.stringify(value));
    }
  });
});

describe('the mapping carries the secret beside the profile, never in it', () => {
  const legacy = { uid: 'L-1', user_name: 'frank', mail: 'frank@example.com', first: 'Frank', last: 'A' };

  it('a valid secret: outside the profile and the identity', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const outcome = await transform({ ...legacy, totp_secret: SECRET.toLowerCase() });
    assert.ok(outcome.kind === 'valid');
    assert.deepEqual(outcome.totp, { kind: 'valid', secret: SECRET });
    assert.ok(!('totpSecret' in outcome.profile));
    assert.ok(!JSON.stringify([outcome.profile, outcome.identity]).includes(SECRET));
  });

  it('an invalid one does not refuse the profile, and its value goes nowhere', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const outcome = await transform({ ...legacy, totp_secret: 'JBSWY3DPEHPK3PX' });
    assert.ok(outcome.kind === 'valid');
    assert.deepEqual(outcome.totp, { kind: 'invalid' });
    assert.ok(!JSON.stringify(outcome).includes('JBSWY3DPEHPK3PX'));
  });

  it('none: no `totp` at all; without the mapping entry, a legacy field of that name is not read', async () => {
    const withMapping = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const none = await withMapping(legacy);
    assert.ok(none.kind === 'valid' && !('totp' in none));
    const mapping = { ...DEMO_MAPPING, totpSecret: undefined };
    const without = await createProfileTransformer({ mapping, emailRequired: true });
    const ignored = await without({ ...legacy, totp_secret: SECRET });
    assert.ok(ignored.kind === 'valid' && !('totp' in ignored));
  });

  it('a profile that fails validation carries nothing', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const outcome = await transform({ ...legacy, mail: 'no email', totp_secret: SECRET });
    assert.deepEqual(outcome.kind === 'invalid' && outcome.fields, ['email']);
    assert.ok(!JSON.stringify(outcome).includes(SECRET));
  });
});

describe('adopting a legacy user with a TOTP secret (in-memory store)', () => {
  let f: DomainFixture;
  let legacyFactors: LegacyFactorDependencies;
  const deps = () => ({
    accounts: f.store.accounts,
    record: f.record,
    tombstones: f.tombstones,
    now: f.now,
    legacyFactors,
  });
  const adoption = (id: string, username: string, totp: Adoption['totp']): Adoption => ({
    legacy: { source: SOURCE, id },
    profile: { username, email: `${username}@example.com`, emailVerified: true, roles: [] },
    passwordHash: '$2b$04$not.a.real.hash.but.never.verified.here.........',
    login: username,
    ...(totp ? { totp } : {}),
  });

  beforeEach(async () => {
    f = await domainFixture([], { hashes: false });
    legacyFactors = { factors: f.store.factors, secretBox };
  });
  afterEach(() => f.close());

  it('stores the factor sealed for the account, unused (mark 0), and says so in the events', async () => {
    const adopted = await adopt(deps(), adoption('L-1', 'frank', { kind: 'valid', secret: SECRET }), undefined);
    assert.ok(adopted.kind === 'adopted');
    const [factor, ...more] = await f.store.factors.listByAccount(adopted.account.id);
    assert.equal(more.length, 0);
    assert.deepEqual([factor?.kind, factor?.mark], ['totp', 0]);
    const opened = secretBox.open(factor?.data.secret, totpSealContext(adopted.account.id));
    assert.deepEqual(opened.kind === 'opened' && opened.plaintext, SECRET);
    const [migrated] = await f.events('migrated');
    assert.equal(migrated?.type === 'migrated' && migrated.totp, 'carried');
    assert.equal((await f.events('factor_enrolled')).length, 1);
    assert.ok(!JSON.stringify(await f.events()).includes(SECRET));
  });

  it('an invalid secret: the account without a factor, and `invalid_secret` on its event', async () => {
    const adopted = await adopt(deps(), adoption('L-1', 'frank', { kind: 'invalid' }), undefined);
    assert.ok(adopted.kind === 'adopted');
    assert.deepEqual(await f.store.factors.listByAccount(adopted.account.id), []);
    const [migrated] = await f.events('migrated');
    assert.equal(migrated?.type === 'migrated' && migrated.totp, 'invalid_secret');
    assert.deepEqual(await f.events('factor_enrolled'), []);
  });

  it('an account the store refuses leaves no factor behind', async () => {
    await f.localAccount('frank', 'irrelevant', { email: 'frank@example.com', password: { kind: 'none' } });
    const outcome = await adopt(deps(), adoption('L-1', 'frank', { kind: 'valid', secret: SECRET }), undefined);
    assert.equal(outcome.kind, 'taken');
    assert.equal((await f.store.factors.countAccountsByKind()).totp, 0);
  });

  it('a store failing after the factor: the account is not made, so never without its factor', async () => {
    const accounts = { ...f.store.accounts, insert: () => Promise.reject(new Error('store down')) };
    await assert.rejects(
      adopt({ ...deps(), accounts }, adoption('L-1', 'frank', { kind: 'valid', secret: SECRET }), undefined),
      /store down/,
    );
    assert.equal(await f.store.accounts.findByLegacyId(SOURCE, 'L-1'), undefined);
    assert.equal((await f.store.factors.countAccountsByKind()).totp, 0, 'the factor was taken back');
  });

  it('refuses to adopt without the means to keep the secret (a wiring mistake), storing nothing', async () => {
    const without = { ...deps(), legacyFactors: undefined };
    await assert.rejects(adopt(without, adoption('L-1', 'frank', { kind: 'valid', secret: SECRET }), undefined));
    assert.equal(await f.store.accounts.findByLegacyId(SOURCE, 'L-1'), undefined);
  });
});

describe('the paths that adopt carry the secret (fake legacy system, in-memory store)', () => {
  const FRANK = legacyUser('L-6', 'frank', 'two-steps-ahead', { totp_secret: SECRET });
  /** Legacy username "frank" too, another legacy user: signs in by email and must choose a new name. */
  const OTHER_FRANK = legacyUser('L-7', 'frank', 'the other one', {
    mail: 'frank.two@example.com',
    totp_secret: SECRET,
  });
  let f: DomainFixture;
  let legacyFactors: LegacyFactorDependencies;

  beforeEach(async () => {
    f = await domainFixture([FRANK, OTHER_FRANK]);
    legacyFactors = { factors: f.store.factors, secretBox };
  });
  afterEach(() => f.close());
  after(() => closeHasher());

  const signIn = () =>
    createSignIn({
      accounts: f.store.accounts,
      hasher: f.hasher,
      legacy: f.cutOffAwareLegacy,
      transform: f.transform,
      record: f.record,
      tombstones: f.tombstones,
      singleFlight: { leases: f.store.leases, secret: 'unit-test', leaseMs: 5000, pollMs: 5, maxWaitMs: 1000 },
      followRenames: { username: false, email: false },
      legacyFactors,
      now: f.now,
    });
  const totpOf = async (accountId: string) =>
    (await f.store.factors.listByAccount(accountId)).filter((factor) => factor.kind === 'totp').length;

  it('a first sign-in', async () => {
    const outcome = await signIn()('frank', 'two-steps-ahead');
    assert.ok(outcome.kind === 'signed-in' && outcome.migrated);
    assert.equal(await totpOf(outcome.account.id), 1);
  });

  it('choosing new logins: the secret waits sealed for this legacy user, then goes to the account', async () => {
    await signIn()('frank', 'two-steps-ahead');
    const outcome = await signIn()('frank.two@example.com', 'the other one');
    assert.ok(outcome.kind === 'login-taken');
    assert.equal(outcome.pending.totp?.kind, 'sealed');
    assert.ok(!JSON.stringify(outcome.pending).includes(SECRET), 'what the page keeps holds no secret in clear');

    const choose = createChooseLogins({
      accounts: f.store.accounts,
      record: f.record,
      tombstones: f.tombstones,
      legacy: f.cutOffAwareLegacy,
      transform: f.transform,
      emailRequired: true,
      legacyFactors,
      now: f.now,
    });
    // As the page keeps it: JSON.
    const kept = JSON.parse(JSON.stringify(outcome.pending)) as typeof outcome.pending;
    const chosen = await choose(kept, { username: 'frank.two' });
    assert.ok(chosen.kind === 'signed-in');
    assert.equal(await totpOf(chosen.account.id), 1);
    const migrated = (await f.events('migrated')).find((e) => e.type === 'migrated' && e.legacy.id === 'L-7');
    assert.equal(migrated?.type === 'migrated' && migrated.totp, 'carried');
  });

  it('a password reset by email', async () => {
    const mailer = outboxMailer();
    const reset = createPasswordReset({
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
      legacyFactors,
      now: f.now,
    });
    await reset.request('frank');
    const token = /reset\/(\S+)/.exec(mailer.outbox[0]?.text ?? '')?.[1] ?? '';
    const done = await reset.complete(token, 'a brand new passphrase');
    assert.ok(done.kind === 'done' && done.migrated);
    assert.equal(await totpOf(done.account.id), 1, 'a reset by email is no way around the second factor');
  });
});

describe('bulk import carries the secret too (in-memory store)', () => {
  let f: DomainFixture;
  let legacyFactors: LegacyFactorDependencies;
  beforeEach(async () => {
    f = await domainFixture([], { hashes: false });
    legacyFactors = { factors: f.store.factors, secretBox };
  });
  afterEach(() => f.close());

  const source = (profiles: Record<string, unknown>[]): ImportSource => ({
    signature: 'unit:legacy-totp',
    total: () => Promise.resolve(profiles.length),
    async *pages() {
      yield {
        items: profiles.map((profile, index) => ({ ref: `#${String(index)}`, record: { profile, disabled: false } })),
        resumeFrom: String(profiles.length),
      };
    },
  });
  const users = [
    legacyUser('I-1', 'ina', 'x', { totp_secret: SECRET }).profile,
    legacyUser('I-2', 'ike', 'x', { totp_secret: 'not a secret' }).profile,
    legacyUser('I-3', 'ida', 'x').profile,
  ];
  const run = () =>
    runImport(
      {
        accounts: f.store.accounts,
        transform: f.transform,
        record: f.record,
        tombstones: f.tombstones,
        legacySource: SOURCE,
        legacyFactors,
      },
      source(users),
    );

  it('stores the factor sealed with its account, counts both kinds, and a repeated run adds none', async () => {
    const first = await run();
    assert.deepEqual([first.imported, first.withTotp, first.invalidTotp], [3, 1, 1]);
    const ina = await f.store.accounts.findByLegacyId(SOURCE, 'I-1');
    assert.ok(ina);
    const [factor] = await f.store.factors.listByAccount(ina.id);
    const opened = secretBox.open(factor?.data.secret, totpSealContext(ina.id));
    assert.deepEqual(opened.kind === 'opened' && opened.plaintext, SECRET);
    const [event] = await f.events('imported');
    assert.deepEqual(event?.type === 'imported' && [event.withTotp, event.invalidTotp], [1, 1]);

    const again = await run();
    assert.deepEqual([again.imported, again.skipped], [0, 3]);
    assert.equal((await f.store.factors.countAccountsByKind()).totp, 1);
    assert.ok(!JSON.stringify(await f.events()).includes(SECRET));
  });
});
