/**
 * The LDAP connector against OpenLDAP's ppolicy overlay (draft-behera password policy), as directory admins run it:
 * locked accounts (by an admin and by failures), expired and reset passwords, grace logins and warnings, with and
 * without `ppolicy_use_lockout`. What slapd answers is asserted too (a raw bind with the control), so a change of
 * the server's behaviour shows up as such and not as a puzzling connector failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, InvalidCredentialsError } from 'ldapts';
import { legacySchema } from '../../src/config/legacy-schema.js';
import type { LegacyConnector } from '../../src/legacy/connector.js';
import { createLdapConnector } from '../../src/legacy/ldap-connector.js';
import {
  decodePasswordPolicyResponse,
  PasswordPolicyControl,
  policyVerdict,
  type PasswordPolicyResponse,
} from '../../src/legacy/ldap/password-policy.js';
import {
  addEntries,
  policyEntry,
  sshaPassword,
  startOpenLdap,
  type OpenLdapServer,
} from '../support/servers/openldap.js';
import { missingTool } from '../support/tools.js';

const skip = missingTool('openldap');
const within = (ms = 5000) => ({ signal: AbortSignal.timeout(ms) });
const MAX_FAILURES = 3;

/** Users, each in the state its name says; every one's password is `<uid>-pw`. */
type Uid = 'plain' | 'admin-locked' | 'fail-locked' | 'expired' | 'grace' | 'warned' | 'reset';

interface PolicyDirectory {
  server: OpenLdapServer;
  connector: LegacyConnector;
  dn(uid: Uid): string;
  /** A bind with the control, as the connector makes it: the result code and the directory's policy answer. */
  rawBind(uid: Uid, password: string): Promise<{ code: number; policy: PasswordPolicyResponse | undefined }>;
  /** The entry's ppolicy state, read as the rootdn. */
  state(uid: Uid): Promise<Record<string, unknown>>;
}

async function startPolicyDirectory(useLockout: boolean): Promise<PolicyDirectory> {
  const server = await startOpenLdap({
    ppolicy: { useLockout, policy: { pwdLockout: true, pwdMaxFailure: MAX_FAILURES } },
  });
  const policy = (name: string) => `cn=${name},${server.policiesDn}`;
  await addEntries(
    server,
    [
      // No pwdLockout here: a lock only counts under a policy with pwdLockout (observed: without it, slapd ignores
      // pwdAccountLockedTime), and these users are about expiry and resets.
      policyEntry(policy('expiring'), { pwdMaxAge: 86_400 }),
      policyEntry(policy('expiring-with-grace'), { pwdMaxAge: 86_400, pwdGraceAuthnLimit: 2 }),
      policyEntry(policy('warning'), { pwdMaxAge: 86_400, pwdExpireWarning: 2 * 86_400 }),
      policyEntry(policy('must-change'), { pwdMustChange: true }),
    ].join('\n\n'),
  );
  const person = (uid: Uid, ...extra: string[]) =>
    [
      `dn: uid=${uid},${server.usersDn}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: ${uid}`,
      'sn: Policy',
      `mail: ${uid}@example.com`,
      `userPassword: ${sshaPassword(`${uid}-pw`)}`,
      ...extra,
    ].join('\n');
  // A password changed in 2000 is long past any pwdMaxAge; pwdChangedTime is the server's, hence `relax`.
  const old = 'pwdChangedTime: 20000101000000Z';
  await addEntries(
    server,
    [
      person('plain'),
      // 000001010000Z: locked until an admin unlocks it (slapo-ppolicy(5)).
      person('admin-locked', 'pwdAccountLockedTime: 000001010000Z'),
      person('fail-locked'),
      person('expired', `pwdPolicySubentry: ${policy('expiring')}`, old),
      person('grace', `pwdPolicySubentry: ${policy('expiring-with-grace')}`, old),
      person('warned', `pwdPolicySubentry: ${policy('warning')}`),
      person('reset', `pwdPolicySubentry: ${policy('must-change')}`, 'pwdReset: TRUE'),
    ].join('\n\n'),
    { relax: true },
  );
  const config = legacySchema.parse({
    kind: 'ldap',
    url: server.url,
    bindDn: server.serviceDn,
    bindPassword: server.servicePassword,
    searchBase: server.usersDn,
    timeoutMs: 2000,
  });
  assert.equal(config.kind, 'ldap');
  const dn = (uid: Uid) => `uid=${uid},${server.usersDn}`;
  return {
    server,
    connector: createLdapConnector(config),
    dn,
    async rawBind(uid, password) {
      const client = new Client({ url: server.url });
      const control = new PasswordPolicyControl();
      try {
        await client.bind(dn(uid), password, control);
        return { code: 0, policy: control.response };
      } catch (error) {
        assert.ok(error instanceof InvalidCredentialsError, String(error));
        return { code: error.code, policy: control.response };
      } finally {
        await client.unbind().catch(() => undefined);
      }
    },
    async state(uid) {
      const client = new Client({ url: server.url });
      try {
        await client.bind(server.adminDn, server.adminPassword);
        const { searchEntries } = await client.search(dn(uid), {
          scope: 'base',
          attributes: ['pwdAccountLockedTime', 'pwdFailureTime', 'pwdGraceUseTime', 'pwdReset'],
        });
        return { ...searchEntries[0] };
      } finally {
        await client.unbind().catch(() => undefined);
      }
    },
  };
}

const NO_NEWS: PasswordPolicyResponse = { kind: 'decoded' };

describe('OpenLDAP ppolicy without ppolicy_use_lockout (the default)', { skip, timeout: 120_000 }, () => {
  let d: PolicyDirectory;
  const signIn = (login: string, password: string) => d.connector.authenticate(login, password, within());
  before(async () => {
    d = await startPolicyDirectory(false);
  });
  after(() => d.server.stop());

  it('answers the control: no news on a good bind, and the user signs in', async () => {
    assert.deepEqual(await d.rawBind('plain', 'plain-pw'), { code: 0, policy: NO_NEWS });
    assert.equal((await signIn('plain', 'plain-pw')).kind, 'valid');
  });

  it('an admin lock looks exactly like a wrong password to the binder, so it stays invalid, right password or not', async () => {
    // What slapd says: 49 and an empty control, for the right and for a wrong password alike.
    assert.deepEqual(await d.rawBind('admin-locked', 'admin-locked-pw'), { code: 49, policy: NO_NEWS });
    assert.deepEqual(await d.rawBind('admin-locked', 'wrong'), { code: 49, policy: NO_NEWS });
    assert.deepEqual(await signIn('admin-locked', 'admin-locked-pw'), { kind: 'invalid' });
    assert.deepEqual(await signIn('admin-locked', 'wrong'), { kind: 'invalid' });
  });

  it('a lockout after pwdMaxFailure failures: invalid, with the right password too', async () => {
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++) {
      assert.deepEqual(await signIn('fail-locked', 'wrong'), { kind: 'invalid' });
    }
    assert.ok((await d.state('fail-locked')).pwdAccountLockedTime, 'the directory locked the account');
    assert.deepEqual(await d.rawBind('fail-locked', 'fail-locked-pw'), { code: 49, policy: NO_NEWS });
    assert.deepEqual(await signIn('fail-locked', 'fail-locked-pw'), { kind: 'invalid' });
  });

  it('an expired password: disabled with the right password (only then does slapd say so), invalid with a wrong one', async () => {
    assert.deepEqual(await d.rawBind('expired', 'wrong'), { code: 49, policy: NO_NEWS });
    assert.deepEqual(await signIn('expired', 'expired-pw'), { kind: 'disabled' });
    assert.deepEqual(await signIn('expired', 'wrong'), { kind: 'invalid' });
    assert.deepEqual(await d.rawBind('expired', 'expired-pw'), {
      code: 49,
      policy: { kind: 'decoded', error: 'passwordExpired' },
    });
  });

  it('grace logins are sign-ins; once they are used up, the expired password is refused', async () => {
    assert.equal((await signIn('grace', 'grace-pw')).kind, 'valid');
    assert.deepEqual(await d.rawBind('grace', 'grace-pw'), {
      code: 0,
      policy: { kind: 'decoded', graceAuthNsRemaining: 0 },
    });
    assert.deepEqual(await signIn('grace', 'grace-pw'), { kind: 'disabled' });
  });

  it('an expiry warning is a sign-in', async () => {
    const answer = await d.rawBind('warned', 'warned-pw');
    assert.equal(answer.code, 0);
    assert.ok(answer.policy?.kind === 'decoded' && (answer.policy.timeBeforeExpiration ?? 0) > 0, 'warned');
    assert.equal((await signIn('warned', 'warned-pw')).kind, 'valid');
  });

  it('a password an admin reset (pwdReset with pwdMustChange): the bind succeeds, but it is refused as disabled', async () => {
    assert.deepEqual(await d.rawBind('reset', 'reset-pw'), {
      code: 0,
      policy: { kind: 'decoded', error: 'changeAfterReset' },
    });
    assert.deepEqual(await signIn('reset', 'reset-pw'), { kind: 'disabled' });
    assert.deepEqual(await signIn('reset', 'wrong'), { kind: 'invalid' });
    assert.equal((await d.state('reset')).pwdReset, 'TRUE', 'the refusal changed nothing in the directory');
  });

  it('an unknown login gets no control at all, and stays invalid', async () => {
    assert.deepEqual(await signIn('nobody-here', 'whatever'), { kind: 'invalid' });
  });
});

describe('OpenLDAP ppolicy with ppolicy_use_lockout', { skip, timeout: 120_000 }, () => {
  let d: PolicyDirectory;
  const signIn = (login: string, password: string) => d.connector.authenticate(login, password, within());
  before(async () => {
    d = await startPolicyDirectory(true);
  });
  after(() => d.server.stop());

  const LOCKED: PasswordPolicyResponse = { kind: 'decoded', error: 'accountLocked' };

  it('an admin lock is told to every binder, right password or not, so it is disabled either way', async () => {
    assert.deepEqual(await d.rawBind('admin-locked', 'admin-locked-pw'), { code: 49, policy: LOCKED });
    assert.deepEqual(await d.rawBind('admin-locked', 'wrong'), { code: 49, policy: LOCKED });
    assert.deepEqual(await signIn('admin-locked', 'admin-locked-pw'), { kind: 'disabled' });
    assert.deepEqual(await signIn('admin-locked', 'wrong'), { kind: 'disabled' });
  });

  it('a lockout after pwdMaxFailure failures: the failures are invalid, then disabled whatever the password', async () => {
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++) {
      assert.deepEqual(await signIn('fail-locked', 'wrong'), { kind: 'invalid' }, `failure ${attempt}`);
    }
    assert.deepEqual(await d.rawBind('fail-locked', 'wrong'), { code: 49, policy: LOCKED });
    assert.deepEqual(await signIn('fail-locked', 'wrong'), { kind: 'disabled' });
    assert.deepEqual(await signIn('fail-locked', 'fail-locked-pw'), { kind: 'disabled' });
  });

  it('expiry and reset are told as without it', async () => {
    assert.deepEqual(await signIn('expired', 'expired-pw'), { kind: 'disabled' });
    assert.deepEqual(await signIn('expired', 'wrong'), { kind: 'invalid' });
    assert.deepEqual(await signIn('reset', 'reset-pw'), { kind: 'disabled' });
    assert.equal((await signIn('plain', 'plain-pw')).kind, 'valid');
  });
});

describe('password policy response control: decoding and meaning', () => {
  const bytes = (hex: string) => Buffer.from(hex.replaceAll(' ', ''), 'hex');

  it('decodes the draft’s warning and error fields', () => {
    assert.deepEqual(decodePasswordPolicyResponse(bytes('')), { kind: 'decoded' });
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 00')), { kind: 'decoded' });
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 03 81 01 01')), {
      kind: 'decoded',
      error: 'accountLocked',
    });
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 05 a0 03 81 01 02')), {
      kind: 'decoded',
      graceAuthNsRemaining: 2,
    });
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 09 a0 04 80 02 01 00 81 01 00')), {
      kind: 'decoded',
      timeBeforeExpiration: 256,
      error: 'passwordExpired',
    });
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 03 81 01 2a')), { kind: 'decoded', error: 'unknown(42)' });
  });

  it('calls anything else malformed instead of guessing (or throwing inside ldapts’ message parser)', () => {
    for (const hex of [
      '30',
      '30 05 81 01',
      '31 00',
      '30 03 81 01 ff',
      '30 03 82 01 01',
      '30 03 81 00',
      '30 80 00 00',
    ]) {
      assert.deepEqual(decodePasswordPolicyResponse(bytes(hex)), { kind: 'malformed' }, hex);
    }
    assert.deepEqual(decodePasswordPolicyResponse(bytes('30 03 81 01 01 00')), { kind: 'malformed' }, 'trailing byte');
  });

  it('is sent non-critical and without a value, so a directory without the policy just binds', () => {
    const request = new PasswordPolicyControl();
    assert.equal(request.type, '1.3.6.1.4.1.42.2.27.8.5.1');
    assert.equal(request.critical, false);
  });

  it('refuses on a lock, an expiry or a reset; takes warnings; distrusts a success it cannot read', () => {
    for (const error of ['accountLocked', 'passwordExpired', 'changeAfterReset'] as const) {
      for (const bound of [true, false]) {
        assert.deepEqual(policyVerdict(bound, { kind: 'decoded', error }), { kind: 'refused' }, `${error} ${bound}`);
      }
    }
    assert.deepEqual(policyVerdict(true, { kind: 'decoded', graceAuthNsRemaining: 0 }), { kind: 'none' });
    assert.deepEqual(policyVerdict(true, { kind: 'decoded', timeBeforeExpiration: 10 }), { kind: 'none' });
    assert.deepEqual(policyVerdict(true, undefined), { kind: 'none' });
    assert.deepEqual(policyVerdict(true, { kind: 'decoded', error: 'passwordTooShort' }), { kind: 'none' });
    assert.equal(policyVerdict(true, { kind: 'malformed' }).kind, 'garbled');
    assert.equal(policyVerdict(true, { kind: 'decoded', error: 'unknown(42)' }).kind, 'garbled');
    // A failed bind stays a failed bind, whatever else came with it.
    assert.deepEqual(policyVerdict(false, { kind: 'malformed' }), { kind: 'none' });
    assert.deepEqual(policyVerdict(false, { kind: 'decoded', error: 'unknown(42)' }), { kind: 'none' });
  });
});
