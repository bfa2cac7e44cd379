import Router from '@koa/router';
import type { Context } from 'koa';
import { normaliseLogin } from '../accounts/account.js';
import type { PasswordReset } from '../password-reset/password-reset.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import { problemSentence } from '../i18n/problems.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { Logger } from '../log/logger.js';
import type { SentMail } from '../mail/mailer.js';
import { LEGACY_RETRY_AFTER_SECONDS, LEGACY_UNAVAILABLE_STATUS } from './messages.js';
import type { SignInLinks } from './sign-in-links.js';

export interface PasswordResetRouteDependencies {
  reset: PasswordReset;
  render: RenderPage;
  csrf: Csrf;
  limiter: RateLimiter;
  logger: Logger;
  passwordMinLength: number;
  /** Demo and development without SMTP: the mails, shown on /dev/outbox. */
  outbox?: readonly SentMail[];
  links: SignInLinks;
}

/** Only a way back into a sign-in in progress: never an arbitrary URL (no open redirect). */
const RETURN_PATH = /^\/interaction\/[\w-]{1,64}$/;

/** Forgot-password pages: ask for a link, then choose a new password. */
export function passwordResetRoutes(deps: PasswordResetRouteDependencies): Router {
  const router = new Router();
  const { render } = deps;
  const returnPath = (value: string) => (RETURN_PATH.test(value) ? value : '');

  router.get('/password/forgot', async (ctx) => {
    await render(ctx, {
      view: 'forgot-password',
      title: translatorFor(ctx)('forgotPassword.title'),
      locals: { returnTo: returnPath(String(ctx.query.return ?? '')), login: '' },
    });
  });

  router.post('/password/forgot', parseForm, deps.csrf.check, async (ctx) => {
    const login = formField(ctx.request.body, 'login');
    const verdict = await deps.limiter.attempt([
      { rule: 'resetPerIp', subject: ctx.ip },
      { rule: 'resetPerLogin', subject: normaliseLogin(login) },
    ]);
    // Answered the same way for every login, and the work (look-ups, the legacy system, mail) starts only once the
    // answer has gone out, so neither the text nor the timing says whether an account exists.
    // Past a limit nothing is sent, and the answer stays the same: no one learns about limits or accounts from it.
    const returnTo = returnPath(formField(ctx.request.body, 'returnTo'));
    const t = translatorFor(ctx);
    if (verdict.kind === 'allowed')
      ctx.res.once('finish', () => {
        // The sign-in it came from, so that "Sign in" after the reset leads back there (or to its application).
        const from = async () => {
          const clientId = returnTo ? await deps.links.clientOf(returnTo) : undefined;
          return { ...(returnTo ? { returnTo } : {}), ...(clientId ? { clientId } : {}) };
        };
        from()
          .then((origin) => deps.reset.request(login, origin, t.locale))
          .catch((error: unknown) => deps.logger.error({ err: error }, 'password reset request failed'));
      });
    await render(ctx, {
      view: 'forgot-password-sent',
      title: t('forgotPasswordSent.title'),
      locals: { returnTo },
    });
  });

  const renderReset = async (ctx: Context, token: string, returnTo: string, error = '', status = 200) => {
    await render(ctx, {
      view: 'reset-password',
      title: translatorFor(ctx)('resetPassword.title'),
      status,
      locals: { token, returnTo, error, passwordMinLength: deps.passwordMinLength },
    });
  };
  const renderExpired = (ctx: Context, returnTo: string) => {
    const t = translatorFor(ctx);
    return render(ctx, {
      view: 'reset-done',
      title: t('resetDone.expiredTitle'),
      status: 400,
      locals: {
        heading: t('resetDone.expiredTitle'),
        message: t('resetDone.expiredMessage'),
        returnTo,
        again: true,
      },
    });
  };

  router.get('/password/reset', async (ctx) => {
    const token = String(ctx.query.token ?? '');
    const returnTo = returnPath(String(ctx.query.return ?? ''));
    // The token stays out of logs: only the path is logged, and this page is not cached.
    if (!(await deps.reset.isUsable(token))) {
      await renderExpired(ctx, returnTo);
      return;
    }
    await renderReset(ctx, token, returnTo);
  });

  router.post('/password/reset', parseForm, deps.csrf.check, async (ctx) => {
    const body = ctx.request.body;
    const token = formField(body, 'token');
    const returnTo = returnPath(formField(body, 'returnTo'));
    const password = formField(body, 'password');
    const t = translatorFor(ctx);
    if (password !== formField(body, 'confirm')) {
      await renderReset(ctx, token, returnTo, t('common.passwordsDiffer'), 400);
      return;
    }
    const outcome = await deps.reset.complete(token, password);
    switch (outcome.kind) {
      case 'invalid-password':
        await renderReset(ctx, token, returnTo, problemSentence(t, 'newPassword', outcome.message), 400);
        return;
      case 'invalid-link':
        await renderExpired(ctx, returnTo);
        return;
      case 'legacy-unavailable':
        ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
        await renderReset(ctx, token, returnTo, t('resetPassword.error.unavailable'), LEGACY_UNAVAILABLE_STATUS);
        return;
      case 'rejected':
        await render(ctx, {
          view: 'reset-done',
          title: t('resetDone.rejectedTitle'),
          status: 422,
          locals: {
            heading: t('resetDone.rejectedTitle'),
            message: t('resetDone.rejectedMessage'),
            returnTo,
            again: false,
          },
        });
        return;
      case 'done': {
        const next = await deps.links.after(ctx, { ...outcome.from, ...(returnTo ? { returnTo } : {}) });
        await render(ctx, {
          view: 'reset-done',
          title: t('resetDone.doneTitle'),
          locals: {
            heading: t('resetDone.doneHeading'),
            message: next ? t('resetDone.doneSignIn') : t('resetDone.doneGoBack'),
            returnTo: '',
            signIn: next,
            again: false,
          },
        });
      }
    }
  });

  const outbox = deps.outbox;
  if (outbox) {
    router.get('/dev/outbox', async (ctx) => {
      await render(ctx, { view: 'outbox', title: translatorFor(ctx)('outbox.title'), locals: { mails: outbox } });
    });
  }
  return router;
}
