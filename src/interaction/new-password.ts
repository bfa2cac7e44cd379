import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import { formField, parseForm } from '../http/forms.js';
import { problemSentence } from '../i18n/problems.js';
import { translatorFor } from '../i18n/request-locale.js';
import { PASSWORD_ONLY } from './finish-sign-in.js';
import { finishOrOfferPasskey, type PasskeyOfferDependencies } from './passkey-offer.js';
import {
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
} from './interaction-steps.js';

/**
 * The step after a sign-in with a weak legacy password (`passwords.requireChangeOfWeakLegacyPasswords`): the user
 * is signed in but let through only once a new password is chosen.
 */

export type NewPasswordDependencies = PasskeyOfferDependencies &
  Pick<InteractionDependencies, 'csrf' | 'passwordMinLength' | 'weakLegacyPassword'>;

export async function renderNewPassword(
  deps: NewPasswordDependencies,
  ctx: Context,
  interaction: Interaction,
  error: string,
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'change-password',
    title: translatorFor(ctx)('changePassword.title'),
    status,
    locals: { error, passwordMinLength: deps.passwordMinLength },
  });
}

/**
 * The account is signed in, but with a weak password it is not let through yet: the page asking for a new one is
 * shown (true), bound to this interaction. False: nothing to ask, the sign-in goes on.
 */
export async function askedForNewPassword(
  deps: NewPasswordDependencies,
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  weakPassword: boolean,
  amr: readonly string[] = PASSWORD_ONLY,
): Promise<boolean> {
  if (!weakPassword || !deps.weakLegacyPassword) return false;
  await deps.weakLegacyPassword.require(interaction.uid, accountId, amr);
  await renderNewPassword(deps, ctx, interaction, '');
  return true;
}

/**
 * The end of every sign-in step after the password: the weak-password step if the password must be replaced,
 * otherwise the offer of a passkey, or the end of the sign-in, with `amr` either way.
 */
export async function finishOrAskForNewPassword(
  deps: NewPasswordDependencies,
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  weakPassword: boolean,
  amr: readonly string[] = PASSWORD_ONLY,
): Promise<void> {
  if (await askedForNewPassword(deps, ctx, interaction, accountId, weakPassword, amr)) return;
  await finishOrOfferPasskey(deps, ctx, interaction, accountId, amr);
}

interface NewPasswordState extends InteractionState {
  account: Account;
}

/** POST /interaction/:uid/password */
export function newPasswordEndpoint(deps: NewPasswordDependencies): Step<NewPasswordState>[] {
  const weak = deps.weakLegacyPassword;
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function loadPendingChange(ctx, next) {
      const account = await weak?.pendingFor(ctx.state.interaction.uid);
      if (!account) throw new errors.SessionNotFound('no password change pending');
      ctx.state.account = account;
      await next();
    },

    async function checkConfirmation(ctx, next) {
      if (formField(ctx.request.body, 'password') !== formField(ctx.request.body, 'confirm')) {
        const differ = translatorFor(ctx)('common.passwordsDiffer');
        await renderNewPassword(deps, ctx, ctx.state.interaction, differ, 400);
        return;
      }
      await next();
    },

    async function changePassword(ctx) {
      const { interaction, account } = ctx.state;
      const outcome = await weak?.change(interaction.uid, account, formField(ctx.request.body, 'password'));
      switch (outcome?.kind) {
        case 'refused':
          await renderNewPassword(
            deps,
            ctx,
            interaction,
            problemSentence(translatorFor(ctx), 'newPassword', outcome.problem),
            400,
          );
          return;
        case 'changed':
          await finishOrOfferPasskey(deps, ctx, interaction, outcome.accountId, outcome.amr);
          return;
        default:
          throw new errors.SessionNotFound('no password change pending');
      }
    },
  ];
}
