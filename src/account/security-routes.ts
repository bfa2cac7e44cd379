import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import { linkNotice, type EmailVerification } from '../email-verification/email-verification.js';
import type { RecordEvent } from '../events/recorder.js';
import type { EndSessions } from '../oidc/end-sessions.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import { problemClause } from '../i18n/problems.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { MessageKey } from '../i18n/translator.js';
import type { PasskeyRegistration, Passkeys } from '../mfa/passkeys.js';
import type { SecretBox } from '../security/secret-box.js';
import { totpEnrolment, type TotpSetupPage } from '../mfa/totp-enrolment.js';
import { accountForPage, accountSignInUrl, signedInAccount } from './signed-in-account.js';
import type { AccountStore, ArtifactStore, FactorStore } from '../store/store.js';

/**
 * A user's own second factors: an authenticator app (TOTP) set up by scanning a QR code and confirming one code, and
 * recovery codes, shown once and stored only as hashes (the setup itself is `mfa/totp-enrolment.ts`, shared with
 * the setup inside a sign-in).
 */
export interface SecurityDependencies {
  issuer: string;
  /** How recent a sign-in must be to change sign-in methods (`mfa.recentSignInSeconds`). */
  recentSignInSeconds: number;
  /** The name authenticator apps show beside the account. */
  totpIssuer: string;
  provider: Provider;
  accounts: AccountStore;
  factors: FactorStore;
  artifacts: ArtifactStore;
  secretBox: SecretBox;
  record: RecordEvent;
  render: RenderPage;
  csrf: Csrf;
  /** Passkeys added here, to sign in with alone. */
  passkeys: Passkeys;
  /** The link confirming the account's email address, sent again on request. */
  emailVerification: EmailVerification;
  /** "Sign out everywhere": every session, grant and token of the account, relying parties told. */
  endSessions: EndSessions;
  /** A new password: judged by the policy, hashed off the event loop. */
  passwordPolicy: PasswordPolicy;
  hasher: Pick<PasswordHasher, 'hash'>;
}

export function accountSecurityRoutes(deps: SecurityDependencies): Router {
  const router = new Router({ prefix: '/account/security' });
  const enrolment = totpEnrolment(deps);
  const signInUrl = (again: boolean) => accountSignInUrl(deps.issuer, 'security', again);

  /** The session's account, its session id, and whether its sign-in is recent enough to change sign-in methods. */
  const sessionOf = (ctx: Context) => signedInAccount(ctx, deps);

  /**
   * The signed-in account, or a redirect to sign in (undefined: answered). A change of sign-in methods (`change`)
   * also needs a sign-in of the last minutes: a session left open on a shared computer, or stolen, must not be
   * enough to replace the user's authenticator app or add an attacker's passkey. Past that, the user signs in again
   * (password and second step) and comes back to this page.
   */
  const accountOf = async (ctx: Context, change = false) =>
    (await accountForPage(ctx, deps, 'security', change))?.account;

  const overview = async (ctx: Context, account: Account, notice = '') => {
    const factors = await deps.factors.listByAccount(account.id);
    const totp = factors.find((f) => f.kind === 'totp');
    const t = translatorFor(ctx);
    await deps.render(ctx, {
      view: 'account-security',
      title: t('security.title'),
      locals: {
        notice,
        email: account.email ?? '',
        emailVerified: account.emailVerified,
        totpSince: totp ? t.date(totp.createdAt) : '',
        recoveryCodesLeft: factors.filter((f) => f.kind === 'recovery-code' && f.mark === 0).length,
        passkeysAvailable: deps.passkeys.available,
        passkeys: factors
          .filter((f) => f.kind === 'passkey')
          .map((f) => ({
            id: f.id,
            label: f.label ?? translatorFor(ctx)('security.passkeys.defaultLabel'),
            added: t.date(f.createdAt),
            lastUsed: f.lastUsedAt ? t.date(f.lastUsedAt) : '',
          })),
      },
    });
  };

  /** Recovery codes, shown once on the page this renders. */
  const showRecoveryCodes = async (ctx: Context, codes: string[], heading: string) => {
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, {
      view: 'account-recovery-codes',
      title: translatorFor(ctx)('recoveryCodes.title'),
      locals: { codes, heading },
    });
  };

  router.get('/', async (ctx) => {
    const account = await accountOf(ctx);
    if (account) await overview(ctx, account);
  });

  // A new address needs a recent sign-in, like a change of sign-in methods: it is how a password gets reset.
  router.post('/email/change', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const typed = formField(ctx.request.body, 'email');
    const t = translatorFor(ctx);
    const sent = await deps.emailVerification.sendChange(account, typed, t.locale);
    await overview(
      ctx,
      account,
      sent === 'invalid' ? t('security.email.notAnAddress') : t('security.email.linkSent', { email: typed.trim() }),
    );
  });

  // A new password needs a recent sign-in (the password and any second step of the last minutes), as a change of
  // sign-in methods does, rather than the current password again: an account migrated by a password reset or
  // signed in with a passkey may not know one.
  router.post('/password', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const password = formField(ctx.request.body, 'password');
    const t = translatorFor(ctx);
    if (password !== formField(ctx.request.body, 'confirm')) {
      await overview(ctx, account, t('security.password.differ'));
      return;
    }
    const problem = deps.passwordPolicy(password, { username: account.username, email: account.email });
    if (problem) {
      await overview(
        ctx,
        account,
        t('security.password.refused', { problem: problemClause(t, 'newPassword', problem) }),
      );
      return;
    }
    await deps.accounts.updatePassword(
      account.id,
      { kind: 'bcrypt', hash: await deps.hasher.hash(password) },
      new Date(),
    );
    await deps.record({ type: 'password_changed', accountId: account.id, reason: 'user' });
    await overview(ctx, account, t('security.password.changed'));
  });

  // Every session ends, this browser's too; relying parties with a back channel are told (src/oidc/end-sessions.ts).
  router.post('/sessions/end', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (!account) return;
    await deps.endSessions(account.id);
    await deps.record({ type: 'sessions_ended', accountId: account.id });
    await deps.render(ctx, {
      view: 'logged-out',
      title: translatorFor(ctx)('loggedOut.title'),
      locals: { clientName: '' },
    });
  });

  router.post('/email/verify', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (!account) return;
    const t = translatorFor(ctx);
    await overview(ctx, account, linkNotice(t, await deps.emailVerification.send(account, t.locale), account));
  });

  const renderTotpSetup = async (ctx: Context, page: TotpSetupPage, error = '', status = 200) => {
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, {
      view: 'account-totp-setup',
      title: translatorFor(ctx)('totpSetup.title'),
      status,
      locals: { ...page, error },
    });
  };

  // The setup waits under the account's id: one at a time per account, whichever browser it is finished in.
  router.post('/totp/start', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (account) await renderTotpSetup(ctx, await enrolment.start(account, account.id));
  });

  router.post('/totp/confirm', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const outcome = await enrolment.confirm(account, account.id, formField(ctx.request.body, 'code'));
    const t = translatorFor(ctx);
    switch (outcome.kind) {
      case 'expired':
        await overview(ctx, account, t('security.totp.expired'));
        return;
      case 'wrong-code':
        await renderTotpSetup(ctx, outcome.page, t('totpSetup.error.wrongCode'), 400);
        return;
      case 'confirmed':
        if (outcome.recoveryCodes) {
          await showRecoveryCodes(ctx, outcome.recoveryCodes, t('recoveryCodes.afterSetup'));
          return;
        }
        await overview(ctx, account, t('security.totp.done'));
    }
  });

  router.post('/totp/remove', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const ids = (await deps.factors.listByAccount(account.id)).filter((f) => f.kind === 'totp').map((f) => f.id);
    if ((await deps.factors.remove(account.id, ids)) > 0) {
      await deps.record({ type: 'factor_removed', accountId: account.id, factor: 'totp' });
    }
    await overview(ctx, account, translatorFor(ctx)('security.totp.removed'));
  });

  router.post('/recovery-codes', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const codes = await enrolment.issueRecoveryCodes(account.id);
    await showRecoveryCodes(ctx, codes, translatorFor(ctx)('recoveryCodes.renewed'));
  });

  // Passkeys. The challenge of an addition waits under the browser's session (its uid, which a sign-in keeps), so
  // only the browser that asked for the options can answer them.

  /** The signed-in account and its session's id; undefined: not signed in. */
  // Answered to the page's script, as JSON: the options for `navigator.credentials.create()`.
  router.post('/passkeys/options', parseForm, deps.csrf.check, async (ctx) => {
    const signed = deps.passkeys.available ? await sessionOf(ctx) : undefined;
    ctx.set('cache-control', 'no-store');
    if (!signed?.recent) {
      ctx.status = deps.passkeys.available ? 401 : 404;
      // The page's script goes to `signIn` (a sign-in again, which comes back to this page).
      ctx.body = deps.passkeys.available
        ? { error: 'login_required', signIn: signInUrl(signed !== undefined) }
        : { error: 'passkeys_unavailable' };
      return;
    }
    ctx.body = await deps.passkeys.registrationOptions(signed.account, signed.sessionId);
  });

  const registered: Record<PasskeyRegistration['kind'], MessageKey> = {
    registered: 'security.passkeys.registered',
    expired: 'security.passkeys.expired',
    refused: 'security.passkeys.refused',
    'already-registered': 'security.passkeys.alreadyRegistered',
  };

  router.post('/passkeys', parseForm, deps.csrf.check, async (ctx) => {
    const signed = await sessionOf(ctx);
    if (!signed?.recent) {
      ctx.redirect(signInUrl(signed !== undefined));
      return;
    }
    const { account, sessionId } = signed;
    const body = ctx.request.body;
    const outcome = await deps.passkeys.register(
      account,
      sessionId,
      formField(body, 'response'),
      formField(body, 'passkey-label'),
    );
    await overview(ctx, account, translatorFor(ctx)(registered[outcome.kind]));
  });

  router.post('/passkeys/remove', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx, true);
    if (!account) return;
    const removed = await deps.passkeys.remove(account.id, formField(ctx.request.body, 'id'));
    const t = translatorFor(ctx);
    await overview(ctx, account, t(removed ? 'security.passkeys.removed' : 'security.passkeys.alreadyRemoved'));
  });

  return router;
}
