import { randomUUID } from 'node:crypto';
import { hasInvisibleCharacters, normaliseLogin, type Account, type AccountProfile } from '../accounts/account.js';
import { checkPassword } from '../accounts/check-password.js';
import type { PasswordHasher } from '../accounts/password-hasher.js';
import type { RecordEvent } from '../events/recorder.js';
import type { LegacyProfile } from '../legacy/connector.js';
import type { LegacySwitch } from '../legacy/legacy-switch.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { AccountStore, LoginChange } from '../store/store.js';
import type { ProfileTransformer } from './transform.js';

export type SignInOutcome =
  | { kind: 'signed-in'; account: Account; migrated: boolean }
  /**
   * Unknown login, wrong password, or a login the legacy system rejected: one answer for all three. `via` says which
   * path judged it, for the timing equaliser only; it never reaches the user.
   */
  | { kind: 'invalid-credentials'; via: 'local' | 'legacy' }
  | { kind: 'legacy-disabled' }
  | { kind: 'legacy-unavailable' }
  /** The legacy system accepted the password but its profile cannot become an account. */
  | { kind: 'migration-rejected' }
  /** Too many first sign-ins toward the legacy system from this client or for this login. */
  | { kind: 'rate-limited'; retryAfterSeconds: number };

const LOCAL_REFUSAL = { kind: 'invalid-credentials', via: 'local' } as const;

/** Where a sign-in comes from, for the rate limits. */
export interface SignInClient {
  ip: string;
}

export type SignIn = (login: string, password: string, client: SignInClient) => Promise<SignInOutcome>;

export interface SignInDependencies {
  accounts: AccountStore;
  hasher: PasswordHasher;
  /** The legacy system, unless there is none or it has been cut off. */
  legacy: LegacySwitch;
  transform: ProfileTransformer;
  record: RecordEvent;
  limiter: RateLimiter;
  /** Whether a legacy rename carries over to the local account (`migration.followRenames`). */
  followRenames: { username: boolean; email: boolean };
  now?: () => Date;
}

/**
 * Sign-in with just-in-time migration (ARCHITECTURE.md, "The one flow that matters"). A login with a local account
 * is judged by its local hash alone and never reaches the legacy system. Only a login unknown locally is put to the
 * legacy system, and only a valid answer, transformed and validated, becomes an account.
 */
export function createSignIn(deps: SignInDependencies): SignIn {
  const now = deps.now ?? (() => new Date());

  const signInLocally = async (account: Account, password: string): Promise<SignInOutcome> => {
    const check = await checkPassword(deps.hasher, account.password, password);
    switch (check.kind) {
      case 'mismatch':
        return LOCAL_REFUSAL;
      case 'reset-required':
        // Told like a wrong password (no account enumeration); "Forgot your password?" is the way in.
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'password_reset_required' });
        return LOCAL_REFUSAL;
      case 'unusable':
        await deps.record({ type: 'sign_in_refused', accountId: account.id, reason: 'unusable_password_hash' });
        return { kind: 'migration-rejected' };
      case 'match':
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

  return async (typedLogin, password, client) => {
    const login = normaliseLogin(typedLogin);
    if (login === '' || password === '') return LOCAL_REFUSAL;
    // No account can have such a login, and odd bytes must not reach (and trouble) the legacy system.
    if (hasInvisibleCharacters(login)) {
      await deps.hasher.verifyDecoy(password);
      return LOCAL_REFUSAL;
    }

    const local = await deps.accounts.findByLogin(login);
    if (local) return signInLocally(local, password);

    const legacy = await deps.legacy.active();
    if (!legacy) {
      await deps.hasher.verifyDecoy(password);
      return LOCAL_REFUSAL;
    }

    // Stricter limits before the legacy system is asked: the IdP must not become a way to guess its passwords.
    const verdict = await deps.limiter.attempt([
      { rule: 'legacyPerIp', subject: client.ip },
      { rule: 'legacyPerLogin', subject: login },
    ]);
    if (verdict.kind === 'blocked') {
      await deps.record({ type: 'migration_failed', reason: 'rate_limited' });
      return { kind: 'rate-limited', retryAfterSeconds: verdict.retryAfterSeconds };
    }
    await deps.limiter.slowDown(verdict);

    const started = performance.now();
    const answer = await legacy.authenticate(typedLogin.trim(), password);
    const legacyLatencyMs = Math.round(performance.now() - started);
    // No login on these events: nothing confirmed it is a name, and people type passwords into the name field.
    const failed = (reason: 'invalid_credentials' | 'disabled' | 'unavailable', cause?: string) =>
      deps.record({ type: 'migration_failed', reason, legacyLatencyMs, ...(cause ? { cause } : {}) });

    switch (answer.kind) {
      // A local wrong password costs one bcrypt verification; so do these, so timing does not tell them apart.
      case 'invalid':
        await Promise.all([failed('invalid_credentials'), deps.hasher.verifyDecoy(password)]);
        return { kind: 'invalid-credentials', via: 'legacy' };
      case 'disabled':
        await Promise.all([failed('disabled'), deps.hasher.verifyDecoy(password)]);
        return { kind: 'legacy-disabled' };
      case 'unavailable':
        await failed('unavailable', answer.cause);
        return { kind: 'legacy-unavailable' };
      case 'unusable':
        // The legacy system holds a record it cannot vouch for (e.g. a hash of an unknown scheme): support's case.
        await deps.record({ type: 'migration_failed', reason: 'unusable', cause: answer.cause, legacyLatencyMs });
        return { kind: 'migration-rejected' };
      case 'valid':
        return migrate(login, password, answer.profile, legacyLatencyMs, legacy);
    }
  };

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

    const at = now();
    const account: Account = {
      ...transformed.profile,
      id: randomUUID(),
      origin: 'migrated',
      legacy: { source, id: transformed.legacyId, migratedAt: at },
      password: { kind: 'bcrypt', hash: await deps.hasher.hash(password) },
      createdAt: at,
      updatedAt: at,
    };
    const inserted = await deps.accounts.insert(account);
    if (inserted.kind === 'inserted') {
      await deps.record({
        type: 'migrated',
        accountId: account.id,
        login,
        legacy: { source, id: transformed.legacyId },
        legacyLatencyMs,
      });
      await deps.record({ type: 'signed_in', accountId: account.id, migrated: true });
      // Not awaited: telling the legacy system is bookkeeping and must not slow or fail the sign-in.
      void writeBack(legacy, account.id, transformed.legacyId);
      return { kind: 'signed-in', account, migrated: true };
    }

    // A parallel first sign-in of the same legacy user (another tab, another process) stored it in the meantime.
    const twin = await deps.accounts.findByLegacyId(source, transformed.legacyId);
    if (twin) return signInLocally(twin, password);

    // The name or email belongs to a different account: moving this user would take over someone else's.
    await deps.record({
      type: 'migration_failed',
      login,
      reason: 'conflict',
      fields: [inserted.field],
      legacyLatencyMs,
    });
    return { kind: 'migration-rejected' };
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

  async function writeBack(legacy: LegacySystem, accountId: string, legacyId: string): Promise<void> {
    const outcome = await legacy.afterMigration(legacyId);
    if (outcome?.kind === 'failed') {
      await deps.record({
        type: 'legacy_write_back_failed',
        accountId,
        legacy: { source: legacy.source, id: legacyId },
        cause: outcome.cause,
      });
    }
  }
}
