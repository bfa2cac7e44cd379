import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import type { CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.js';
import { translator } from '../i18n/translator.js';
import type { Mailer } from '../mail/mailer.js';
import { adopt } from '../migration/adopt.js';
import type { LegacyFactorDependencies } from '../migration/legacy-totp.js';
import type { ProfileTransformer } from '../migration/transform.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import { normaliseLogin, type Account } from '../accounts/account.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';

/**
 * Forgot-password, also for users who never migrated: a link by email, single use and short-lived, stored only as
 * a hash. For a login unknown here but known to the legacy system, completing the reset adopts the legacy user
 * (migration/adopt.ts, as a first sign-in does: event `migrated` via `password_reset`, and the write-back) with the
 * new password. Nothing the requester sees depends on whether an account exists.
 */

/** Where the reset was asked from: the sign-in in progress and its client, so "Sign in" can lead back there. */
export interface ResetOrigin {
  returnTo?: string;
  clientId?: string;
}

export type ResetOutcome =
  | { kind: 'done'; account: Account; migrated: boolean; from: ResetOrigin }
  /** Unknown, expired or already used link. */
  | { kind: 'invalid-link' }
  | { kind: 'invalid-password'; message: string }
  | { kind: 'legacy-unavailable' }
  /** The legacy profile can no longer become an account (validation, or its name now belongs to someone else). */
  | { kind: 'rejected' };

export interface PasswordReset {
  /**
   * Sends a link if the login is known, here or in the legacy system; does nothing visible otherwise. The mail is in
   * `locale`, the language of the page it was asked for on (no language is stored with an account).
   */
  request(login: string, from?: ResetOrigin, locale?: Locale): Promise<void>;
  /** Whether a link can still be used (without using it). */
  isUsable(token: string): Promise<boolean>;
  complete(token: string, newPassword: string): Promise<ResetOutcome>;
}

export interface PasswordResetDependencies {
  accounts: AccountStore;
  artifacts: ArtifactStore;
  hasher: PasswordHasher;
  legacy: CutOffAwareLegacy;
  transform: ProfileTransformer;
  record: RecordEvent;
  mailer: Mailer;
  /** The page a link opens, with the token appended; in `locale`, the mail's language. */
  linkFor(token: string, locale: Locale): string;
  productName: string;
  passwordPolicy: PasswordPolicy;
  ttlSeconds: number;
  tombstones: LegacyTombstones;
  /** Where a legacy TOTP secret goes when the reset adopts a legacy user (migration/adopt.ts). */
  legacyFactors?: LegacyFactorDependencies | undefined;
  now?: () => Date;
}

const MODEL = 'PasswordReset';

/** `mailedTo`: the address the link went to, which using the link proves the user reads (absent in older links). */
type ResetTarget = ({ accountId: string } | { legacyLogin: string; legacyId: string }) & {
  from?: ResetOrigin;
  mailedTo?: string;
};

export function createPasswordReset(deps: PasswordResetDependencies): PasswordReset {
  const now = deps.now ?? (() => new Date());
  const idOf = (token: string) => createHash('sha256').update(token).digest('base64url');

  const sendLink = async (to: string, name: string, target: ResetTarget, locale: Locale) => {
    const token = randomBytes(32).toString('base64url');
    await deps.artifacts.upsert(MODEL, idOf(token), { ...target, mailedTo: to }, deps.ttlSeconds);
    const minutes = Math.round(deps.ttlSeconds / 60);
    const t = translator(locale);
    await deps.mailer.send({
      to,
      subject: t('mail.passwordReset.subject', { product: deps.productName }),
      text: t.plural('mail.passwordReset.body', minutes, {
        name,
        product: deps.productName,
        link: deps.linkFor(token, locale),
      }),
    });
  };

  return {
    async request(typedLogin, from = {}, locale = DEFAULT_LOCALE) {
      const login = normaliseLogin(typedLogin);
      if (login === '') return;
      const account = await deps.accounts.findByLogin(login);
      if (account) {
        if (!account.email) return;
        await sendLink(account.email, account.username, { accountId: account.id, from }, locale);
        await deps.record({ type: 'password_reset_requested', accountId: account.id });
        return;
      }
      const legacy = await deps.legacy.active();
      if (!legacy) return;
      const found = await legacy.findUser(typedLogin.trim());
      // A reset must never be the way around a disabled or locked legacy account: only one known to be enabled.
      if (found.kind !== 'found' || found.disabled !== false) return;
      const profile = await deps.transform(found.profile);
      if (profile.kind !== 'valid' || !profile.profile.email) return;
      await sendLink(
        profile.profile.email,
        profile.profile.username,
        { legacyLogin: typedLogin.trim(), legacyId: profile.legacyId, from },
        locale,
      );
      await deps.record({ type: 'password_reset_requested', legacy: { source: legacy.source, id: profile.legacyId } });
    },

    async isUsable(token) {
      const found = await deps.artifacts.find(MODEL, idOf(token));
      return found !== undefined && found.consumed === undefined;
    },

    async complete(token, newPassword) {
      // Read now, used up only when the password is written: a weak password or a passing outage does not waste it.
      const stored = await deps.artifacts.find(MODEL, idOf(token));
      const target = targetSchema.safeParse(stored);
      const at = now();
      if (!target.success || stored?.consumed !== undefined) return { kind: 'invalid-link' };
      const from = target.data.from ?? {};
      const { mailedTo } = target.data;
      /** The link was opened from this address's mailbox: as good as the verification link. */
      const proves = (email: string | undefined) =>
        email !== undefined && mailedTo !== undefined && normaliseLogin(email) === normaliseLogin(mailedTo);
      /** Marks the account's address verified, if the link proves it and it was not (after its password changed). */
      const verifyEmail = async (account: Account) => {
        if (account.emailVerified || !proves(account.email)) return account;
        const verified = await deps.accounts.updateLogins(account.id, {
          emailVerified: true,
          updatedAt: at,
          ifUpdatedAt: at,
        });
        if (verified.kind !== 'updated') return account;
        await deps.record({ type: 'email_verified', accountId: account.id });
        return verified.account;
      };
      const owner = 'accountId' in target.data ? await deps.accounts.findById(target.data.accountId) : undefined;
      const problem = deps.passwordPolicy(newPassword, { username: owner?.username, email: owner?.email });
      if (problem) return { kind: 'invalid-password', message: problem };
      const useLink = async () => (await deps.artifacts.take(MODEL, idOf(token))) !== undefined;
      const password = { kind: 'bcrypt' as const, hash: await deps.hasher.hash(newPassword) };

      if ('accountId' in target.data) {
        if (!owner || !(await useLink()) || !(await deps.accounts.updatePassword(owner.id, password, at))) {
          return { kind: 'invalid-link' };
        }
        await deps.record({ type: 'password_reset', accountId: owner.id, migrated: false });
        const account = await verifyEmail({ ...owner, password, updatedAt: at });
        return { kind: 'done', account, migrated: false, from };
      }

      // A user who never migrated: their account is made now, from the legacy system's current profile.
      const legacy = await deps.legacy.active();
      if (!legacy) return { kind: 'rejected' };
      const found = await legacy.findUser(target.data.legacyLogin);
      if (found.kind === 'unavailable') return { kind: 'legacy-unavailable' };
      if (found.kind === 'not-found' || found.disabled !== false) return { kind: 'rejected' };
      const transformed = await deps.transform(found.profile);
      // The login must still name the legacy user the link was mailed to, not someone given that name since.
      if (transformed.kind === 'invalid' || transformed.legacyId !== target.data.legacyId) return { kind: 'rejected' };
      if (!(await useLink())) return { kind: 'invalid-link' };
      // Migrated meanwhile (a sign-in, an import): the link still proves the mailbox, so it sets the password.
      const setPassword = async (existing: Account): Promise<ResetOutcome> => {
        await deps.accounts.updatePassword(existing.id, password, at);
        await deps.record({ type: 'password_reset', accountId: existing.id, migrated: false });
        const account = await verifyEmail({ ...existing, password, updatedAt: at });
        return { kind: 'done', account, migrated: false, from };
      };
      const existing = await deps.accounts.findByLegacyId(legacy.source, transformed.legacyId);
      if (existing) return setPassword(existing);
      // The link proved the mailbox the legacy system holds for this user, and the new password is now theirs.
      const adopted = await adopt(
        {
          accounts: deps.accounts,
          record: deps.record,
          now: () => at,
          tombstones: deps.tombstones,
          legacyFactors: deps.legacyFactors,
        },
        {
          legacy: { source: legacy.source, id: transformed.legacyId },
          // Mailed to the address the legacy system holds: the account starts with it verified.
          profile: proves(transformed.profile.email)
            ? { ...transformed.profile, emailVerified: true }
            : transformed.profile,
          passwordHash: password.hash,
          login: normaliseLogin(target.data.legacyLogin),
          via: 'password_reset',
          ...(transformed.totp ? { totp: transformed.totp } : {}),
        },
        legacy,
      );
      // An erased user's legacy mailbox does not bring the account back either.
      if (adopted.kind === 'taken' || adopted.kind === 'erased') return { kind: 'rejected' };
      if (adopted.kind === 'already-here') return setPassword(adopted.account);
      const account = adopted.account;
      await deps.record({ type: 'password_reset', accountId: account.id, migrated: true });
      return { kind: 'done', account, migrated: true, from };
    },
  };
}

const originSchema = z.object({ returnTo: z.string().optional(), clientId: z.string().optional() }).optional();
const targetSchema = z.union([
  z.object({ accountId: z.string().min(1), from: originSchema, mailedTo: z.string().optional() }),
  z.object({
    legacyLogin: z.string().min(1),
    legacyId: z.string().min(1),
    from: originSchema,
    mailedTo: z.string().optional(),
  }),
]);
