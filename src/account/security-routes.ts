import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { RecordEvent } from '../events/recorder.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import { qrCodeSvg } from '../mfa/qr-code.js';
import { newRecoveryCodes, recoveryCodeHash } from '../mfa/recovery-codes.js';
import type { SecretBox } from '../mfa/secret-box.js';
import { totpSealContext } from '../mfa/second-factor.js';
import { matchTotp, newTotpSecret, totpUri } from '../mfa/totp.js';
import { ACCOUNT_PAGES_CLIENT } from '../oidc/provider.js';
import { sessionSignInUrl } from '../oidc/session-sign-in.js';
import type { AccountStore, ArtifactStore, Factor, FactorStore } from '../store/store.js';

/**
 * A user's own second factors: an authenticator app (TOTP) set up by scanning a QR code and confirming one code, and
 * recovery codes, shown once and stored only as hashes. The secret waits, sealed, in an artifact of the account until
 * the first code proves the app has it; only then is it a factor, so a half-finished setup never locks anyone out.
 */
export interface SecurityDependencies {
  issuer: string;
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
}

const PENDING_TOTP = 'TotpEnrolment';
const PENDING_TOTP_TTL_SECONDS = 600;

export function accountSecurityRoutes(deps: SecurityDependencies): Router {
  const router = new Router({ prefix: '/account/security' });
  const signInUrl = () =>
    sessionSignInUrl({ clientId: ACCOUNT_PAGES_CLIENT, redirectUri: `${deps.issuer}/account/callback` });

  /** The signed-in account, or a redirect to sign in (undefined: answered). */
  const accountOf = async (ctx: Context) => {
    const accountId = (await deps.provider.Session.get(ctx)).accountId;
    const account = accountId ? await deps.accounts.findById(accountId) : undefined;
    if (!account) ctx.redirect(signInUrl());
    return account;
  };

  const overview = async (ctx: Context, accountId: string, notice = '') => {
    const factors = await deps.factors.listByAccount(accountId);
    const totp = factors.find((f) => f.kind === 'totp');
    await deps.render(ctx, {
      view: 'account-security',
      title: 'Sign-in security',
      locals: {
        notice,
        totpSince: totp?.createdAt.toISOString().slice(0, 10) ?? '',
        recoveryCodesLeft: factors.filter((f) => f.kind === 'recovery-code' && f.mark === 0).length,
      },
    });
  };

  /** New recovery codes replacing any old ones, shown once on the page this renders. */
  const issueRecoveryCodes = async (ctx: Context, accountId: string, heading: string) => {
    const codes = newRecoveryCodes();
    const now = new Date();
    const factors: Factor[] = codes.map((code) => ({
      id: randomUUID(),
      accountId,
      kind: 'recovery-code',
      data: { hash: recoveryCodeHash(code, accountId) },
      mark: 0,
      createdAt: now,
    }));
    await deps.factors.add(factors, 'recovery-code');
    await deps.record({ type: 'factor_enrolled', accountId, factor: 'recovery-code', count: codes.length });
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, {
      view: 'account-recovery-codes',
      title: 'Your recovery codes',
      locals: { codes, heading },
    });
  };

  router.get('/', async (ctx) => {
    const account = await accountOf(ctx);
    if (account) await overview(ctx, account.id);
  });

  const renderTotpSetup = async (ctx: Context, secret: string, username: string, error = '', status = 200) => {
    const uri = totpUri({ secret, issuer: deps.totpIssuer, accountName: username });
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, {
      view: 'account-totp-setup',
      title: 'Set up an authenticator app',
      status,
      locals: { qrSvg: await qrCodeSvg(uri), secret, error },
    });
  };

  router.post('/totp/start', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (!account) return;
    const secret = newTotpSecret();
    const sealed = deps.secretBox.seal(secret, totpSealContext(account.id));
    await deps.artifacts.upsert(
      PENDING_TOTP,
      account.id,
      { accountId: account.id, secret: sealed },
      PENDING_TOTP_TTL_SECONDS,
    );
    await renderTotpSetup(ctx, secret, account.username);
  });

  router.post('/totp/confirm', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (!account) return;
    const pending = await deps.artifacts.find(PENDING_TOTP, account.id);
    const opened = deps.secretBox.open(pending?.secret, totpSealContext(account.id));
    if (opened.kind !== 'opened') {
      await overview(ctx, account.id, 'That setup expired. Start again.');
      return;
    }
    const now = new Date();
    const step = matchTotp(opened.plaintext, formField(ctx.request.body, 'code'), now);
    if (step === undefined) {
      const error = 'That code is not right: enter the code your app shows now.';
      await renderTotpSetup(ctx, opened.plaintext, account.username, error, 400);
      return;
    }
    if (!(await deps.artifacts.take(PENDING_TOTP, account.id))) {
      await overview(ctx, account.id, 'That setup expired. Start again.');
      return;
    }
    // The confirming code's step is already used: it cannot be played again to sign in.
    const totp: Factor = {
      id: randomUUID(),
      accountId: account.id,
      kind: 'totp',
      data: { secret: pending?.secret },
      mark: step,
      createdAt: now,
    };
    await deps.factors.add([totp], 'totp');
    await deps.record({ type: 'factor_enrolled', accountId: account.id, factor: 'totp' });
    const left = (await deps.factors.listByAccount(account.id)).filter(
      (f) => f.kind === 'recovery-code' && f.mark === 0,
    ).length;
    if (left === 0) {
      await issueRecoveryCodes(ctx, account.id, 'Your authenticator app is set up. Keep these recovery codes');
      return;
    }
    await overview(ctx, account.id, 'Your authenticator app is set up.');
  });

  router.post('/totp/remove', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (!account) return;
    const ids = (await deps.factors.listByAccount(account.id)).filter((f) => f.kind === 'totp').map((f) => f.id);
    if ((await deps.factors.remove(account.id, ids)) > 0) {
      await deps.record({ type: 'factor_removed', accountId: account.id, factor: 'totp' });
    }
    await overview(ctx, account.id, 'Your authenticator app is removed.');
  });

  router.post('/recovery-codes', parseForm, deps.csrf.check, async (ctx) => {
    const account = await accountOf(ctx);
    if (account) await issueRecoveryCodes(ctx, account.id, 'Your new recovery codes (the old ones no longer work)');
  });

  return router;
}
