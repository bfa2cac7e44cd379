import { createHash, randomBytes } from 'node:crypto';
import { emailSchema, normaliseLogin, type Account } from '../accounts/account.js';
import type { IdpEvent } from '../events/event.js';
import type { RecordEvent } from '../events/recorder.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.js';
import { translator, type Translator } from '../i18n/translator.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';

/**
 * Verifying an account's email address: a link by email (single use, expiring, stored only as a hash and bound to
 * the address it was sent to), whose confirmation turns the account's `email_verified` claim true. Mailed when an
 * account with an unverified address is made (a migration, a sign-up) and on the user's own request from their
 * account page; never on a request that names an address, so nothing here tells whether an account exists.
 */
export interface EmailVerification {
  /**
   * Mails a link to the account's address if it has one and it is not verified yet, one a minute at most however
   * often it is asked for (a new account's mail, the button on the account page, the page of a client that requires
   * a confirmed address). The mail is in `locale`: the language of the page the user was on when it was sent (no
   * language is stored with an account).
   */
  send(account: Account, locale?: Locale): Promise<'sent' | 'recently-sent' | 'nothing-to-verify'>;
  /**
   * A change of address: the link goes to the new one, and the account's address changes only when it is used, to
   * the new address, verified (the old one is told). `invalid` for text that is no email address; an address
   * another account holds gets no link, and the answer is the same `sent` (no probing whose address it is).
   */
  sendChange(account: Account, newEmail: string, locale?: Locale): Promise<'sent' | 'invalid'>;
  /** Whether a link can still be used (without using it): the page asks for a click before it is used. */
  isUsable(token: string): Promise<boolean>;
  /** `locale`: the language of the mail that tells the old address of a change. */
  confirm(token: string, locale?: Locale): Promise<VerificationOutcome>;
}

export type VerificationOutcome =
  | { kind: 'verified'; account: Account }
  /** Unknown, expired or used link, or the account's address is no longer the one the link was sent to. */
  | { kind: 'invalid-link' };

export interface EmailVerificationDependencies {
  accounts: AccountStore;
  artifacts: ArtifactStore;
  mailer: Mailer;
  record: RecordEvent;
  /** The page a link opens, with the token appended; in `locale`, the mail's language. */
  linkFor(token: string, locale: Locale): string;
  productName: string;
  ttlSeconds: number;
  now?: () => Date;
}

const MODEL = 'EmailVerification';
const COOLDOWN = 'EmailLinkCooldown';
const COOLDOWN_SECONDS = 60;
/** A concurrent change of the account (a rename) makes the write stale; it is read again, a few times. */
const ATTEMPTS = 3;

export function createEmailVerification(deps: EmailVerificationDependencies): EmailVerification {
  const now = deps.now ?? (() => new Date());
  const idOf = (token: string) => createHash('sha256').update(token).digest('base64url');
  const hours = Math.max(1, Math.round(deps.ttlSeconds / 3600));

  /** Marks the address verified if the account still has it; undefined when it no longer does. */
  const markVerified = async (accountId: string, email: string): Promise<Account | undefined> => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const account = await deps.accounts.findById(accountId);
      if (!account || account.email !== email) return undefined;
      if (account.emailVerified) return account;
      const at = now();
      const updated = await deps.accounts.updateLogins(account.id, {
        emailVerified: true,
        updatedAt: at,
        ifUpdatedAt: account.updatedAt,
      });
      if (updated.kind === 'updated') return updated.account;
      if (updated.kind !== 'stale') return undefined;
    }
    return undefined;
  };

  const mailLink = async (
    to: string,
    target: { accountId: string; email: string; change?: true },
    name: string,
    t: Translator,
  ) => {
    const token = randomBytes(32).toString('base64url');
    await deps.artifacts.upsert(MODEL, idOf(token), target, deps.ttlSeconds);
    const product = deps.productName;
    const why = t(target.change ? 'mail.verifyEmail.whyChange' : 'mail.verifyEmail.why', { product });
    await deps.mailer.send({
      to,
      subject: t('mail.verifyEmail.subject', { product }),
      text: t.plural('mail.verifyEmail.body', hours, { name, why, link: deps.linkFor(token, t.locale) }),
    });
  };

  /** The account's address becomes `email`, verified, if the account is as the link found it and no one has it. */
  const changeTo = async (accountId: string, email: string, t: Translator): Promise<Account | undefined> => {
    const account = await deps.accounts.findById(accountId);
    if (!account) return undefined;
    if (account.email === email) return markVerified(accountId, email);
    const updated = await deps.accounts.updateLogins(account.id, {
      email,
      emailVerified: true,
      updatedAt: now(),
      ifUpdatedAt: account.updatedAt,
    });
    if (updated.kind !== 'updated') return undefined;
    if (account.email) {
      const product = deps.productName;
      await deps.mailer.send({
        to: account.email,
        subject: t('mail.emailChanged.subject', { product }),
        text: t('mail.emailChanged.body', { name: account.username, product, email }),
      });
    }
    return updated.account;
  };

  return {
    async sendChange(account, typed, locale = DEFAULT_LOCALE) {
      const parsed = emailSchema.safeParse(typed);
      if (!parsed.success) return 'invalid';
      const email = parsed.data;
      const holder = await deps.accounts.findByLogin(normaliseLogin(email));
      if (holder && holder.id !== account.id) return 'sent';
      await mailLink(email, { accountId: account.id, email, change: true }, account.username, translator(locale));
      return 'sent';
    },

    async send(account, locale = DEFAULT_LOCALE) {
      if (!account.email || account.emailVerified) return 'nothing-to-verify';
      if (await deps.artifacts.find(COOLDOWN, account.id)) return 'recently-sent';
      await deps.artifacts.upsert(COOLDOWN, account.id, {}, COOLDOWN_SECONDS);
      await mailLink(
        account.email,
        { accountId: account.id, email: account.email },
        account.username,
        translator(locale),
      );
      return 'sent';
    },

    async isUsable(token) {
      const found = await deps.artifacts.find(MODEL, idOf(token));
      return found !== undefined && found.consumed === undefined;
    },

    async confirm(token, locale = DEFAULT_LOCALE) {
      // Taken, not read: of two clicks racing, one uses the link.
      const stored = await deps.artifacts.take(MODEL, idOf(token));
      if (typeof stored?.accountId !== 'string' || typeof stored.email !== 'string') return { kind: 'invalid-link' };
      const account =
        stored.change === true
          ? await changeTo(stored.accountId, stored.email, translator(locale))
          : await markVerified(stored.accountId, stored.email);
      if (!account) return { kind: 'invalid-link' };
      if (stored.change === true) await deps.record({ type: 'email_changed', accountId: account.id });
      await deps.record({ type: 'email_verified', accountId: account.id });
      return { kind: 'verified', account };
    },
  };
}

/**
 * The account an event made, when it is one that gets a link for an unverified address: a migration at sign-in, a
 * sign-up. Not a password reset by email (not a sign-up) nor a bulk import, which mails no one.
 */
export function newAccountToVerify(event: IdpEvent): string | undefined {
  if (event.type === 'registered') return event.accountId;
  if (event.type === 'migrated' && event.via === undefined) return event.accountId;
  return undefined;
}

/** What a page says after a link was asked for, in the page's language. */
export function linkNotice(
  t: Translator,
  outcome: Awaited<ReturnType<EmailVerification['send']>>,
  account: Account,
): string {
  switch (outcome) {
    case 'sent':
      return t('verifyEmail.notice.sent', { email: account.email ?? '' });
    case 'recently-sent':
      return t('verifyEmail.notice.recentlySent');
    case 'nothing-to-verify':
      return '';
  }
}
