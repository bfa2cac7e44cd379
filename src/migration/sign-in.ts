import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  hasInvisibleCharacters,
  MAX_LOGIN_LENGTH,
  normaliseLogin,
  type Account,
  type AccountProfile,
} from '../accounts/account.js';
import { checkPassword } from '../passwords/check-password.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import type { LegacyProfile } from '../legacy/connector.js';
import type { CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import { StoreUnavailableError } from '../store/store-unavailable.js';
import type { AccountStore, LeaseStore, LoginChange } from '../store/store.js';
import { adopt, type Adoption } from './adopt.js';
import { toPendingTotp, type LegacyFactorDependencies, type PendingTotp } from './legacy-totp.js';
import type { ProfileTransformer } from './transform.js';

export type SignInOutcome =
  | { kind: 'signed-in'; account: Account; migrated: boolean }
  /**
   * Unknown login, wrong password, or a login the legacy system rejected: one answer for all three. `via` says which
   * path judged it and `waitedMs` how long it waited for another attempt's legacy check, for the timing equaliser
   * only (which learns from the work, not the waits); neither reaches the user.
   */
  | { kind: 'invalid-credentials'; via: 'local' | 'legacy'; waitedMs?: number }
  | { kind: 'legacy-disabled' }
  /** An operator switched the account off (told only to whoever knows its password). */
  | { kind: 'account-disabled' }
  | { kind: 'legacy-unavailable' }
  /** The legacy system accepted the password but its profile cannot become an account. */
  | { kind: 'migration-rejected' }
  /**
   * The legacy system accepted the password, but another account here holds the username and/or email (two legacy
   * logins that differ only in case, a shared email): the user chooses another before the account is stored.
   */
  | { kind: 'login-taken'; pending: PendingMigration };

const LOCAL_REFUSAL = { kind: 'invalid-credentials', via: 'local' } as const;
const LEGACY_REFUSAL = { kind: 'invalid-credentials', via: 'legacy' } as const;

/** How soon a lease the store could not take back is offered to it again. */
const RELEASE_RETRY_MS = 200;

const CONFIRMED: ReadonlySet<SignInOutcome['kind']> = new Set(['signed-in', 'login-taken', 'migration-rejected']);

/**
 * A confirmed legacy user waiting for new logins; kept by the hosted page (it holds a hash, never the password, and
 * a TOTP secret only sealed).
 */
export interface PendingMigration extends Omit<Adoption, 'totp'> {
  taken: ('username' | 'email')[];
  totp?: PendingTotp;
}

export type SignIn = (login: string, password: string) => Promise<SignInOutcome>;

/** How one legacy check of a login holds off the others, across processes. */
export interface SingleFlight {
  leases: LeaseStore;
  /** Keys lease names, so the store never holds what was typed as a login. */
  secret: string;
  /**
   * A lease's life, renewed every third of it while its holder works: a process that dies holding one delays that
   * login's first sign-in by at most this.
   */
  leaseMs: number;
  /** How often a waiting attempt looks whether the account has appeared. */
  pollMs: number;
  /** How long an attempt waits for another's legacy check before it asks the legacy system itself. */
  maxWaitMs: number;
}

export interface SignInDependencies {
  accounts: AccountStore;
  hasher: PasswordHasher;
  /** The legacy system, unless there is none or it has been cut off. */
  legacy: CutOffAwareLegacy;
  transform: ProfileTransformer;
  record: RecordEvent;
  singleFlight: SingleFlight;
  /** Whether a legacy rename carries over to the local account (`migration.followRenames`). */
  followRenames: { username: boolean; email: boolean };
  tombstones: LegacyTombstones;
  /** Where a legacy TOTP secret (`mapping.totpSecret`) goes: needed as soon as the mapping reads one. */
  legacyFactors?: LegacyFactorDependencies | undefined;
  now?: () => Date;
}

/**
 * Sign-in with just-in-time migration (docs/architecture.md, "How a sign-in works"). A login with a local account
 * is judged by its local hash alone and never reaches the legacy system. Only a login unknown locally is put to the
 * legacy system, and only a valid answer, transformed and validated, becomes an account.
 */
export function createSignIn(deps: SignInDependencies): SignIn {
  const now = deps.now ?? (() => new Date());

  const signInLocally = async (account: Account, password: string): Promise<SignInOutcome> => {
    const check = await checkPassword(deps.hasher, account.password, password);
    switch (check.kind) {
      case 'mismatch':
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'invalid_password' });
        return LOCAL_REFUSAL;
      case 'reset-required':
        // Told like a wrong password (no account enumeration); "Forgot your password?" is the way in.
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'password_reset_required' });
        return LOCAL_REFUSAL;
      case 'unusable':
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'unusable_password_hash' });
        return { kind: 'migration-rejected' };
      case 'match':
        // Only someone who knows the password learns the account is switched off.
        if (account.disabled) {
          await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'disabled' });
          return { kind: 'account-disabled' };
        }
        if (check.upgraded && account.password.kind === 'legacy') {
          // Only over the hash just verified: a reset that landed meanwhile keeps its new password.
          if (await deps.accounts.updatePassword(account.id, check.upgraded, now(), account.password.hash)) {
            await deps.record({ type: 'password_rehashed', accountId: account.id });
          }
        }
        await deps.record({ type: 'signed_in', accountId: account.id, migrated: false });
        return { kind: 'signed-in', account, migrated: false };
    }
  };

  return async (typedLogin, password) => {
    const login = normaliseLogin(typedLogin);
    if (login === '' || password === '') return LOCAL_REFUSAL;
    // No account can have such a login, and odd bytes or megabytes must not reach (and trouble) the legacy system.
    if (hasInvisibleCharacters(login) || Array.from(login).length > MAX_LOGIN_LENGTH) {
      await deps.hasher.verifyDecoy(password);
      return LOCAL_REFUSAL;
    }

    const local = await deps.accounts.findByLogin(login);
    if (local) {
      const outcome = await signInLocally(local, password);
      // Two legacy users whose logins differ only in case or form ("Alice", "alice") fold to one login here: the
      // second one's password fails against the first one's account. Only then, and only when the login was typed
      // differently from how this account spells it, is the legacy system asked whether it is somebody else.
      if (outcome.kind !== 'invalid-credentials' || spelledAsStored(local, typedLogin)) return outcome;
      const legacy = await deps.legacy.active();
      if (!legacy) return outcome;
      const answer = await askLegacy(legacy, login, typedLogin, password, { decoyOnRefusal: false });
      // Only an answer that confirmed somebody else's password changes anything; any other stays this refusal (a
      // legacy outage must not turn a local wrong password into a 503).
      return CONFIRMED.has(answer.kind) ? answer : LEGACY_REFUSAL;
    }

    const legacy = await deps.legacy.active();
    if (!legacy) {
      await deps.hasher.verifyDecoy(password);
      return LOCAL_REFUSAL;
    }
    return firstSignIn(legacy, login, typedLogin, password);
  };

  /**
   * A login with no account yet. One legacy check per login at a time, across processes (a lease in the store): a
   * double submit, several tabs, a retrying client all wait for the first check, and once it has made the account,
   * each is judged by the account's new hash, never by the legacy system again. An attempt that finds no account
   * after its wait (the first was refused) asks the legacy system itself, in turn.
   */
  async function firstSignIn(
    legacy: LegacySystem,
    login: string,
    typedLogin: string,
    password: string,
  ): Promise<SignInOutcome> {
    const { singleFlight } = deps;
    const lease = `legacy-check:${createHmac('sha256', singleFlight.secret).update(login).digest('base64url')}`;
    const holder = randomUUID();
    const started = performance.now();
    let waitedMs = 0;
    for (;;) {
      if (await singleFlight.leases.acquire(lease, holder, singleFlight.leaseMs)) {
        // Kept while this attempt works, however long a loaded machine makes that; only a dead process loses it.
        const keep = setInterval(() => {
          singleFlight.leases.renew(lease, holder, singleFlight.leaseMs).catch(() => undefined);
        }, singleFlight.leaseMs / 3);
        keep.unref();
        try {
          // Another attempt may have made the account between this one's first look and its lease.
          const made = await deps.accounts.findByLogin(login);
          const outcome = made
            ? await signInLocally(made, password)
            : await askLegacy(legacy, login, typedLogin, password, { decoyOnRefusal: true });
          return outcome.kind === 'invalid-credentials' && waitedMs > 0 ? { ...outcome, waitedMs } : outcome;
        } finally {
          clearInterval(keep);
          await releaseLease(lease, holder);
        }
      }
      await sleep(singleFlight.pollMs);
      waitedMs = performance.now() - started;
      const made = await deps.accounts.findByLogin(login);
      if (made) {
        const outcome = await signInLocally(made, password);
        return outcome.kind === 'invalid-credentials' ? { ...outcome, waitedMs } : outcome;
      }
      // A holder keeps its lease as long as it works, however slow a loaded machine makes it. Waiting is only an
      // economy (one legacy check instead of several): past maxWaitMs this attempt asks for itself rather than keep
      // the user waiting; the account's unique indexes keep the outcome right either way.
      if (waitedMs > singleFlight.maxWaitMs) {
        const outcome = await askLegacy(legacy, login, typedLogin, password, { decoyOnRefusal: true });
        return outcome.kind === 'invalid-credentials' ? { ...outcome, waitedMs } : outcome;
      }
    }
  }

  /**
   * Gives a login's lease back. A store that cannot take the release now (it is what just failed the sign-in, say)
   * gets it again shortly, in the background, so the user's retry does not wait the whole lease out.
   */
  async function releaseLease(lease: string, holder: string): Promise<void> {
    const { singleFlight } = deps;
    const release = () => singleFlight.leases.release(lease, holder);
    try {
      await release();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const giveUpAt = Date.now() + singleFlight.leaseMs;
      const retry = () => {
        release().catch(() => {
          if (Date.now() < giveUpAt) setTimeout(retry, RELEASE_RETRY_MS).unref();
        });
      };
      setTimeout(retry, RELEASE_RETRY_MS).unref();
    }
  }

  /**
   * The legacy system judges the password. `decoyOnRefusal`: spend one bcrypt verification on a refusal, so it costs
   * what a local wrong password costs (not needed when a local verification was just spent).
   */
  async function askLegacy(
    legacy: LegacySystem,
    login: string,
    typedLogin: string,
    password: string,
    { decoyOnRefusal }: { decoyOnRefusal: boolean },
  ): Promise<SignInOutcome> {
    const started = performance.now();
    const answer = await legacy.authenticate(typedLogin.trim(), password);
    const legacyLatencyMs = Math.round(performance.now() - started);
    const decoy = () => (decoyOnRefusal ? deps.hasher.verifyDecoy(password) : Promise.resolve(false));

    switch (answer.kind) {
      // No login on these events: nothing confirmed it is a name, and people type passwords into the name field.
      case 'invalid':
        await Promise.all([
          deps.record({ type: 'migration_failed', reason: 'invalid_credentials', legacyLatencyMs }),
          decoy(),
        ]);
        return LEGACY_REFUSAL;
      case 'unjudgeable':
        // Told like a wrong password: nothing confirmed the login exists. The operator learns which record and why.
        await Promise.all([
          deps.record({
            type: 'migration_failed',
            reason: answer.reason,
            cause: answer.cause,
            legacyLatencyMs,
            ...(answer.legacyId === undefined ? {} : { legacy: { source: legacy.source, id: answer.legacyId } }),
          }),
          decoy(),
        ]);
        return LEGACY_REFUSAL;
      case 'disabled':
        await Promise.all([
          deps.record({ type: 'migration_failed', reason: 'disabled', legacyLatencyMs }),
          deps.hasher.verifyDecoy(password),
        ]);
        return { kind: 'legacy-disabled' };
      case 'unavailable':
        await deps.record({ type: 'migration_failed', reason: 'unavailable', cause: answer.cause, legacyLatencyMs });
        return { kind: 'legacy-unavailable' };
      case 'unusable':
        // The password was right, but the record cannot become an account (no stable id): support's case.
        await deps.record({ type: 'migration_failed', reason: 'unusable', cause: answer.cause, legacyLatencyMs });
        return { kind: 'migration-rejected' };
      case 'valid':
        return migrate(login, password, answer.profile, legacyLatencyMs, legacy);
    }
  }

  async function migrate(
    login: string,
    password: string,
    legacyProfile: LegacyProfile,
    legacyLatencyMs: number,
    legacy: LegacySystem,
  ): Promise<SignInOutcome> {
    const source = legacy.source;
    const transformed = await deps.transform(legacyProfile);
    if (transformed.kind === 'invalid') {
      await deps.record({
        type: 'migration_failed',
        login,
        reason: 'validation',
        fields: transformed.fields,
        legacyLatencyMs,
      });
      return { kind: 'migration-rejected' };
    }
    // Already migrated under another name (the mapping renamed it, or a parallel attempt just won): that account
    // judges the password, and no second hash is spent.
    const existing = await deps.accounts.findByLegacyId(source, transformed.legacyId);
    if (existing) {
      const outcome = await signInLocally(existing, password);
      if (outcome.kind !== 'signed-in') return outcome;
      return { ...outcome, account: await followRename(existing, transformed.profile) };
    }

    const adoption: Adoption = {
      legacy: { source, id: transformed.legacyId },
      profile: transformed.profile,
      passwordHash: await deps.hasher.hash(password),
      login,
      legacyLatencyMs,
      ...(transformed.totp ? { totp: transformed.totp } : {}),
    };
    const adopted = await adopt(
      {
        accounts: deps.accounts,
        record: deps.record,
        now,
        tombstones: deps.tombstones,
        legacyFactors: deps.legacyFactors,
      },
      adoption,
      legacy,
    );
    switch (adopted.kind) {
      case 'adopted':
        await deps.record({ type: 'signed_in', accountId: adopted.account.id, migrated: true });
        return { kind: 'signed-in', account: adopted.account, migrated: true };
      case 'erased':
        // Told as an account that cannot sign in (only to whoever knows its password); the event names no one.
        await deps.record({ type: 'migration_failed', reason: 'erased', legacyLatencyMs });
        return { kind: 'account-disabled' };
      case 'already-here':
        // A parallel first sign-in of the same legacy user (another tab, another process) stored it meanwhile.
        return signInLocally(adopted.account, password);
      case 'taken':
        // Never a merge and never a silent refusal: the user, who has just proved the legacy password, chooses.
        await deps.record({ type: 'migration_conflict', legacy: adoption.legacy, fields: adopted.fields });
        return { kind: 'login-taken', pending: pendingMigration(adoption, adopted.fields) };
    }
  }

  /** What the hosted page keeps while the user chooses new logins: the TOTP secret sealed, never in clear. */
  function pendingMigration({ totp, ...adoption }: Adoption, taken: ('username' | 'email')[]): PendingMigration {
    const pendingTotp = toPendingTotp(deps.legacyFactors, adoption.legacy, totp);
    return { ...adoption, taken, ...(pendingTotp ? { totp: pendingTotp } : {}) };
  }

  /** Lets the local username / email follow a rename in the legacy system, as configured; never takes another's. */
  async function followRename(account: Account, legacy: AccountProfile): Promise<Account> {
    const change: LoginChange = { updatedAt: now(), ifUpdatedAt: account.updatedAt };
    if (deps.followRenames.username && normaliseLogin(legacy.username) !== normaliseLogin(account.username)) {
      change.username = legacy.username;
    }
    if (
      deps.followRenames.email &&
      legacy.email !== undefined &&
      normaliseLogin(legacy.email) !== normaliseLogin(account.email ?? '')
    ) {
      change.email = legacy.email;
      change.emailVerified = legacy.emailVerified;
    }
    const fields = (['username', 'email'] as const).filter((field) => change[field] !== undefined);
    if (fields.length === 0) return account;
    const updated = await deps.accounts.updateLogins(account.id, change);
    switch (updated.kind) {
      case 'updated':
        await deps.record({ type: 'account_renamed', accountId: account.id, fields: [...fields] });
        return updated.account;
      case 'conflict':
        await deps.record({ type: 'account_rename_refused', accountId: account.id, field: updated.field });
        return account;
      case 'stale':
      case 'not-found':
        // Someone changed it meanwhile (a newer rename, perhaps): theirs stands.
        return account;
    }
  }
}

/** Whether the login was typed exactly as the account spells its username or email (compatibility forms aside). */
function spelledAsStored(account: Account, typedLogin: string): boolean {
  const typed = typedLogin.trim().normalize('NFC');
  return typed === account.username.normalize('NFC') || typed === account.email?.normalize('NFC');
}
