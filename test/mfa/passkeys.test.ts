import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { Account } from '../../src/accounts/account.js';
import type { IdpEvent } from '../../src/events/event.js';
import { createPasskeys, type PasskeyData, type Passkeys } from '../../src/mfa/passkeys.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Passkeys against a real embedded store and the real @simplewebauthn/server, with a software authenticator written
 * here from the WebAuthn spec (an ES256 key, "none" attestation, CBOR by the library's own helper): its responses
 * are what a browser sends, down to the bytes signed, so each rule is checked with a response that breaks it and
 * nothing else. The browser suite (test/browser/passkeys.test.ts) does the same with Chromium's authenticator.
 */

const ISSUER = 'http://localhost:4000';
const ORIGIN = 'http://localhost:4000';

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const u32 = (n: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(n);
  return buffer;
};

/** Flags of authenticator data (WebAuthn §6.1): user present, user verified, attested credential data included. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;
/** Backup eligible and backed up: a synced passkey (WebAuthn's multi-device credential). */
const BE = 0x08;
const BS = 0x10;

/** One authenticator holding one discoverable credential, as a platform authenticator would. */
class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The user handle the RP gave at registration, returned at every sign-in (a discoverable credential). */
  userHandle = '';
  counter: number;

  constructor(counter = 0) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    this.counter = counter;
  }

  /** The credential's public key as COSE (EC2, ES256, P-256). */
  private coseKey(): Uint8Array {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
  }

  private clientData(type: string, challenge: string, origin: string) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  create(
    options: PublicKeyCredentialCreationOptionsJSON,
    { origin = ORIGIN, flags = UP | UV | AT } = {},
  ): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const credentialData = Buffer.concat([
      Buffer.alloc(16), // AAGUID: this model does not say what it is
      Buffer.from([0, this.credentialId.length]),
      this.credentialId,
      this.coseKey(),
    ]);
    const authData = Buffer.concat([
      sha256(options.rp.id ?? ''),
      Buffer.from([flags]),
      u32(this.counter),
      credentialData,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, Parameters<typeof isoCBOR.encode>[0]>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, origin)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** An assertion; the counter moves forward first, unless `counter` says what to send. */
  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    /** `userHandle` null: the authenticator names no user. */
    answer: { origin?: string; counter?: number; userHandle?: string | null; flags?: number } = {},
  ): AuthenticationResponseJSON {
    const {
      origin = ORIGIN,
      counter = this.counter === 0 ? 0 : ++this.counter,
      userHandle = this.userHandle,
      flags = UP | UV,
    } = answer;
    const authData = Buffer.concat([sha256(options.rpId ?? ''), Buffer.from([flags]), u32(counter)]);
    const clientData = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }
}

describe('passkeys', () => {
  let dir: string;
  let store: Store;
  let passkeys: Passkeys;
  const events: IdpEvent[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-idp-passkeys-'));
    store = openEmbeddedStore(join(dir, 'idp.sqlite'));
    passkeys = createPasskeys({
      issuer: ISSUER,
      rpName: 'JIT Identity',
      accounts: store.accounts,
      factors: store.factors,
      artifacts: store.artifacts,
      record: (event) => {
        events.push(event);
        return Promise.resolve();
      },
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newAccount = async (disabled = false): Promise<Account> => {
    const now = new Date();
    const account: Account = {
      id: randomUUID(),
      username: `user-${randomBytes(4).toString('hex')}`,
      emailVerified: false,
      roles: [],
      origin: 'registered',
      password: { kind: 'none' },
      ...(disabled ? { disabled: true } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await store.accounts.insert(account);
    return account;
  };

  /** An account with a passkey on `authenticator`, registered through the real ceremony. */
  const enrolled = async (authenticator = new SoftAuthenticator(), disabled = false) => {
    const account = await newAccount(disabled);
    const session = randomUUID();
    const options = await passkeys.registrationOptions(account, session);
    const outcome = await passkeys.register(account, session, JSON.stringify(authenticator.create(options)), '');
    assert.equal(outcome.kind, 'registered');
    return { account, authenticator };
  };

  /** A sign-in in a fresh interaction: the options, the authenticator's answer (as `answer` makes it), the outcome. */
  const signIn = async (
    authenticator: SoftAuthenticator,
    answer: (options: PublicKeyCredentialRequestOptionsJSON) => AuthenticationResponseJSON = (options) =>
      authenticator.get(options),
  ) => {
    const uid = randomUUID();
    const options = await passkeys.signInOptions(uid);
    return passkeys.signIn(uid, JSON.stringify(answer(options)));
  };

  const lastEvent = () => events.at(-1);
  const factorOf = async (accountId: string) =>
    (await store.factors.listByAccount(accountId)).find((f) => f.kind === 'passkey');

  it('asks for a discoverable, user-verified passkey for the issuer, excluding the ones the account has', async () => {
    const { account, authenticator } = await enrolled();
    const options = await passkeys.registrationOptions(account, randomUUID());
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.user.name, account.username);
    assert.equal(Buffer.from(options.user.id, 'base64url').toString(), account.id);
    assert.equal(options.authenticatorSelection?.residentKey, 'required');
    assert.equal(options.authenticatorSelection.userVerification, 'required');
    assert.deepEqual(
      options.excludeCredentials?.map((c) => c.id),
      [b64url(authenticator.credentialId)],
    );
  });

  it('stores a verified passkey as a factor with its key, counter and label, and records it', async () => {
    const account = await newAccount();
    const authenticator = new SoftAuthenticator(5);
    const session = randomUUID();
    const options = await passkeys.registrationOptions(account, session);
    const outcome = await passkeys.register(
      account,
      session,
      JSON.stringify(authenticator.create(options)),
      ' Laptop ',
    );
    assert.equal(outcome.kind, 'registered');
    const factor = await factorOf(account.id);
    assert.equal(factor?.credentialId, b64url(authenticator.credentialId));
    assert.equal(factor.mark, 5);
    assert.equal(factor.label, 'Laptop');
    const data = factor.data as unknown as PasskeyData;
    assert.deepEqual(data.transports, ['internal']);
    assert.equal(data.deviceType, 'singleDevice');
    assert.equal(data.backedUp, false);
    assert.equal(data.aaguid, '00000000-0000-0000-0000-000000000000');
    assert.ok(data.publicKey.length > 50);
    assert.deepEqual(lastEvent(), { type: 'factor_enrolled', accountId: account.id, factor: 'passkey' });
    assert.deepEqual(
      (await passkeys.list(account.id)).map((p) => p.label),
      ['Laptop'],
    );
  });

  it('refuses a registration made for another origin, and its challenge is gone after one answer', async () => {
    const account = await newAccount();
    const authenticator = new SoftAuthenticator();
    const session = randomUUID();
    const options = await passkeys.registrationOptions(account, session);
    const forged = await passkeys.register(
      account,
      session,
      JSON.stringify(authenticator.create(options, { origin: 'http://127.0.0.1:4000' })),
      '',
    );
    assert.equal(forged.kind, 'refused');
    assert.match(forged.detail, /origin/i);
    // The right answer to the same challenge comes too late: the challenge was taken by the first.
    const late = await passkeys.register(account, session, JSON.stringify(authenticator.create(options)), '');
    assert.deepEqual(late, { kind: 'expired' });
    assert.equal(await factorOf(account.id), undefined);
  });

  it('refuses a registration without user verification, for another session, or another account', async () => {
    const account = await newAccount();
    const other = await newAccount();
    const authenticator = new SoftAuthenticator();

    const session = randomUUID();
    const options = await passkeys.registrationOptions(account, session);
    const unverified = authenticator.create(options, { flags: UP | AT });
    assert.equal((await passkeys.register(account, session, JSON.stringify(unverified), '')).kind, 'refused');

    const mine = randomUUID();
    const response = JSON.stringify(authenticator.create(await passkeys.registrationOptions(account, mine)));
    assert.deepEqual(await passkeys.register(account, randomUUID(), response, ''), { kind: 'expired' });
    assert.deepEqual(await passkeys.register(other, mine, response, ''), { kind: 'expired' });

    const fresh = randomUUID();
    await passkeys.registrationOptions(account, fresh);
    const garbled = await passkeys.register(account, fresh, 'not json', '');
    assert.deepEqual(garbled, { kind: 'refused', detail: 'not a registration response' });
    assert.equal(await factorOf(account.id), undefined);
  });

  it('does not store one credential twice', async () => {
    const { account, authenticator } = await enrolled();
    const session = randomUUID();
    const options = await passkeys.registrationOptions(account, session);
    const again = await passkeys.register(account, session, JSON.stringify(authenticator.create(options)), '');
    assert.deepEqual(again, { kind: 'already-registered' });
  });

  it('signs in with a passkey alone: no credentials listed, the account found from the answer', async () => {
    const { account, authenticator } = await enrolled(new SoftAuthenticator(1));
    const uid = randomUUID();
    const options = await passkeys.signInOptions(uid);
    assert.equal(options.rpId, 'localhost');
    assert.equal(options.userVerification, 'required');
    assert.equal(options.allowCredentials, undefined);
    const before = events.length;
    const outcome = await passkeys.signIn(uid, JSON.stringify(authenticator.get(options)));
    assert.equal(outcome.kind, 'signed-in');
    assert.equal(outcome.account.id, account.id);
    assert.deepEqual(events.slice(before), [
      { type: 'factor_used', accountId: account.id, factor: 'passkey' },
      { type: 'signed_in', accountId: account.id, migrated: false },
    ]);
    const factor = await factorOf(account.id);
    assert.equal(factor?.mark, 2);
    assert.ok(factor.lastUsedAt);
  });

  it('tells a synced passkey from one bound to its device, for amr (swk or hwk)', async () => {
    const bound = await enrolled(new SoftAuthenticator());
    const boundOutcome = await signIn(bound.authenticator);
    assert.equal(boundOutcome.kind === 'signed-in' && boundOutcome.synced, false);

    const account = await newAccount(false);
    const session = randomUUID();
    const synced = new SoftAuthenticator();
    const options = await passkeys.registrationOptions(account, session);
    const registered = await passkeys.register(
      account,
      session,
      JSON.stringify(synced.create(options, { flags: UP | UV | AT | BE | BS })),
      '',
    );
    assert.equal(registered.kind, 'registered');
    assert.equal((await factorOf(account.id))?.data.deviceType, 'multiDevice');
    const syncedOutcome = await signIn(synced, (o) => synced.get(o, { flags: UP | UV | BE | BS }));
    assert.equal(syncedOutcome.kind === 'signed-in' && syncedOutcome.synced, true);
  });

  it('takes the sign-in challenge once: the same answer played again finds none', async () => {
    const { authenticator } = await enrolled();
    const uid = randomUUID();
    const response = JSON.stringify(authenticator.get(await passkeys.signInOptions(uid)));
    assert.equal((await passkeys.signIn(uid, response)).kind, 'signed-in');
    assert.deepEqual(await passkeys.signIn(uid, response), { kind: 'expired' });
    // Nor in another interaction, whose challenge is another.
    const other = randomUUID();
    await passkeys.signInOptions(other);
    const replay = await passkeys.signIn(other, response);
    assert.equal(replay.kind, 'refused');
  });

  it('refuses an answer made for another origin, or without user verification', async () => {
    const { account, authenticator } = await enrolled();
    const wrongOrigin = await signIn(authenticator, (o) => authenticator.get(o, { origin: 'https://evil.example' }));
    assert.equal(wrongOrigin.kind, 'refused');
    assert.equal(wrongOrigin.reason, 'passkey_rejected');
    assert.match(wrongOrigin.detail, /origin/i);
    assert.deepEqual(lastEvent(), {
      type: 'factor_failed',
      accountId: account.id,
      factor: 'passkey',
      reason: 'passkey_rejected',
      cause: wrongOrigin.detail,
    });
    assert.match(wrongOrigin.detail, /https:\/\/evil\.example/, 'the operator sees which origin it was');
    const unverified = await signIn(authenticator, (o) => authenticator.get(o, { flags: UP }));
    assert.equal(unverified.kind === 'refused' ? unverified.reason : '', 'passkey_rejected');
    // Signed by another key under the same credential id: the signature does not verify.
    const impostor = new SoftAuthenticator();
    Object.assign(impostor, { credentialId: authenticator.credentialId, userHandle: authenticator.userHandle });
    const forged = await signIn(impostor);
    assert.equal(forged.kind === 'refused' ? forged.reason : forged.kind, 'passkey_rejected');
  });

  it("refuses an answer whose user handle is not the passkey's account, or that names none", async () => {
    const { account, authenticator } = await enrolled();
    const other = await enrolled();
    const mismatch = await signIn(authenticator, (o) =>
      authenticator.get(o, { userHandle: other.authenticator.userHandle }),
    );
    assert.equal(mismatch.kind === 'refused' ? mismatch.reason : mismatch.kind, 'user_mismatch');
    assert.deepEqual(lastEvent(), {
      type: 'factor_failed',
      accountId: account.id,
      factor: 'passkey',
      reason: 'user_mismatch',
      cause: 'the user handle is not the passkey account',
    });
    const none = await signIn(authenticator, (o) => authenticator.get(o, { userHandle: null }));
    assert.equal(none.kind === 'refused' ? none.reason : none.kind, 'user_mismatch');
    assert.equal((await signIn(authenticator)).kind, 'signed-in');
  });

  it('knows no passkey that is not stored here', async () => {
    assert.deepEqual(await signIn(new SoftAuthenticator()), { kind: 'unknown-passkey' });
  });

  it('refuses a counter that does not move forward (a cloned authenticator) and records it', async () => {
    const { account, authenticator } = await enrolled(new SoftAuthenticator(10));
    assert.equal((await signIn(authenticator, (o) => authenticator.get(o, { counter: 11 }))).kind, 'signed-in');
    for (const counter of [11, 7, 0]) {
      const clone = await signIn(authenticator, (o) => authenticator.get(o, { counter }));
      assert.equal(clone.kind === 'refused' ? clone.reason : clone.kind, 'cloned_authenticator', `counter ${counter}`);
    }
    assert.deepEqual(lastEvent(), {
      type: 'factor_failed',
      accountId: account.id,
      factor: 'passkey',
      reason: 'cloned_authenticator',
      cause: 'counter 0 after 11',
    });
    assert.equal((await factorOf(account.id))?.mark, 11, 'a refused counter is not stored');
    assert.equal((await signIn(authenticator, (o) => authenticator.get(o, { counter: 12 }))).kind, 'signed-in');
  });

  it('lets an authenticator without a counter (always 0) sign in again and again, noting each use', async () => {
    const { account, authenticator } = await enrolled(new SoftAuthenticator(0));
    for (let i = 0; i < 3; i++) assert.equal((await signIn(authenticator)).kind, 'signed-in');
    const factor = await factorOf(account.id);
    assert.equal(factor?.mark, 0);
    assert.ok(factor.lastUsedAt);
    // A counter appearing later is a counter like any other: from then on it must move forward.
    assert.equal((await signIn(authenticator, (o) => authenticator.get(o, { counter: 3 }))).kind, 'signed-in');
    const back = await signIn(authenticator, (o) => authenticator.get(o, { counter: 0 }));
    assert.equal(back.kind === 'refused' ? back.reason : back.kind, 'cloned_authenticator');
  });

  it('does not sign in an account an operator disabled', async () => {
    const { account, authenticator } = await enrolled(undefined, true);
    assert.deepEqual(await signIn(authenticator), { kind: 'account-disabled' });
    assert.deepEqual(lastEvent(), { type: 'sign_in_refused', accountId: account.id, reason: 'disabled' });
  });

  it("removes only the account's own passkey", async () => {
    const { account, authenticator } = await enrolled();
    const other = await enrolled();
    const [mine] = await passkeys.list(account.id);
    assert.ok(mine);
    assert.equal(await passkeys.remove(other.account.id, mine.id), false);
    assert.equal(await passkeys.remove(account.id, mine.id), true);
    assert.deepEqual(lastEvent(), { type: 'factor_removed', accountId: account.id, factor: 'passkey' });
    assert.deepEqual(await signIn(authenticator), { kind: 'unknown-passkey' });
  });

  /** The second step after a password, for `accountId`, in a fresh interaction. */
  const secondStep = async (
    accountId: string,
    authenticator: SoftAuthenticator,
    answer: (options: PublicKeyCredentialRequestOptionsJSON) => AuthenticationResponseJSON = (options) =>
      authenticator.get(options),
  ) => {
    const uid = randomUUID();
    const options = await passkeys.secondFactorOptions(uid, accountId);
    return { options, outcome: await passkeys.verifySecondFactor(uid, accountId, JSON.stringify(answer(options))) };
  };

  it("passes the second step with the account's own passkey, listing only its passkeys", async () => {
    const { account, authenticator } = await enrolled(new SoftAuthenticator(1));
    const { options, outcome } = await secondStep(account.id, authenticator);
    assert.deepEqual(
      options.allowCredentials?.map((c) => c.id),
      [b64url(authenticator.credentialId)],
    );
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(outcome, { kind: 'accepted', synced: false });
    assert.deepEqual(lastEvent(), { type: 'factor_used', accountId: account.id, factor: 'passkey' });
    assert.equal((await factorOf(account.id))?.mark, 2);
  });

  it("refuses another account's passkey in the second step, and a challenge made for another account", async () => {
    const { account } = await enrolled();
    const other = await enrolled();
    const { outcome } = await secondStep(account.id, other.authenticator);
    assert.equal(outcome.kind === 'refused' ? outcome.reason : outcome.kind, 'user_mismatch');
    assert.deepEqual(lastEvent(), {
      type: 'factor_failed',
      accountId: account.id,
      factor: 'passkey',
      reason: 'user_mismatch',
      cause: 'the passkey is not the signing-in account',
    });
    // Its user handle rewritten to the signing-in account: the handle is not the passkey's account.
    const forged = await secondStep(account.id, other.authenticator, (o) =>
      other.authenticator.get(o, { userHandle: b64url(Buffer.from(account.id)) }),
    );
    assert.equal(forged.outcome.kind === 'refused' ? forged.outcome.reason : forged.outcome.kind, 'user_mismatch');
    // Options asked for one account, answered for another: no challenge for it.
    const uid = randomUUID();
    const options = await passkeys.secondFactorOptions(uid, account.id);
    const answer = JSON.stringify(other.authenticator.get(options));
    assert.deepEqual(await passkeys.verifySecondFactor(uid, other.account.id, answer), { kind: 'expired' });
    assert.equal((await secondStep(other.account.id, other.authenticator)).outcome.kind, 'accepted');
  });

  it('applies the counter rule in the second step too, and takes its challenge once', async () => {
    const { account, authenticator } = await enrolled(new SoftAuthenticator(5));
    assert.equal((await secondStep(account.id, authenticator)).outcome.kind, 'accepted');
    const { outcome } = await secondStep(account.id, authenticator, (o) => authenticator.get(o, { counter: 6 }));
    assert.equal(outcome.kind === 'refused' ? outcome.reason : outcome.kind, 'cloned_authenticator');
    const uid = randomUUID();
    const response = JSON.stringify(authenticator.get(await passkeys.secondFactorOptions(uid, account.id)));
    assert.equal((await passkeys.verifySecondFactor(uid, account.id, response)).kind, 'accepted');
    assert.deepEqual(await passkeys.verifySecondFactor(uid, account.id, response), { kind: 'expired' });
    // A sign-in challenge is not a second-step challenge.
    const signInUid = randomUUID();
    await passkeys.signInOptions(signInUid);
    assert.deepEqual(await passkeys.verifySecondFactor(signInUid, account.id, response), { kind: 'expired' });
  });

  it('tells a synced passkey in the second step (swk)', async () => {
    const account = await newAccount();
    const session = randomUUID();
    const synced = new SoftAuthenticator();
    const options = await passkeys.registrationOptions(account, session);
    await passkeys.register(
      account,
      session,
      JSON.stringify(synced.create(options, { flags: UP | UV | AT | BE | BS })),
      '',
    );
    const { outcome } = await secondStep(account.id, synced, (o) => synced.get(o, { flags: UP | UV | BE | BS }));
    assert.deepEqual(outcome, { kind: 'accepted', synced: true });
  });

  it('is unavailable when the issuer is an IP address (WebAuthn needs a domain)', () => {
    const on = (issuer: string) =>
      createPasskeys({
        issuer,
        rpName: 'x',
        accounts: store.accounts,
        factors: store.factors,
        artifacts: store.artifacts,
        record: () => Promise.resolve(),
      }).available;
    assert.equal(on('http://127.0.0.1:3000'), false);
    assert.equal(on('http://[::1]:3000'), false);
    assert.equal(on('http://localhost:3000'), true);
    assert.equal(on('https://id.example.com'), true);
  });
});
