import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  VerifiedAuthenticationResponse,
  VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { hasInvisibleCharacters, type Account } from '../accounts/account.js';
import type { RecordEvent } from '../events/recorder.js';
import type { AccountStore, ArtifactStore, Factor, FactorStore } from '../store/store.js';

/**
 * Passkeys (WebAuthn discoverable credentials), with @simplewebauthn/server doing the cryptography. The relying
 * party is the issuer: its hostname is the RP ID and its origin the only origin a response may come from, so a
 * passkey made here answers to no other site, and a response made for another site does not verify here.
 *
 * Every ceremony starts with a challenge that waits server-side, bound to what asked for it (the account page's
 * session, or the sign-in's interaction), for a few minutes, and is taken at the first answer: a response is good
 * once, in the browser it was made for.
 *
 * A passkey is always made and used with user verification (PIN, fingerprint, face), so it is two factors in one:
 * something the user has (the authenticator's key) and something they are or know (what unlocks it).
 */

/**
 * @simplewebauthn/server and its ASN.1 and COSE libraries, loaded at the first passkey ceremony: about 4 MB of heap
 * an IdP whose users never use a passkey does not hold.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

export interface PasskeyDependencies {
  /** The IdP's issuer URL: the RP ID is its hostname, the expected origin its origin. */
  issuer: string;
  /** The name authenticators show for the site ("JIT Identity"). */
  rpName: string;
  accounts: AccountStore;
  factors: FactorStore;
  artifacts: ArtifactStore;
  record: RecordEvent;
}

/** What a passkey factor keeps in `data`. Its signature counter is the factor's `mark`. */
export interface PasskeyData {
  /** The credential's COSE public key, base64url. */
  publicKey: string;
  transports: string[];
  /** `multiDevice` for a passkey that syncs (a password manager's), `singleDevice` for one bound to its device. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** The authenticator model's id (all zeros when it does not say). */
  aaguid: string;
}

/** A passkey as the account page lists it. */
export interface PasskeySummary {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
}

export type PasskeyRegistration =
  | { kind: 'registered'; passkey: PasskeySummary }
  /** No challenge waiting for this session (expired, used, or never asked for): start again. */
  | { kind: 'expired' }
  /** The response did not verify (another origin or RP ID, another challenge, no user verification, malformed). */
  | { kind: 'refused'; detail: string }
  /** That credential is already a passkey here (of this account or another). */
  | { kind: 'already-registered' };

/** Why a sign-in with a passkey was refused (the `factor_failed` event's reason). */
export type PasskeyRefusal = 'passkey_rejected' | 'user_mismatch' | 'cloned_authenticator';

export type PasskeySignIn =
  /** `synced`: a passkey its provider copies between devices (WebAuthn's multi-device credential). */
  | { kind: 'signed-in'; account: Account; synced: boolean }
  /** No challenge waiting for this interaction (expired, used, or never asked for): start again. */
  | { kind: 'expired' }
  /** No passkey here has that credential id (removed, or made for another account store). */
  | { kind: 'unknown-passkey' }
  | { kind: 'refused'; reason: PasskeyRefusal; detail: string }
  /** The passkey is good but an operator has switched sign-in off for its account. */
  | { kind: 'account-disabled' };

export type PasskeySecondFactor =
  /** The account's own passkey, verified: the second step passes. `synced` as for a sign-in. */
  | { kind: 'accepted'; synced: boolean }
  /** No challenge waiting for this step (expired, used, or never asked for): start again. */
  | { kind: 'expired' }
  | { kind: 'unknown-passkey' }
  | { kind: 'refused'; reason: PasskeyRefusal; detail: string };

/** What the shared check of an assertion finds: the passkey's account, or why not. */
type AssertionCheck =
  | { kind: 'verified'; accountId: string; synced: boolean }
  | { kind: 'unknown-passkey' }
  | { kind: 'refused'; reason: PasskeyRefusal; detail: string };

export interface Passkeys {
  /** False when the issuer's host is an IP address: WebAuthn needs a domain as RP ID, so passkeys cannot work. */
  readonly available: boolean;
  list(accountId: string): Promise<PasskeySummary[]>;
  /** Options for `navigator.credentials.create()`; the challenge waits under the account page's session. */
  registrationOptions(account: Account, sessionId: string): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** The browser's answer to those options (JSON text): a verified one is stored as a factor. */
  register(
    account: Account,
    sessionId: string,
    response: string,
    label: string,
    now?: Date,
  ): Promise<PasskeyRegistration>;
  /** Options for a usernameless `navigator.credentials.get()`; the challenge waits under the interaction. */
  signInOptions(interactionUid: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** The browser's answer to those options (JSON text): the account it signs in, or why not. */
  signIn(interactionUid: string, response: string, now?: Date): Promise<PasskeySignIn>;
  /**
   * Options for `navigator.credentials.get()` in the second step after a right password: the account's own passkeys
   * listed; the challenge waits under the interaction, for that account.
   */
  secondFactorOptions(interactionUid: string, accountId: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** The browser's answer to those options (JSON text): accepted only for a passkey of `accountId`. */
  verifySecondFactor(
    interactionUid: string,
    accountId: string,
    response: string,
    now?: Date,
  ): Promise<PasskeySecondFactor>;
  /** Removes one of the account's passkeys; false when it has no such passkey. */
  remove(accountId: string, passkeyId: string): Promise<boolean>;
}

const CHALLENGES = 'PasskeyChallenge';
/** How long the browser waits for the user (the options' `timeout`), and how long the challenge waits for it. */
const CEREMONY_TIMEOUT_MS = 120_000;
const CHALLENGE_TTL_SECONDS = 180;
const MAX_LABEL_LENGTH = 60;
const DEFAULT_LABEL = 'Passkey';
const MAX_CAUSE_LENGTH = 200;

// WebAuthn's limit for a credential id is 1023 bytes; the other fields are bounded by the form's size limit.
const base64url = z.string().regex(/^[\w-]*$/);
const credentialId = base64url.min(1).max(1366);
const clientExtensionResults = z.record(z.string(), z.unknown());
const authenticatorAttachment = z.enum(['platform', 'cross-platform']).optional();
const registrationResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment,
  clientExtensionResults,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});
const authenticationResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment,
  clientExtensionResults,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});

/** The browser's JSON, checked for shape; undefined when it is not JSON of that shape. */
function parseResponse<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The reason a library call threw (a mismatch of origin, RP ID, challenge …), for the outcome; never a secret. */
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The WebAuthn user handle of an account: its id, which is a random UUID (no personal data, as the spec asks) and
 * the `sub` of its tokens anyway. A usernameless sign-in gets it back from the authenticator.
 */
const userHandleOf = (accountId: string) => new TextEncoder().encode(accountId);

/** A label the user typed, kept only if it is plain visible text; otherwise the default. */
function cleanLabel(typed: string): string {
  const label = typed.trim().slice(0, MAX_LABEL_LENGTH);
  return label === '' || hasInvisibleCharacters(label) ? DEFAULT_LABEL : label;
}

const summaryOf = (factor: Factor): PasskeySummary => ({
  id: factor.id,
  label: factor.label ?? DEFAULT_LABEL,
  createdAt: factor.createdAt,
  lastUsedAt: factor.lastUsedAt,
});

export function createPasskeys(deps: PasskeyDependencies): Passkeys {
  const issuer = new URL(deps.issuer);
  const rpID = issuer.hostname;
  const expectedOrigin = issuer.origin;
  const challengeKey = {
    registration: (sessionId: string) => `registration:${sessionId}`,
    signIn: (interactionUid: string) => `sign-in:${interactionUid}`,
    secondFactor: (interactionUid: string) => `second-factor:${interactionUid}`,
  };

  const passkeysOf = async (accountId: string) =>
    (await deps.factors.listByAccount(accountId)).filter((factor) => factor.kind === 'passkey');

  const refuse = async (
    accountId: string,
    reason: PasskeyRefusal,
    detail: string,
  ): Promise<{ kind: 'refused'; reason: PasskeyRefusal; detail: string }> => {
    // The cause names values the browser sent (an origin, say): cut short, it is for the operator to read.
    const cause = detail.slice(0, MAX_CAUSE_LENGTH);
    await deps.record({ type: 'factor_failed', accountId, factor: 'passkey', reason, cause });
    return { kind: 'refused', reason, detail };
  };

  /**
   * The one check of an assertion, for a passkey alone and for a passkey after a password: the credential is a
   * passkey here, its user handle names its account (and that account is `expectedAccountId` when the account is
   * already known), the signature verifies for the challenge, origin and RP ID with user verification, and the
   * signature counter moves forward.
   */
  const verifyAssertion = async (
    challenge: string,
    text: string,
    expectedAccountId: string | undefined,
    now: Date,
  ): Promise<AssertionCheck> => {
    // The schema checks the shape; the cast only gives the extension results the library's type (it checks every
    // value itself).
    const response = parseResponse(authenticationResponse, text) as AuthenticationResponseJSON | undefined;
    if (!response) return { kind: 'unknown-passkey' };
    const factor = await deps.factors.findByCredentialId(response.id);
    if (factor?.kind !== 'passkey') return { kind: 'unknown-passkey' };

    // The spec's step for a user not identified beforehand: the authenticator must say whose passkey it used, and
    // it must be the account the credential was registered to (the library does not look at the user handle).
    // After a password the account is known: the passkey must be that account's, whatever the browser offered.
    const userHandle = response.response.userHandle;
    if (!userHandle || Buffer.from(userHandle, 'base64url').toString('utf8') !== factor.accountId) {
      return refuse(factor.accountId, 'user_mismatch', 'the user handle is not the passkey account');
    }
    if (expectedAccountId !== undefined && factor.accountId !== expectedAccountId) {
      return refuse(expectedAccountId, 'user_mismatch', 'the passkey is not the signing-in account');
    }

    const data = factor.data as Partial<PasskeyData>;
    const { verifyAuthenticationResponse } = await webauthn();
    let verification: VerifiedAuthenticationResponse;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin,
        expectedRPID: rpID,
        requireUserVerification: true,
        credential: {
          id: factor.credentialId ?? '',
          publicKey: new Uint8Array(Buffer.from(data.publicKey ?? '', 'base64url')),
          // The counter is judged below against the store, in one conditional write, rather than by the library
          // against the value read a moment ago: two sign-ins racing with one counter value cannot both pass.
          counter: 0,
          transports: data.transports ?? [],
        },
      });
    } catch (error) {
      return refuse(factor.accountId, 'passkey_rejected', reasonOf(error));
    }
    if (!verification.verified) return refuse(factor.accountId, 'passkey_rejected', 'the signature is not valid');

    // The signature counter (WebAuthn §6.1.1): an authenticator that keeps one sends a larger value at each use;
    // one that does not sends 0 every time. A counter that was moving and now does not move forward means two
    // authenticators hold the same key (a clone): refused and recorded, and the passkey is the user's to replace.
    const counter = verification.authenticationInfo.newCounter;
    if (counter === 0 && factor.mark === 0) {
      await deps.factors.touch(factor.id, now);
    } else if (counter === 0 || !(await deps.factors.advance(factor.id, counter, now))) {
      return refuse(
        factor.accountId,
        'cloned_authenticator',
        `counter ${String(counter)} after ${String(factor.mark)}`,
      );
    }
    return { kind: 'verified', accountId: factor.accountId, synced: data.deviceType === 'multiDevice' };
  };

  return {
    // An IPv6 literal's hostname keeps its brackets, which `isIP` does not take.
    available: isIP(rpID.replace(/^\[|\]$/g, '')) === 0,

    async list(accountId) {
      return (await passkeysOf(accountId)).map(summaryOf);
    },

    async registrationOptions(account, sessionId) {
      const existing = await passkeysOf(account.id);
      const { generateRegistrationOptions } = await webauthn();
      const options = await generateRegistrationOptions({
        rpName: deps.rpName,
        rpID,
        userName: account.username,
        userDisplayName: account.name ?? account.username,
        userID: userHandleOf(account.id),
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        // A passkey the authenticator keeps (discoverable, so it can sign in with no username typed) and unlocks
        // only for its user (what makes it two factors).
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        // The same authenticator a second time would only be a second entry for one key.
        excludeCredentials: existing.map((factor) => ({
          id: factor.credentialId ?? '',
          transports: (factor.data as Partial<PasskeyData>).transports ?? [],
        })),
      });
      await deps.artifacts.upsert(
        CHALLENGES,
        challengeKey.registration(sessionId),
        { challenge: options.challenge, accountId: account.id },
        CHALLENGE_TTL_SECONDS,
      );
      return options;
    },

    async register(account, sessionId, text, label, now = new Date()) {
      const pending = await deps.artifacts.take(CHALLENGES, challengeKey.registration(sessionId));
      if (pending?.accountId !== account.id || typeof pending.challenge !== 'string') return { kind: 'expired' };
      // The schema checks the shape; the cast only gives the extension results the library's type (it checks every
      // value itself).
      const response = parseResponse(registrationResponse, text) as RegistrationResponseJSON | undefined;
      if (!response) return { kind: 'refused', detail: 'not a registration response' };

      const { verifyRegistrationResponse } = await webauthn();
      let verification: VerifiedRegistrationResponse;
      try {
        verification = await verifyRegistrationResponse({
          response,
          expectedChallenge: pending.challenge,
          expectedOrigin,
          expectedRPID: rpID,
          requireUserVerification: true,
        });
      } catch (error) {
        return { kind: 'refused', detail: reasonOf(error) };
      }
      if (!verification.verified) return { kind: 'refused', detail: 'the attestation did not verify' };

      const info = verification.registrationInfo;
      const data: PasskeyData = {
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        transports: info.credential.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
      };
      const factor: Factor = {
        id: randomUUID(),
        accountId: account.id,
        kind: 'passkey',
        credentialId: info.credential.id,
        data: { ...data },
        mark: info.credential.counter,
        label: cleanLabel(label),
        createdAt: now,
      };
      if ((await deps.factors.add([factor])).kind === 'conflict') return { kind: 'already-registered' };
      await deps.record({ type: 'factor_enrolled', accountId: account.id, factor: 'passkey' });
      return { kind: 'registered', passkey: summaryOf(factor) };
    },

    async signInOptions(interactionUid) {
      // No allowCredentials: the user has typed no username, so the authenticator offers whichever of its
      // passkeys are for this RP ID, and the answer says which one (and whose) it was.
      const { generateAuthenticationOptions } = await webauthn();
      const options = await generateAuthenticationOptions({
        rpID,
        userVerification: 'required',
        timeout: CEREMONY_TIMEOUT_MS,
      });
      await deps.artifacts.upsert(
        CHALLENGES,
        challengeKey.signIn(interactionUid),
        { challenge: options.challenge },
        CHALLENGE_TTL_SECONDS,
      );
      return options;
    },

    async signIn(interactionUid, text, now = new Date()) {
      const pending = await deps.artifacts.take(CHALLENGES, challengeKey.signIn(interactionUid));
      if (typeof pending?.challenge !== 'string') return { kind: 'expired' };
      const verified = await verifyAssertion(pending.challenge, text, undefined, now);
      if (verified.kind !== 'verified') return verified;

      const account = await deps.accounts.findById(verified.accountId);
      if (!account) return { kind: 'unknown-passkey' };
      if (account.disabled) {
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'disabled' });
        return { kind: 'account-disabled' };
      }
      await deps.record({ type: 'factor_used', accountId: account.id, factor: 'passkey' });
      await deps.record({ type: 'signed_in', accountId: account.id, migrated: false });
      return { kind: 'signed-in', account, synced: verified.synced };
    },

    async secondFactorOptions(interactionUid, accountId) {
      // The account is known (its password was right): only its own passkeys are offered.
      const { generateAuthenticationOptions } = await webauthn();
      const options = await generateAuthenticationOptions({
        rpID,
        userVerification: 'required',
        timeout: CEREMONY_TIMEOUT_MS,
        allowCredentials: (await passkeysOf(accountId)).map((factor) => ({
          id: factor.credentialId ?? '',
          transports: (factor.data as Partial<PasskeyData>).transports ?? [],
        })),
      });
      await deps.artifacts.upsert(
        CHALLENGES,
        challengeKey.secondFactor(interactionUid),
        { challenge: options.challenge, accountId },
        CHALLENGE_TTL_SECONDS,
      );
      return options;
    },

    async verifySecondFactor(interactionUid, accountId, text, now = new Date()) {
      const pending = await deps.artifacts.take(CHALLENGES, challengeKey.secondFactor(interactionUid));
      if (typeof pending?.challenge !== 'string' || pending.accountId !== accountId) return { kind: 'expired' };
      const verified = await verifyAssertion(pending.challenge, text, accountId, now);
      if (verified.kind !== 'verified') return verified;
      await deps.record({ type: 'factor_used', accountId, factor: 'passkey' });
      return { kind: 'accepted', synced: verified.synced };
    },

    async remove(accountId, passkeyId) {
      const isOne = (await passkeysOf(accountId)).some((factor) => factor.id === passkeyId);
      if (!isOne || (await deps.factors.remove(accountId, [passkeyId])) === 0) return false;
      await deps.record({ type: 'factor_removed', accountId, factor: 'passkey' });
      return true;
    },
  };
}
