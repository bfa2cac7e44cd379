import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { linkNotice } from '../email-verification/email-verification.js';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import {
  finishInteraction,
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type Step,
} from './interaction-steps.js';

/**
 * The `verify_email` prompt (src/oidc/login-policy.ts): a client that requires a confirmed email address gets no
 * token for an account whose address is not confirmed. The page says where the link went (sent on the first view,
 * one a minute at most) and goes on once the address is confirmed; an account with no address is sent to add one.
 */

type VerifyEmailDependencies = Pick<
  InteractionDependencies,
  'provider' | 'render' | 'csrf' | 'accounts' | 'emailVerification'
>;

async function accountOf(deps: VerifyEmailDependencies, interaction: Interaction) {
  const accountId = interaction.session?.accountId;
  const account = accountId ? await deps.accounts.findById(accountId) : undefined;
  if (!account) throw new errors.SessionNotFound('no signed-in account for this step');
  return account;
}

async function renderVerifyEmail(
  deps: VerifyEmailDependencies,
  ctx: Context,
  interaction: Interaction,
  email: string,
  notice: string,
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'verify-email-required',
    title: translatorFor(ctx)('verifyEmailRequired.title'),
    status,
    locals: { email, notice },
  });
}

/** GET /interaction/:uid at the `verify_email` prompt: the page, and the link sent if none went out this minute. */
export async function showVerifyEmail(deps: VerifyEmailDependencies, ctx: Context, interaction: Interaction) {
  const account = await accountOf(deps, interaction);
  const t = translatorFor(ctx);
  const sent = await deps.emailVerification.send(account, t.locale);
  await renderVerifyEmail(deps, ctx, interaction, account.email ?? '', linkNotice(t, sent, account));
}

/** POST /interaction/:uid/email: "I have confirmed it" (continue) or "send the link again" (resend). */
export function verifyEmailEndpoint(deps: VerifyEmailDependencies): Step[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'verify_email'),

    async function continueOrResend(ctx) {
      const { interaction } = ctx.state;
      const account = await accountOf(deps, interaction);
      if (formField(ctx.request.body, 'action') === 'resend') {
        const t = translatorFor(ctx);
        const sent = await deps.emailVerification.send(account, t.locale);
        await renderVerifyEmail(deps, ctx, interaction, account.email ?? '', linkNotice(t, sent, account));
        return;
      }
      if (account.email === undefined || !account.emailVerified) {
        const notice = account.email
          ? translatorFor(ctx)('verifyEmailRequired.notConfirmed', { email: account.email })
          : '';
        await renderVerifyEmail(deps, ctx, interaction, account.email ?? '', notice, 400);
        return;
      }
      // The prompt's check reads the account again: confirmed, it lets the authorization go on.
      await finishInteraction(ctx, interaction, { [interaction.prompt.name]: {} }, true);
    },
  ];
}
