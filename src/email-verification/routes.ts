import Router from '@koa/router';
import type { Context } from 'koa';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { EmailVerification } from './email-verification.js';

/**
 * The page a verification link opens. Opening it uses nothing (mail scanners follow links): it asks for a click,
 * and the form's POST confirms the address.
 */
export function emailVerificationRoutes(deps: {
  verification: EmailVerification;
  render: RenderPage;
  csrf: Csrf;
}): Router {
  const router = new Router({ prefix: '/email/verify' });
  const invalid = (ctx: Context) =>
    deps.render(ctx, {
      view: 'verify-email',
      title: translatorFor(ctx)('verifyEmail.invalidTitle'),
      status: 410,
      locals: { state: 'invalid', token: '' },
    });

  router.get('/', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (!(await deps.verification.isUsable(token))) return invalid(ctx);
    await deps.render(ctx, {
      view: 'verify-email',
      title: translatorFor(ctx)('verifyEmail.title'),
      locals: { state: 'ask', token },
    });
  });

  router.post('/', parseForm, deps.csrf.check, async (ctx) => {
    const t = translatorFor(ctx);
    const outcome = await deps.verification.confirm(formField(ctx.request.body, 'token'), t.locale);
    if (outcome.kind === 'invalid-link') return invalid(ctx);
    await deps.render(ctx, {
      view: 'verify-email',
      title: t('verifyEmail.doneTitle'),
      locals: { state: 'done', token: '', email: outcome.account.email ?? '' },
    });
  });
  return router;
}
