import type { RecordEvent } from '../events/recorder.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { Factor, FactorStore } from '../store/store.js';
import { recoveryCodeHash } from './recovery-codes.js';
import type { SecretBox } from '../security/secret-box.js';
import { matchTotp } from './totp.js';

/**
 * The second step of a sign-in: one code, from the account's authenticator app (TOTP) or one of its recovery codes,
 * or one of its passkeys (verified in `passkeys.ts`, under the failure limit kept here).
 * Each code is good once: a TOTP code moves the factor's mark to its time step, so the same code (or an older one)
 * cannot be played again within its window; a recovery code's mark goes from 0 to 1. Both moves are one atomic write
 * in the store, so two submissions of the same code racing each other cannot both pass.
 */

export type SecondFactorOutcome =
  | { kind: 'accepted'; factor: 'totp' | 'recovery-code'; recoveryCodesLeft?: number }
  /** Not a code of any factor (or a replay of a used one): the user is told the code is wrong. */
  | { kind: 'refused' }
  /** Too many wrong codes for this account lately. */
  | { kind: 'rate-limited'; retryAfterSeconds: number };

/** What an account can pass the second step with. */
export interface SecondFactorMethods {
  totp: boolean;
  /** Unused ones. */
  recoveryCodes: boolean;
  /** A passkey (it needs JavaScript and WebAuthn in the browser). */
  passkeys: boolean;
}

/** An attempt with a factor verified elsewhere (a passkey): passed, failed (counted), or expired (not counted). */
export type GuardedAttempt = 'passed' | 'failed' | 'expired';

export type GuardedOutcome = { kind: GuardedAttempt } | { kind: 'rate-limited'; retryAfterSeconds: number };

export interface SecondFactors {
  /** Whether the account has a factor a sign-in must pass (a TOTP, unused recovery codes, or a passkey). */
  enrolled(accountId: string): Promise<boolean>;
  methods(accountId: string): Promise<SecondFactorMethods>;
  verify(accountId: string, code: string, now?: Date): Promise<SecondFactorOutcome>;
  /**
   * Runs `attempt` (a passkey's verification) under the same per-account failure limit as codes: not run at all
   * when the account has had too many failures lately, and counted when it fails.
   */
  guard(accountId: string, attempt: () => Promise<GuardedAttempt>): Promise<GuardedOutcome>;
}

export interface SecondFactorDependencies {
  factors: FactorStore;
  secretBox: SecretBox;
  limiter: RateLimiter;
  record: RecordEvent;
  /**
   * Whether passkeys can be used at all (the issuer is a host name, not an IP address, which browsers refuse as a
   * relying party): when not, an account's passkeys are not offered, nor asked for, at the second step.
   */
  passkeysAvailable: boolean;
}

/** What a TOTP factor keeps in `data`: its secret, sealed for this account (see `secret-box.ts`). */
export interface TotpData {
  secret: string;
}

/** What a recovery code keeps in `data`: the hash of the code, never the code. */
export interface RecoveryCodeData {
  hash: string;
}

/** The context a TOTP secret is sealed in: a sealed secret copied to another account does not open. */
export const totpSealContext = (accountId: string) => `totp:${accountId}`;

const SIX_DIGITS = /^\d{6}$/;

export function secondFactors(deps: SecondFactorDependencies): SecondFactors {
  const failuresOf = (accountId: string) => ({ rule: 'secondFactorFailuresPerAccount', subject: accountId });

  const methods = async (accountId: string): Promise<SecondFactorMethods> => {
    const factors = await deps.factors.listByAccount(accountId);
    return {
      totp: factors.some((f) => f.kind === 'totp'),
      recoveryCodes: factors.some((f) => f.kind === 'recovery-code' && f.mark === 0),
      passkeys: deps.passkeysAvailable && factors.some((f) => f.kind === 'passkey'),
    };
  };

  /** Too many failures lately: the outcome to return; otherwise undefined, after the limiter's delay if any. */
  const blockedOrSlowed = async (accountId: string) => {
    const verdict = await deps.limiter.peek([failuresOf(accountId)]);
    if (verdict.kind === 'blocked') {
      await deps.record({ type: 'factor_failed', accountId, reason: 'rate_limited' });
      return { kind: 'rate-limited', retryAfterSeconds: verdict.retryAfterSeconds } as const;
    }
    await deps.limiter.slowDown(verdict);
    return undefined;
  };

  const verifyTotp = async (accountId: string, factor: Factor, code: string, now: Date) => {
    const sealed = (factor.data as Partial<TotpData>).secret ?? '';
    const opened = deps.secretBox.open(sealed, totpSealContext(accountId));
    if (opened.kind !== 'opened') return 'unreadable' as const;
    const step = matchTotp(opened.plaintext, code, now);
    if (step === undefined) return 'wrong' as const;
    if (!(await deps.factors.advance(factor.id, step, now))) return 'replayed' as const;
    // Sealed under a key that is no longer the first: sealed anew under the current one, so that the old key can be
    // taken out of the configuration once every secret has been used (or re-enrolled) since the rotation.
    if (deps.secretBox.needsResealing(sealed)) {
      const resealed = deps.secretBox.seal(opened.plaintext, totpSealContext(accountId));
      await deps.factors.replaceData(factor.id, { ...factor.data, secret: resealed });
    }
    return 'accepted' as const;
  };

  const verifyRecoveryCode = async (accountId: string, factors: readonly Factor[], code: string, now: Date) => {
    const hash = recoveryCodeHash(code, accountId);
    if (hash === undefined) return 'wrong' as const;
    const factor = factors.find(
      (f) => f.kind === 'recovery-code' && f.mark === 0 && (f.data as Partial<RecoveryCodeData>).hash === hash,
    );
    if (!factor) return 'wrong' as const;
    return (await deps.factors.advance(factor.id, 1, now)) ? ('accepted' as const) : ('replayed' as const);
  };

  return {
    async enrolled(accountId) {
      const { totp, recoveryCodes, passkeys } = await methods(accountId);
      return totp || recoveryCodes || passkeys;
    },

    methods,

    async guard(accountId, attempt) {
      const blocked = await blockedOrSlowed(accountId);
      if (blocked) return blocked;
      const result = await attempt();
      if (result === 'failed') await deps.limiter.count(failuresOf(accountId));
      return { kind: result };
    },

    async verify(accountId, typed, now = new Date()) {
      const blocked = await blockedOrSlowed(accountId);
      if (blocked) return blocked;

      const code = typed.replace(/\s+/g, '');
      const factors = await deps.factors.listByAccount(accountId);
      const totp = factors.find((f) => f.kind === 'totp');
      const isTotpCode = SIX_DIGITS.test(code);
      const result =
        isTotpCode && totp
          ? await verifyTotp(accountId, totp, code, now)
          : isTotpCode
            ? ('wrong' as const)
            : await verifyRecoveryCode(accountId, factors, code, now);

      if (result !== 'accepted') {
        // A secret no configured key opens is the operator's to fix, not the user's mistake: not counted.
        if (result !== 'unreadable') await deps.limiter.count(failuresOf(accountId));
        const reason = { wrong: 'wrong_code', replayed: 'replayed', unreadable: 'unreadable_secret' } as const;
        await deps.record({ type: 'factor_failed', accountId, reason: reason[result] });
        return { kind: 'refused' };
      }
      if (isTotpCode) {
        await deps.record({ type: 'factor_used', accountId, factor: 'totp' });
        return { kind: 'accepted', factor: 'totp' };
      }
      const recoveryCodesLeft = factors.filter((f) => f.kind === 'recovery-code' && f.mark === 0).length - 1;
      await deps.record({ type: 'factor_used', accountId, factor: 'recovery-code', recoveryCodesLeft });
      return { kind: 'accepted', factor: 'recovery-code', recoveryCodesLeft };
    },
  };
}
