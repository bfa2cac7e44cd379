import Router from '@koa/router';
import type { Context } from 'koa';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
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
      title: 'This link does not work',
      status: 410,
      locals: { state: 'invalid', token: '' },
    });

  router.get('/', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (!(await deps.verification.isUsable(token))) return invalid(ctx);
    await deps.render(ctx, {
      view: 'verify-email',
      title: 'Confirm your email address',
      locals: { state: 'ask', token },
    });
  });

  router.post('/', parseForm, deps.csrf.check, async (ctx) => {
    const outcome = await deps.verification.confirm(formField(ctx.request.body, 'token'));
    if (outcome.kind === 'invalid-link') return invalid(ctx);
    await deps.render(ctx, {
      view: 'verify-email',
      title: 'Your email address is confirmed',
      locals: { state: 'done', token: '', email: outcome.account.email ?? '' },
    });
  });
  return router;
}
