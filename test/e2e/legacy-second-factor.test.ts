import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { DEMO_TOTP_USER, DEMO_USERS } from '../../src/demo/demo-users.js';
import type { LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, finishAuthorization } from '../support/oidc-flow.js';

/**
 * A legacy user who had two-step verification in the legacy system (`migration.mapping.totpSecret`, here the demo
 * mapping's `totp_secret`) keeps it: the account is made with their authenticator app, and the very first sign-in
 * asks for its code before it completes. Codes come from Debian's oathtool, independent of the IdP's TOTP code.
 */
const oathtool = (secret: string, at = new Date()) =>
  execFileSync('oathtool', ['--totp', '-b', secret, '--now', `@${String(Math.floor(at.getTime() / 1000))}`], {
    encoding: 'utf8',
  }).trim();

const FRANK_SECRET = String(DEMO_TOTP_USER.profile.totp_secret);
/** 9 bytes: below even the 80 bits of the shortest secrets apps were given, so it is not carried. */
const SHORT_SECRET = 'JBSWY3DPEHPK3PX';
/** RFC 6238's test secret ("12345678901234567890"), written as some legacy stores do: lower case, grouped. */
const IVAN_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const legacyUser = (uid: string, name: string, password: string, totpSecret: string): LegacyUserRecord => ({
  password,
  profile: {
    uid,
    user_name: name,
    mail: `${name}@example.com`,
    first: name,
    last: 'Legacy',
    mail_confirmed: true,
    totp_secret: totpSecret,
  },
});

const USERS: readonly LegacyUserRecord[] = [
  ...DEMO_USERS,
  DEMO_TOTP_USER,
  legacyUser('L-2001', 'grace', 'grace-legacy-pw', SHORT_SECRET),
  legacyUser('L-2002', 'ivan', 'ivan-legacy-pw', IVAN_SECRET.toLowerCase().replace(/(.{4})/g, '$1 ')),
];

describe('a legacy TOTP secret carried to the account (hosted pages, embedded store)', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ users: USERS });
  });
  after(() => t.close());

  /** Everything the store holds on disk (the SQLite file and its write-ahead log), and every event and log line. */
  const everywhere = async () => {
    const path = t.sqlitePath ?? '';
    const files = [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
    const events = JSON.stringify(await t.idp.store.events.list({ limit: 500 }));
    return Buffer.concat([...files, Buffer.from(events), Buffer.from(t.logs.join('\n'))]);
  };

  const migratedEvent = async (legacyId: string) =>
    (await t.idp.store.events.list({ type: 'migrated' })).find(
      (e) => e.type === 'migrated' && e.legacy.id === legacyId,
    );

  it('migrates at the first sign-in with the app as its factor, and asks for its code before the tokens', async () => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'frank', password: 'two-steps-ahead' },
    });
    assert.equal(posted.status, 200, 'a question, not a redirect to the client');
    assert.match(await posted.text(), /Two-step verification/);

    const account = await t.idp.store.accounts.findByLegacyId('test-legacy', 'L-1006');
    assert.ok(account, 'the account is made with the first right password');
    const factors = await t.idp.store.factors.listByAccount(account.id);
    assert.deepEqual(
      factors.map((f) => [f.kind, f.mark]),
      [['totp', 0]],
    );
    assert.match(String(factors[0]?.data.secret), /^v1\./, 'sealed like a secret set up here');

    const secondStep = `${start.interactionUrl}/second-factor`;
    const wrong = await start.agent.request(secondStep, { form: { code: oathtool(IVAN_SECRET) } });
    assert.equal(wrong.status, 401, "another app's code is refused");
    const answered = await start.agent.request(secondStep, { form: { code: oathtool(FRANK_SECRET) } });
    assert.equal(answered.status, 303);
    const landed = await start.agent.follow(answered, t.issuer);
    const tokens = await finishAuthorization(start, landed.url);
    const claims = decodeJwt(tokens.id_token ?? '');
    assert.equal(claims.sub, account.id);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);

    const migrated = await migratedEvent('L-1006');
    assert.equal(migrated?.type === 'migrated' && migrated.totp, 'carried');
    const events = await t.idp.store.events.list({ limit: 100 });
    assert.ok(events.some((e) => e.type === 'factor_enrolled' && e.accountId === account.id && e.factor === 'totp'));
    assert.ok(events.some((e) => e.type === 'factor_used' && e.accountId === account.id));
    assert.equal((await everywhere()).includes(FRANK_SECRET), false, 'never in clear: store, events, logs');
  });

  it('a second sign-in with the password alone is not enough either', async () => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'frank', password: 'two-steps-ahead' },
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /Two-step verification/);
  });

  it('an unusable secret: migrated without a factor, and the operator is told (never the value)', async () => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'grace', password: 'grace-legacy-pw' },
    });
    assert.equal(posted.status, 303, 'signed in with the password, as before');
    const landed = await start.agent.follow(posted, t.issuer);
    const tokens = await finishAuthorization(start, landed.url);
    assert.deepEqual(decodeJwt(tokens.id_token ?? '').amr, ['pwd']);

    const account = await t.idp.store.accounts.findByLegacyId('test-legacy', 'L-2001');
    assert.ok(account);
    assert.deepEqual(await t.idp.store.factors.listByAccount(account.id), []);
    const migrated = await migratedEvent('L-2001');
    assert.equal(migrated?.type === 'migrated' && migrated.totp, 'invalid_secret');
    assert.equal((await everywhere()).includes(SHORT_SECRET), false);
  });

  it('choosing new logins (the email is taken here) also ends with the code, and keeps the secret sealed meanwhile', async () => {
    const at = new Date();
    const holder = await t.idp.store.accounts.insert({
      id: 'local-ivan-holder',
      username: 'someone-else',
      email: 'ivan@example.com',
      emailVerified: true,
      roles: [],
      origin: 'registered',
      password: { kind: 'none' },
      createdAt: at,
      updatedAt: at,
    });
    assert.equal(holder.kind, 'inserted');

    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'ivan', password: 'ivan-legacy-pw' },
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /email/);
    assert.equal(await t.idp.store.accounts.findByLegacyId('test-legacy', 'L-2002'), undefined, 'not yet');
    assert.equal((await everywhere()).includes(IVAN_SECRET), false, 'the waiting secret is sealed');

    const chosen = await start.agent.request(`${start.interactionUrl}/logins`, {
      form: { email: 'ivan.new@example.com' },
    });
    assert.equal(chosen.status, 200, 'the second step, not the client yet');
    assert.match(await chosen.text(), /Two-step verification/);
    const account = await t.idp.store.accounts.findByLegacyId('test-legacy', 'L-2002');
    assert.equal(account?.email, 'ivan.new@example.com');
    const factors = await t.idp.store.factors.listByAccount(account.id);
    assert.deepEqual(
      factors.map((f) => f.kind),
      ['totp'],
    );

    const answered = await start.agent.request(`${start.interactionUrl}/second-factor`, {
      form: { code: oathtool(IVAN_SECRET) },
    });
    assert.equal(answered.status, 303);
    const landed = await start.agent.follow(answered, t.issuer);
    const tokens = await finishAuthorization(start, landed.url);
    assert.deepEqual(decodeJwt(tokens.id_token ?? '').amr, ['pwd', 'otp', 'mfa']);
    const migrated = await migratedEvent('L-2002');
    assert.deepEqual(migrated?.type === 'migrated' && [migrated.chosen, migrated.totp], [['email'], 'carried']);
    assert.equal((await everywhere()).includes(IVAN_SECRET), false);
  });
});
